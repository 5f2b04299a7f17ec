import { Type } from 'typebox';
import type { TongbanModule } from '../http.ts';
import { ApplicationNumberInfo } from './application-number.ts';
import { IDENTIFIER_RULES } from './check.ts';
import { checkIdentifier, IDENTIFIER_KINDS } from './index.ts';
import { LicenceIdInfo } from './licence-id.ts';
import { OrgCodeInfo } from './org-code.ts';
import { RegionInfo } from './region-code.ts';
import { ResidentIdInfo } from './resident-id.ts';
import { UsccInfo } from './uscc.ts';

const Valid = Type.Object({
  valid: Type.Literal(true),
  kind: Type.Enum(IDENTIFIER_KINDS),
  value: Type.String({ description: 'The normalised value (trimmed, upper-case)' }),
  info: Type.Union(
    [ResidentIdInfo, UsccInfo, OrgCodeInfo, RegionInfo, LicenceIdInfo, ApplicationNumberInfo],
    {
      description: 'What the identifier says; its shape depends on the kind',
    },
  ),
});

const Invalid = Type.Object({
  valid: Type.Literal(false),
  rule: Type.Enum(IDENTIFIER_RULES, { description: 'The rule the value breaks' }),
  message: Type.String(),
  messageEn: Type.String(),
});

/** A validation service for forms: is this identifier valid, and if not, which rule does it break? */
export const identifiersModule: TongbanModule = {
  name: 'identifiers',
  routes(app) {
    app.get(
      '/api/v1/identifiers/:kind/:value',
      {
        schema: {
          tags: ['identifiers'],
          summary:
            'Validate a resident ID, USCC, organisation code, region code, e-licence identifier or application number',
          params: Type.Object({
            kind: Type.Enum(IDENTIFIER_KINDS),
            // E-licence identifiers run to about 100 characters.
            value: Type.String({ minLength: 1, maxLength: 128 }),
          }),
          response: { 200: Type.Union([Valid, Invalid]) },
        },
      },
      async (request) => {
        const { kind, value } = request.params;
        const result = checkIdentifier(kind, value);
        if (!result.ok) {
          const { rule, message, messageEn } = result;
          return { valid: false as const, rule, message, messageEn };
        }
        return { valid: true as const, kind, value: result.value, info: result.info };
      },
    );
  },
};
