import { validateProcess } from '../cases/index.ts';
import { textFieldError, type FieldError } from '../../kernel/errors.ts';
import { defineMessages, text } from '../../kernel/i18n.ts';
import { compileForm } from './form.ts';
import { ALL_LIFE_EVENTS, EntryElements, INHERITED_ELEMENTS, type ItemElements } from './model.ts';

defineMessages({
  'catalog.rule.promisedWithinLegal': {
    zh: '承诺办结时限不能超过法定办结时限（{legal}个工作日）',
    en: 'the promised limit may not exceed the legal limit ({legal} working days)',
  },
  'catalog.rule.immediateNoLimit': {
    zh: '即办件的承诺时限应为0',
    en: 'an on-the-spot item (即办件) has a promised limit of 0',
  },
  'catalog.rule.promisedLimitRequired': {
    zh: '承诺件须填写大于0的承诺办结时限',
    en: 'an item handled within a promised time (承诺件) needs a promised limit above 0',
  },
  'catalog.rule.lifeEvent': { zh: '未知的生命周期事件：{value}', en: 'unknown life event: {value}' },
  'catalog.rule.duplicateMaterial': { zh: '材料名称重复：{value}', en: 'duplicate material: {value}' },
  'catalog.rule.workflowLimit': {
    zh: '办理流程的时限须与事项时限一致（{days}个工作日）',
    en: 'the process limit must equal the item limit ({days} working days)',
  },
  'catalog.rule.feeStandard': { zh: '收费事项须填写收费标准', en: 'a charged item needs its fee standard' },
  'catalog.rule.jsonSchema': {
    zh: '表单不是有效的JSON Schema：{reason}',
    en: 'the form is not a valid JSON Schema: {reason}',
  },
  'catalog.rule.publishedItem': {
    zh: '事项{code}不存在或未发布',
    en: 'item {code} does not exist or is not published',
  },
  'catalog.rule.knownItem': { zh: '没有编码为{code}的事项', en: 'no item has the code {code}' },
  'catalog.rule.knownRegion': { zh: '没有区划代码为{code}的地区', en: 'no region has the code {code}' },
  'catalog.rule.file': { zh: '请上传CSV或XLSX文件', en: 'send a CSV or XLSX file as the body' },
  'catalog.rule.basicCode': {
    zh: '基本编码应为6至20位数字或大写字母',
    en: 'a basic code is 6 to 20 digits or capital letters',
  },
  'catalog.rule.inherited': {
    zh: '该要素继承自基本目录，实施清单不能修改（三级四同）',
    en: 'inherited from the basic item; an implementation entry cannot change it (三级四同)',
  },
});

/** A field error whose texts are the catalog message `catalog.rule.{key}` (default: the rule). */
export function ruleError(
  field: string,
  rule: string,
  params: Record<string, string | number> = {},
  key = rule,
): FieldError {
  return textFieldError(field, rule, `catalog.rule.${key}`, params);
}

/** Rules across fields that a JSON schema cannot say; shared by the API and the importer. */
export function checkItemElements(e: ItemElements): FieldError[] {
  const errors: FieldError[] = [];
  errors.push(...checkLimits(e.handlingType, e.legalLimitDays, e.promisedLimitDays));
  e.lifeEvents.forEach((value, i) => {
    if (!ALL_LIFE_EVENTS.includes(value)) errors.push(ruleError(`lifeEvents[${i}]`, 'lifeEvent', { value }));
  });
  errors.push(...checkMaterials(e.materials, 'materials'));
  if (e.fee.charged && !e.fee.standard?.trim()) errors.push(ruleError('fee.standard', 'feeStandard'));
  if (e.formSchema) {
    const compiled = compileForm(e.formSchema);
    if (!compiled.ok) errors.push(ruleError('formSchema', 'jsonSchema', { reason: compiled.reason }));
  }
  if (e.workflow) errors.push(...checkWorkflow(e));
  return errors;
}

/** Local elements of an entry against the basic item they refine. */
export function checkEntryElements(
  e: EntryElements & Record<string, unknown>,
  item: ItemElements,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(e)) {
    if (INHERITED_ELEMENTS.includes(key)) errors.push(ruleError(key, 'inherited'));
    else if (!(key in EntryElements.properties)) {
      const t = text('rule.additionalProperties');
      errors.push({ field: key, rule: 'additionalProperties', message: t.zh, messageEn: t.en });
    }
  }
  const handling = e.handlingType ?? item.handlingType;
  errors.push(...checkLimits(handling, item.legalLimitDays, e.promisedLimitDays ?? item.promisedLimitDays));
  if (e.materials) errors.push(...checkMaterials(e.materials, 'materials'));
  if (e.fee?.charged && !e.fee.standard?.trim()) errors.push(ruleError('fee.standard', 'feeStandard'));
  return errors;
}

function checkLimits(handling: string, legal: number, promised: number): FieldError[] {
  if (handling === 'immediate' && promised !== 0) return [ruleError('promisedLimitDays', 'immediateNoLimit')];
  if (handling === 'promised' && promised < 1)
    return [ruleError('promisedLimitDays', 'promisedLimitRequired')];
  if (legal > 0 && promised > legal)
    return [ruleError('promisedLimitDays', 'promisedWithinLegal', { legal })];
  return [];
}

function checkMaterials(materials: { name: string }[], field: string): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  materials.forEach((m, i) => {
    const key = m.name.trim();
    if (seen.has(key)) errors.push(ruleError(`${field}[${i}].name`, 'duplicateMaterial', { value: key }));
    seen.add(key);
  });
  return errors;
}

/** The process definition (cases module rules), whose limits must be the item's own. */
function checkWorkflow(e: ItemElements): FieldError[] {
  const result = validateProcess(e.workflow, 'workflow');
  if (!result.ok) return result.errors;
  const errors: FieldError[] = [];
  const legal = Math.max(e.legalLimitDays, e.promisedLimitDays);
  if (result.process.legalLimitDays !== legal)
    errors.push(ruleError('workflow.legalLimitDays', 'workflowLimit', { days: legal }));
  if (result.process.promisedLimitDays !== e.promisedLimitDays)
    errors.push(ruleError('workflow.promisedLimitDays', 'workflowLimit', { days: e.promisedLimitDays }));
  return errors;
}
