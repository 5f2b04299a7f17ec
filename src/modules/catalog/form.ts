import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import type { Audience, FormSchema, Material } from './model.ts';

/**
 * Application forms are JSON Schema objects whose properties carry `x-ui` hints
 * (widget, order, help) for the portal. The same schema validates submitted data.
 */

const ajv = new Ajv2020({ allErrors: true, strict: false });
// The formats applications are checked with (applications/form-data.ts), so a form using one (date) compiles quietly.
formats.default(ajv);

export function compileForm(schema: FormSchema): { ok: true } | { ok: false; reason: string } {
  try {
    ajv.compile(schema);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message.slice(0, 200) };
  }
}

interface FieldUi {
  widget: string;
  order: number;
  titleEn: string;
  help?: string;
  helpEn?: string;
  identifier?: string;
  enumNames?: string[];
  enumNamesEn?: string[];
}
interface Field {
  title: string;
  type?: string;
  enum?: string[];
  pattern?: string;
  maxLength?: number;
  'x-ui': FieldUi;
}

/** A text in Chinese and English: the portal shows the page's language. */
type Texts = readonly [zh: string, en: string];

const field = (
  [title, titleEn]: Texts,
  order: number,
  widget: string,
  extra: Omit<Partial<Field>, 'x-ui'> & { 'x-ui'?: Partial<FieldUi> } = {},
  help?: Texts,
): Field => ({
  title,
  type: 'string',
  maxLength: 200,
  ...extra,
  'x-ui': { widget, order, titleEn, ...(help && { help: help[0], helpEn: help[1] }), ...extra['x-ui'] },
});

const PHONE = { pattern: '^1[3-9]\\d{9}$' };
const PERSON_FIELDS: Record<string, Field> = {
  applicantName: field(['申请人姓名', 'Applicant’s name'], 10, 'input'),
  idNumber: field(
    ['公民身份号码', 'Resident ID number'],
    20,
    'identifier',
    { 'x-ui': { identifier: 'residentId' } },
    ['18位居民身份证号码', 'The 18-character resident ID number'],
  ),
  phone: field(['手机号码', 'Mobile number'], 30, 'phone', PHONE, [
    '用于接收办理进度短信',
    'Progress is sent to it by SMS',
  ]),
  address: field(['联系地址', 'Address'], 40, 'input'),
};
const ENTERPRISE_FIELDS: Record<string, Field> = {
  enterpriseName: field(['单位名称', 'Organisation name'], 10, 'input'),
  creditCode: field(['统一社会信用代码', 'Unified social credit code'], 20, 'identifier', {
    'x-ui': { identifier: 'uscc' },
  }),
  legalRepresentative: field(['法定代表人', 'Legal representative'], 30, 'input'),
  contactName: field(['经办人姓名', 'Contact person'], 40, 'input'),
  contactPhone: field(['经办人手机号码', 'Contact person’s mobile number'], 50, 'phone', PHONE),
};

/** The default form of an item: the applicant's particulars for its audience, and a note. */
export function defaultForm(name: string, audience: Audience[]): FormSchema {
  const both = audience.length > 1;
  const properties: Record<string, Field> = {};
  const required: string[] = [];
  if (both) {
    properties.applicantType = field(['申请人类型', 'Applicant type'], 1, 'radio', {
      enum: ['natural_person', 'legal_person'],
      'x-ui': { enumNames: ['个人', '单位'], enumNamesEn: ['Person', 'Organisation'] },
    });
    required.push('applicantType');
  }
  if (audience.includes('natural_person')) Object.assign(properties, PERSON_FIELDS);
  if (audience.includes('legal_person')) {
    for (const [key, value] of Object.entries(ENTERPRISE_FIELDS)) {
      // With both audiences the enterprise block follows the personal one.
      properties[key] = both
        ? { ...value, 'x-ui': { ...value['x-ui'], order: value['x-ui'].order + 100 } }
        : value;
    }
  }
  properties.remarks = field(['申请说明', 'Remarks'], 900, 'textarea', { maxLength: 2000 }, [
    '需要说明的其他情况（选填）',
    'Anything else to explain (optional)',
  ]);
  const personRequired = ['applicantName', 'idNumber', 'phone'];
  const enterpriseRequired = ['enterpriseName', 'creditCode', 'contactName', 'contactPhone'];
  const schema: FormSchema = {
    type: 'object',
    title: name,
    properties,
    required,
    additionalProperties: false,
  };
  if (both) {
    schema.allOf = [
      {
        if: { properties: { applicantType: { const: 'natural_person' } } },
        then: { required: personRequired },
        else: { required: enterpriseRequired },
      },
    ];
  } else {
    required.push(...(audience[0] === 'legal_person' ? enterpriseRequired : personRequired));
  }
  return schema;
}

export interface BundlePart {
  code: string;
  name: string;
  formSchema: FormSchema;
  materials: Material[];
}

export interface MergedMaterial extends Material {
  /** Codes of the items that need it. */
  items: string[];
}

/**
 * One form and one de-duplicated materials list for a bundle (一件事): a field or a
 * material that several items ask for is asked for once.
 */
export function mergeBundle(
  name: string,
  parts: BundlePart[],
): { formSchema: FormSchema; materials: MergedMaterial[] } {
  const properties: Record<string, unknown> = {};
  const required = new Set<string>();
  const allOf: unknown[] = [];
  for (const part of parts) {
    for (const [key, value] of Object.entries(part.formSchema.properties)) properties[key] ??= value;
    for (const key of part.formSchema.required ?? []) required.add(key);
    if (Array.isArray(part.formSchema.allOf)) {
      for (const rule of part.formSchema.allOf) {
        if (!allOf.some((r) => JSON.stringify(r) === JSON.stringify(rule))) allOf.push(rule);
      }
    }
  }
  const materials = new Map<string, MergedMaterial>();
  for (const part of parts) {
    for (const m of part.materials) {
      const key = normaliseMaterialName(m.name);
      const seen = materials.get(key);
      if (!seen) {
        materials.set(key, { ...m, items: [part.code] });
        continue;
      }
      seen.items.push(part.code);
      seen.copies = Math.max(seen.copies, m.copies);
      seen.required ||= m.required;
      // Tolerated (容缺) only if every item tolerates it; shareable if any body issues it.
      seen.tolerated &&= m.tolerated;
      if (m.source === 'government') seen.source = 'government';
    }
  }
  const formSchema: FormSchema = {
    type: 'object',
    title: name,
    properties,
    required: [...required],
    additionalProperties: false,
    ...(allOf.length > 0 && { allOf }),
  };
  return { formSchema, materials: [...materials.values()] };
}

/** Material names differ in punctuation and wording of copies; compare their core. */
export function normaliseMaterialName(name: string): string {
  return name
    .replace(/[（(][^）)]*[）)]/g, '')
    .replace(/\s+|[，,。.；;：:、]/g, '')
    .replace(/(原件|复印件|原件及复印件)$/, '');
}
