import { Type } from 'typebox';
import { DateTime } from '../../kernel/schemas.ts';

/** JSON schemas the identity routes share (DateTime is the kernel's). */
export { DateTime };

/** A new session as handed to the client (see Sessions.deliver). */
export const SessionBody = Type.Object({
  channel: Type.Enum(['cookie', 'bearer']),
  expiresAt: DateTime,
  token: Type.Optional(Type.String({ description: 'Bearer token (API clients only)' })),
  csrfToken: Type.Optional(Type.String({ description: 'Send it back as x-csrf-token (browsers)' })),
});
