import { describe, expect, it } from 'vitest';
import {
  FIELD_KINDS,
  changeKind,
  fieldsOf,
  kindOf,
  newField,
  withFields,
} from '../../../web/src/console/catalog/form-fields.ts';
import { diffVersions } from '../../../web/src/console/catalog/version-diff.ts';
import type { ItemElements } from '../../../web/src/console/catalog/types.ts';
import type { FormSchema as WebFormSchema } from '../../../web/src/shared/schema-form/rules.ts';
import { validateFormData } from '../applications/form-data.ts';
import { compileForm, defaultForm } from './form.ts';

/**
 * The console's form designer (web/src/console/catalog) against the server: it knows every
 * field of the server's default forms, the forms it makes compile and validate as meant,
 * and the version diff names what changed.
 */

const serverForm = (audience: ('natural_person' | 'legal_person')[]) =>
  defaultForm('测试事项', audience) as unknown as WebFormSchema;
const errorsOf = (form: WebFormSchema, data: object) =>
  validateFormData(form as never, data).map((e) => `${e.field}:${e.rule}`);

describe('form designer', () => {
  it('edits every field of the default forms as a kind it knows (nothing falls back to raw JSON)', () => {
    for (const audience of [
      ['natural_person'],
      ['legal_person'],
      ['natural_person', 'legal_person'],
    ] as const) {
      const fields = fieldsOf(serverForm([...audience]));
      expect(fields.map((f) => kindOf(f.schema)).filter((k) => k === 'other')).toEqual([]);
    }
    const person = Object.fromEntries(
      fieldsOf(serverForm(['natural_person'])).map((f) => [f.key, kindOf(f.schema)]),
    );
    expect(person).toMatchObject({ idNumber: 'residentId', phone: 'phone', remarks: 'textarea' });
  });

  it('makes fields of every kind that the server compiles, checks and round-trips', () => {
    const base = serverForm(['natural_person']);
    const added = FIELD_KINDS.map((kind) => newField(`${kind}Field`, kind, `字段${kind}`));
    const form = withFields(base, [...fieldsOf(base), ...added.map((f) => ({ ...f, required: true }))]);
    expect(compileForm(form as never)).toEqual({ ok: true });
    for (const field of added)
      expect(kindOf(form.properties![field.key]!)).toBe(field.key.replace('Field', ''));
    const valid = {
      applicantName: '张三',
      idNumber: '11010519491231002X',
      phone: '13800000000',
      textField: '文字',
      textareaField: '多行',
      numberField: 3,
      dateField: '2026-12-06',
      selectField: '选项一',
      radioField: '选项二',
      checkboxField: true,
      residentIdField: '11010519491231002X',
      phoneField: '13900000000',
      usccField: '91350100M000100Y43',
    };
    expect(errorsOf(form, valid)).toEqual([]);
    expect(
      errorsOf(form, {
        ...valid,
        dateField: '2026-02-30',
        phoneField: '123',
        residentIdField: '110105194912310021',
      }),
    ).toEqual(
      expect.arrayContaining([
        'form.dateField:format',
        'form.phoneField:pattern',
        'form.residentIdField:checkDigit',
      ]),
    );
    const { textField: _missing, ...withoutText } = valid;
    expect(errorsOf(form, withoutText)).toEqual(['form.textField:required']);
  });

  it('keeps the order numbers of fields that did not move, and the rules it does not edit', () => {
    const base = serverForm(['natural_person', 'legal_person']);
    const fields = fieldsOf(base);
    const appended = withFields(base, [...fields, newField('extra', 'date', '日期')]);
    for (const f of fields) expect(appended.properties![f.key]!['x-ui']?.order).toBe(f.schema['x-ui']?.order);
    expect(appended.allOf).toEqual(base.allOf);
    expect(appended.required).toEqual(base.required);
    // Moving the last field first renumbers only what is out of place.
    const moved = withFields(base, [fields.at(-1)!, ...fields.slice(0, -1)]);
    expect(fieldsOf(moved).map((f) => f.key)).toEqual([
      fields.at(-1)!.key,
      ...fields.slice(0, -1).map((f) => f.key),
    ]);
    // A changed kind keeps the label and drops the old kind's rules.
    const phone = changeKind(
      { ...newField('x', 'select', '类别').schema, 'x-ui': { help: '说明' } },
      'phone',
    );
    expect(phone).toMatchObject({
      title: '类别',
      pattern: expect.any(String),
      'x-ui': { widget: 'phone', help: '说明' },
    });
    expect(phone.enum).toBeUndefined();
  });

  it('names what changed between two versions: elements, materials, fields and their order', () => {
    const form = serverForm(['natural_person']);
    const before = {
      name: '测试事项',
      promisedLimitDays: 5,
      materials: [
        { name: '申请书', source: 'applicant', form: 'either', copies: 1, required: true, tolerated: false },
        { name: '照片', source: 'applicant', form: 'either', copies: 2, required: true, tolerated: false },
      ],
      formSchema: form,
    } as unknown as ItemElements;
    const fields = fieldsOf(form);
    const after = {
      ...before,
      promisedLimitDays: 3,
      materials: [
        { ...before.materials[0]!, copies: 2 },
        { ...before.materials[0]!, name: '户口簿' },
      ],
      formSchema: withFields(form, [...fields.slice(1), fields[0]!, newField('extra', 'text', '补充')]),
    } as unknown as ItemElements;
    const changes = diffVersions(before, after).map((c) =>
      c.on === 'element'
        ? `${c.element}:${c.kind}`
        : c.on === 'material'
          ? `material ${c.name}:${c.kind}`
          : c.on === 'field'
            ? `field ${c.key}:${c.kind}`
            : `${c.on}:${c.kind}`,
    );
    expect(changes).toEqual([
      'promisedLimitDays:changed',
      'material 申请书:changed',
      'material 照片:removed',
      'material 户口簿:added',
      'field extra:added',
      'order:changed',
    ]);
    expect(diffVersions(before, before)).toEqual([]);
  });
});
