import { Type, type TSchema } from 'typebox';

/** JSON schema pieces the modules' routes share. */

/** An instant as ISO 8601 text. */
export const DateTime = Type.String({ format: 'date-time' });

/** The schema, or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
