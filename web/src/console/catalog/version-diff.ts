import type { FieldSchema, FormSchema } from '../../shared/schema-form/rules.ts';
import { fieldsOf as designedFields } from './form-fields.ts';
import type { CatalogKey } from './messages.ts';
import type { ItemElements, Material } from './types.ts';

/**
 * What changed between two versions of an item, element by element: plain elements as
 * before/after, materials by name and form fields by key as added, removed or changed.
 */

export type ChangeKind = 'added' | 'removed' | 'changed';

export type Change =
  | { on: 'element'; element: keyof ItemElements; kind: ChangeKind; before: unknown; after: unknown }
  | { on: 'material'; name: string; kind: ChangeKind; before?: Material; after?: Material }
  | {
      on: 'field';
      key: string;
      kind: ChangeKind;
      before?: FieldSchema & { required: boolean };
      after?: FieldSchema & { required: boolean };
    }
  | { on: 'order'; kind: 'changed'; before: string[]; after: string[] }
  | { on: 'form'; kind: 'changed'; before: unknown; after: unknown };

/** The elements compared as a whole, in the order the editor shows them, with their labels. */
export const ELEMENT_KEYS: [keyof ItemElements, CatalogKey][] = [
  ['name', 'fieldName'],
  ['subSituation', 'fieldSubSituation'],
  ['typeCode', 'fieldTypeCode'],
  ['department', 'fieldDepartment'],
  ['audience', 'fieldAudience'],
  ['handlingType', 'fieldHandlingType'],
  ['legalLimitDays', 'fieldLegalLimit'],
  ['promisedLimitDays', 'fieldPromisedLimit'],
  ['visits', 'fieldVisits'],
  ['onlineDepth', 'fieldOnlineDepth'],
  ['fee', 'fieldFeeStandard'],
  ['legalBasis', 'fieldLegalBasis'],
  ['lifeEvents', 'fieldLifeEvents'],
  ['keywords', 'fieldKeywords'],
  ['resultLicence', 'fieldResultLicence'],
  ['process', 'tabProcess'],
  ['specialProcedures', 'specialProcedures'],
];

/** Equal as data: the same JSON with object keys in any order. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object')
    return (a ?? null) === (b ?? null);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

function byKey<T>(
  before: Map<string, T>,
  after: Map<string, T>,
  change: (key: string, kind: ChangeKind, b?: T, a?: T) => Change,
): Change[] {
  const changes: Change[] = [];
  for (const [key, b] of before) {
    const a = after.get(key);
    if (a === undefined) changes.push(change(key, 'removed', b));
    else if (!same(a, b)) changes.push(change(key, 'changed', b, a));
  }
  for (const [key, a] of after) if (!before.has(key)) changes.push(change(key, 'added', undefined, a));
  return changes;
}

/** The fields by key, with whether each is required; their display order is compared apart. */
const fieldsOf = (form: FormSchema | undefined) => {
  const required = new Set(form?.required ?? []);
  return new Map(
    Object.entries(form?.properties ?? {}).map(([key, field]) => {
      const { order: _order, ...ui } = field['x-ui'] ?? {};
      return [key, { ...field, 'x-ui': ui, required: required.has(key) }];
    }),
  );
};

/** The labels of the fields both versions have, in each one's display order. */
function sharedOrder(before: FormSchema | undefined, after: FormSchema | undefined): [string[], string[]] {
  const inBoth = (key: string) => key in (before?.properties ?? {}) && key in (after?.properties ?? {});
  const labels = (form: FormSchema | undefined) =>
    designedFields(form ?? {})
      .filter(({ key }) => inBoth(key))
      .map(({ key, schema }) => schema.title ?? key);
  return [labels(before), labels(after)];
}

/** The changes from `before` to `after`; none when they are the same. */
export function diffVersions(before: ItemElements, after: ItemElements): Change[] {
  const changes: Change[] = [];
  for (const [element] of ELEMENT_KEYS) {
    if (!same(before[element], after[element]))
      changes.push({
        on: 'element',
        element,
        kind: 'changed',
        before: before[element],
        after: after[element],
      });
  }
  changes.push(
    ...byKey(
      new Map(before.materials.map((m) => [m.name, m])),
      new Map(after.materials.map((m) => [m.name, m])),
      (name, kind, b, a) => ({ on: 'material', name, kind, ...(b && { before: b }), ...(a && { after: a }) }),
    ),
  );
  const formBefore = before.formSchema as FormSchema | undefined;
  const formAfter = after.formSchema as FormSchema | undefined;
  changes.push(
    ...byKey(fieldsOf(formBefore), fieldsOf(formAfter), (key, kind, b, a) => ({
      on: 'field',
      key,
      kind,
      ...(b && { before: b }),
      ...(a && { after: a }),
    })),
  );
  const [orderBefore, orderAfter] = sharedOrder(formBefore, formAfter);
  if (!same(orderBefore, orderAfter))
    changes.push({ on: 'order', kind: 'changed', before: orderBefore, after: orderAfter });
  // The rest of the form: its title, cross-field rules (allOf) and the like.
  const rest = (form: FormSchema | undefined) => {
    const { properties: _p, required: _r, ...others } = form ?? {};
    return others;
  };
  if (!same(rest(formBefore), rest(formAfter)))
    changes.push({ on: 'form', kind: 'changed', before: rest(formBefore), after: rest(formAfter) });
  return changes;
}
