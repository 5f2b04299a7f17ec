import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateAgainstSchema } from '../../../web/src/shared/schema-form/rules.ts';
import { IDENTIFIER_RULES } from '../../kernel/identifiers/index.ts';
import { validateFormData } from './form-data.ts';

/** The shape of a catalog item's default form for both audiences (catalog/form.ts). */
const schema = {
  type: 'object',
  properties: {
    applicantType: { type: 'string', enum: ['natural_person', 'legal_person'] },
    applicantName: { type: 'string', maxLength: 50 },
    idNumber: { type: 'string', maxLength: 200, 'x-ui': { widget: 'identifier', identifier: 'residentId' } },
    phone: { type: 'string', pattern: '^1[3-9]\\d{9}$' },
    enterpriseName: { type: 'string', maxLength: 200 },
    creditCode: { type: 'string', 'x-ui': { widget: 'identifier', identifier: 'uscc' } },
  },
  required: ['applicantType'],
  additionalProperties: false,
  allOf: [
    {
      if: { properties: { applicantType: { const: 'natural_person' } } },
      then: { required: ['applicantName', 'idNumber', 'phone'] },
      else: { required: ['enterpriseName', 'creditCode'] },
    },
  ],
};

const rules = (errors: { field: string; rule: string }[]) => errors.map((e) => `${e.field}:${e.rule}`).sort();

describe('application form data', () => {
  it('accepts complete, valid data', () => {
    expect(
      validateFormData(schema, {
        applicantType: 'natural_person',
        applicantName: '张三',
        idNumber: '11010519491231002X',
        phone: '13812345678',
      }),
    ).toEqual([]);
  });

  it('names every bad field with its rule, in Chinese and English', () => {
    const errors = validateFormData(schema, {
      applicantType: 'natural_person',
      idNumber: '110105194912310021',
      phone: '12345',
      nickname: 'x',
    });
    expect(rules(errors)).toEqual([
      'form.applicantName:required',
      'form.idNumber:checkDigit',
      'form.nickname:additionalProperties',
      'form.phone:pattern',
    ]);
    for (const error of errors) {
      expect(error.message).toMatch(/[\u4e00-\u9fff]/);
      expect(error.messageEn).toMatch(/[a-z]/);
    }
  });

  it('follows the conditional requirements of the applicant type', () => {
    expect(
      rules(validateFormData(schema, { applicantType: 'legal_person', creditCode: '91320000ABCDEFGHIJ' })),
    ).toEqual(['form.creditCode:charset', 'form.enterpriseName:required']);
  });

  it('lets a draft leave required fields empty but not hold wrong values', () => {
    expect(validateFormData(schema, { applicantType: 'natural_person' }, { partial: true })).toEqual([]);
    expect(rules(validateFormData(schema, { phone: '1' }, { partial: true }))).toEqual([
      'form.phone:pattern',
    ]);
  });

  it('refuses data that is not an object', () => {
    expect(rules(validateFormData(schema, ['a']))).toEqual(['form:type']);
  });

  it('checks the formats a form designer offers (date, email), as the portal does', () => {
    const dated = {
      type: 'object',
      properties: {
        weddingDate: { type: 'string', format: 'date' },
        email: { type: 'string', format: 'email' },
      },
    };
    expect(validateFormData(dated, { weddingDate: '2026-05-20', email: 'a@example.cn' })).toEqual([]);
    expect(rules(validateFormData(dated, { weddingDate: '2026-02-30', email: 'nobody' }))).toEqual([
      'form.email:format',
      'form.weddingDate:format',
    ]);
  });

  it('agrees with the portal’s client-side validation field by field, in both languages', () => {
    const dated = {
      ...schema,
      properties: { ...schema.properties, weddingDate: { type: 'string', format: 'date' } },
    };
    const samples: [Record<string, unknown>, boolean][] = [
      [
        {
          applicantType: 'natural_person',
          applicantName: '张三',
          idNumber: '11010519491231002X',
          phone: '13812345678',
        },
        false,
      ],
      [{ applicantType: 'natural_person', phone: '12345', nickname: 'x', weddingDate: '2026-13-01' }, false],
      [{ applicantType: 'legal_person', applicantName: 'x'.repeat(51) }, false],
      [{ applicantType: 'robot' }, false],
      [{ phone: '1', weddingDate: 'soon' }, true],
    ];
    const identifierRules: readonly string[] = IDENTIFIER_RULES;
    for (const [value, partial] of samples) {
      const server = validateFormData(dated, value, { partial }).filter(
        (e) => !identifierRules.includes(e.rule),
      );
      for (const [locale, pick] of [
        ['zh-CN', (e: { message: string }) => e.message],
        ['en', (e: { messageEn: string }) => e.messageEn],
      ] as const) {
        const expected: Record<string, string> = {};
        for (const e of server) expected[e.field.replace(/^form\.?/, '') || 'form'] ??= pick(e);
        expect(validateAgainstSchema(dated, value, { locale, partial })).toEqual(expected);
      }
    }
  });

  it('agrees with the portal on any values of a form using every rule the designer offers', () => {
    const rich = {
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['shop', 'canteen'] },
        name: { type: 'string', minLength: 2, maxLength: 6 },
        phone: { type: 'string', pattern: '^1[3-9]\\d{9}$' },
        area: { type: 'number', minimum: 1, maximum: 1000 },
        staff: { type: 'integer', minimum: 0 },
        agreed: { type: 'boolean' },
        opened: { type: 'string', format: 'date' },
        email: { type: 'string', format: 'email' },
        scopes: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1, maxItems: 2 },
      },
      required: ['kind', 'name'],
      additionalProperties: false,
      allOf: [
        {
          if: { properties: { kind: { const: 'shop' } } },
          then: { required: ['area', 'opened'] },
          else: { required: ['staff'] },
        },
      ],
    };
    const anyValue = fc.oneof(
      fc.constantFrom(
        'shop',
        'canteen',
        'x',
        '',
        '张三',
        '13812345678',
        '2026-02-30',
        '2026-05-20',
        'a@b.cn',
        'a@',
      ),
      fc.string({ maxLength: 8 }),
      fc.integer({ min: -5, max: 2000 }),
      fc.double({ min: -5, max: 2000, noNaN: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.constantFrom('a', 'b', 'c', 1), { maxLength: 3 }),
    );
    const keys = [...Object.keys(rich.properties), 'extra'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), anyValue), fc.boolean(), (value, partial) => {
        const expected: Record<string, string> = {};
        for (const e of validateFormData(rich, value, { partial }))
          expected[e.field.replace(/^form\.?/, '') || 'form'] ??= e.message;
        expect(validateAgainstSchema(rich, value, { partial })).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
