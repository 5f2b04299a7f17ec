import { maskIdNumber } from '../../kernel/crypto.ts';
import { defineMessages, text } from '../../kernel/i18n.ts';
import type { ChecklistEntry, Registry } from './model.ts';
import type { CatalogMaterial } from './offers.ts';
import type { MaterialRecord, StoredMaterial } from './queries.ts';

/**
 * The materials checklist of an application and the 免提交 table: which government
 * materials the platform fills from which base registry instead of asking for a file.
 */

/**
 * Materials the platform holds, as data: a government material (可共享) whose name contains
 * `contains` is filled from `registry`, keyed by the applicant's verified ID number
 * (population) or the acting enterprise's credit code (legal_entity). First match wins.
 */
export const REGISTRY_MATERIALS: readonly { contains: string; registry: Registry }[] = [
  { contains: '居民身份证', registry: 'population' },
  { contains: '户口簿', registry: 'population' },
  { contains: '营业执照', registry: 'legal_entity' },
];

/**
 * Words that make a population material someone else's (父亲居民身份证, 死者居民身份证,
 * 父母户口簿 ...): the applicant's own record must not stand in for it, so it is supplied.
 */
export const OTHER_PERSON_MARKERS: readonly string[] = [
  '父',
  '母',
  '配偶',
  '子女',
  '死者',
  '监护人',
  '双方',
  '对方',
  '新生儿',
];

/** The registry that holds a material for this applicant, or null. Only government materials are filled. */
export function registryFor(material: Pick<CatalogMaterial, 'name' | 'source'>): Registry | null {
  if (material.source !== 'government') return null;
  const registry = REGISTRY_MATERIALS.find((m) => material.name.includes(m.contains))?.registry ?? null;
  if (registry === 'population' && OTHER_PERSON_MARKERS.some((w) => material.name.includes(w))) return null;
  return registry;
}

defineMessages({
  'applications.material.notHeld': {
    zh: '该材料由政府部门核发，平台暂未共享，请上传',
    en: 'issued by a government body but not yet shared with the platform: upload it',
  },
  'applications.material.fillable': {
    zh: '可从{registry}获取，免于提交；未能获取时请上传',
    en: 'can be filled from the {registryEn} (免提交); upload it if that fails',
  },
  'applications.material.tolerated': {
    zh: '容缺：可先提交申请，后补此材料',
    en: 'tolerated (容缺): may be supplied after submission',
  },
});

const REGISTRY_NAMES: Record<Registry, { zh: string; en: string }> = {
  population: { zh: '人口库', en: 'population registry' },
  legal_entity: { zh: '法人库', en: 'legal-entity registry' },
};

/** One catalog material of an application, merged over the parts that need it (材料共享). */
export interface NeededMaterial extends CatalogMaterial {
  items: string[];
  parts: number[];
}

/**
 * The materials the parts need, one per name in order of first appearance: required when
 * any part requires it, tolerated (容缺) only when every part requiring it tolerates it, a
 * government material when any part lists it as one.
 */
export function neededMaterials(
  parts: { part: number; itemCode: string; materials: CatalogMaterial[] }[],
): NeededMaterial[] {
  const byName = new Map<string, NeededMaterial>();
  for (const part of parts) {
    for (const m of part.materials) {
      const seen = byName.get(m.name);
      if (!seen) {
        byName.set(m.name, { ...m, items: [part.itemCode], parts: [part.part] });
        continue;
      }
      if (!seen.items.includes(part.itemCode)) seen.items.push(part.itemCode);
      seen.parts.push(part.part);
      if (m.source === 'government') seen.source = 'government';
      if (m.required) {
        seen.tolerated = seen.required ? seen.tolerated && m.tolerated : m.tolerated;
        seen.required = true;
      }
    }
  }
  return [...byName.values()];
}

/** `registry` of a record filled from a licence the applicant holds (证照夹), not from a base registry. */
export const LICENCE_RECORD = 'licence';

/**
 * The licence type a government material may be filled from: a material named exactly as
 * a licence type (营业执照, 结婚证) is read from the applicant's wallet when they hold one.
 */
export function licenceTypeFor(material: Pick<CatalogMaterial, 'name' | 'source'>): string | null {
  return material.source === 'government' ? material.name : null;
}

/** A record as the applicant sees it: ID numbers masked (a licence's face too: 公民身份号码, 配偶身份证件号). */
export function recordView(record: MaterialRecord): MaterialRecord {
  if (record.registry === LICENCE_RECORD) {
    const masked = Object.entries(record.data).map(([k, v]) => [
      k,
      typeof v === 'string' && /idnumber$/i.test(k) ? maskIdNumber(v) : v,
    ]);
    return { ...record, data: Object.fromEntries(masked) as Record<string, unknown> };
  }
  if (record.registry !== 'population') return record;
  const data = { ...record.data };
  if (typeof data.idNumber === 'string') data.idNumber = maskIdNumber(data.idNumber);
  return { ...record, key: maskIdNumber(record.key), data };
}

/** The checklist: every needed material, whether and how it is provided, which are 免提交. */
export function checklist(needed: NeededMaterial[], provided: StoredMaterial[]): ChecklistEntry[] {
  const byName = new Map(provided.map((m) => [m.name, m]));
  return needed.map((m) => {
    const stored = byName.get(m.name);
    const registry = registryFor(m);
    let note: { zh: string; en: string } | null = null;
    if (!stored && m.source === 'government') {
      note = registry
        ? text('applications.material.fillable', {
            registry: REGISTRY_NAMES[registry].zh,
            registryEn: REGISTRY_NAMES[registry].en,
          })
        : text('applications.material.notHeld');
    } else if (!stored && m.required && m.tolerated) {
      note = text('applications.material.tolerated');
    }
    return {
      name: m.name,
      source: m.source,
      required: m.required,
      tolerated: m.tolerated,
      items: m.items,
      status: stored ? 'provided' : 'to_be_supplied',
      exempt: !!stored && (stored.source === 'registry' || stored.source === 'licence'),
      registry,
      note: note?.zh ?? null,
      noteEn: note?.en ?? null,
      provided: stored
        ? {
            source: stored.source,
            addedAt: stored.addedAt.toISOString(),
            file: stored.file && stored.uploadId ? { uploadId: stored.uploadId, ...stored.file } : null,
            record: stored.record ? recordView(stored.record) : null,
          }
        : null,
    };
  });
}
