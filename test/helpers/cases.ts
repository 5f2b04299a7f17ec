import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/kernel/db.ts';
import { createEntry, createItem, publishItem } from '../../src/modules/catalog/index.ts';
import { transitionEntry } from '../../src/modules/catalog/service.ts';
import { nextApplicationNumber } from '../../src/modules/applications/index.ts';
import {
  caseCalendar,
  openCases,
  type CaseMaterial,
  type ProcessInput,
} from '../../src/modules/cases/index.ts';
import type { ItemElements } from '../../src/modules/catalog/index.ts';

/**
 * A licensing item handled in parallel (并联审批) by two departments of a district, published
 * with an implementation entry: what the case tests and benchmarks file cases against.
 */
export interface ParallelItem {
  itemCode: string;
  itemVersionId: number;
  entryId: number;
  regionCode: string;
  lead: { id: number; name: string };
  branches: { code: string; organisationId: number }[];
}

const actor = { actor: 'test' };

/** Two departments of one region (after the demo seed): the lead and another. */
export async function twoDepartments(db: Database) {
  const rows = await db.query<{
    id: number;
    name: string;
    short_name: string;
    uscc: string;
    region_code: string;
  }>(
    `select o.id, o.name, o.short_name, o.uscc, o.region_code from organisation o
      where o.kind = 'department' and o.short_name in ('市场监督管理局', '住房和城乡建设局')
        and o.region_code in (select region_code from organisation where kind = 'department'
                               group by region_code having count(*) filter (where short_name in ('市场监督管理局', '住房和城乡建设局')) = 2)
      order by o.region_code, o.short_name limit 2`,
  );
  if (rows.length !== 2) throw new Error('the demo seed has no region with both departments');
  const region = await db.query<{ full_name: string }>('select full_name from region where code = $1', [
    rows[0]!.region_code,
  ]);
  return { rows, regionName: region[0]!.full_name };
}

export function parallelWorkflow(limits = { legal: 20, promised: 10 }): ProcessInput {
  return {
    legalLimitDays: limits.legal,
    promisedLimitDays: limits.promised,
    stages: [
      {
        code: 'accept',
        name: '受理',
        kind: 'accept',
        role: 'window_clerk',
        department: 'lead',
        limitDays: 1,
      },
      {
        code: 'review',
        name: '并联审查',
        kind: 'review',
        role: 'approver',
        department: 'lead',
        limitDays: 5,
        join: 'all',
        branches: [
          {
            code: 'market',
            name: '市场监管审查',
            department: '市场监督管理局',
            role: 'approver',
            limitDays: 5,
          },
          {
            code: 'housing',
            name: '住建审查',
            department: '住房和城乡建设局',
            role: 'approver',
            limitDays: 4,
          },
        ],
      },
      {
        code: 'decision',
        name: '决定',
        kind: 'decision',
        role: 'department_head',
        department: 'lead',
        limitDays: 2,
      },
    ],
  };
}

/** The elements of a licensing item with the parallel workflow (营业执照 from the registry, 申请书 uploaded). */
export function itemElements(
  options: {
    audience?: ('natural_person' | 'legal_person')[];
    limits?: { legal: number; promised: number };
    resultLicence?: string | null;
  } = {},
): ItemElements {
  const limits = options.limits ?? { legal: 20, promised: 10 };
  return {
    name: `并联审批测试许可${++sequence}${Date.now() % 100000}`,
    subSituation: '新设',
    typeCode: '01',
    department: '市场监督管理局',
    legalBasis: [{ title: '《测试条例》第一条' }],
    audience: options.audience ?? ['natural_person', 'legal_person'],
    handlingType: 'promised',
    legalLimitDays: limits.legal,
    promisedLimitDays: limits.promised,
    visits: 0,
    onlineDepth: 'IV',
    fee: { charged: false },
    materials: [
      {
        name: '营业执照',
        source: 'government',
        form: 'either',
        copies: 1,
        required: true,
        tolerated: false,
      },
      { name: '申请书', source: 'applicant', form: 'either', copies: 1, required: true, tolerated: false },
    ],
    process: [],
    specialProcedures: [],
    resultLicence: options.resultLicence ?? null,
    lifeEvents: ['准营'],
    keywords: ['测试'],
    formSchema: {
      type: 'object',
      properties: { shopName: { type: 'string', minLength: 2, title: '店名' } },
      required: ['shopName'],
    } as { type: 'object'; properties: Record<string, unknown> },
    workflow: parallelWorkflow(limits) as unknown as Record<string, unknown>,
  };
}

let sequence = 0;

/** Publishes a new item with the parallel workflow and an entry of the lead department. */
export async function publishParallelItem(
  db: Database,
  options: {
    audience?: ('natural_person' | 'legal_person')[];
    limits?: { legal: number; promised: number };
    resultLicence?: string | null;
  } = {},
): Promise<ParallelItem> {
  const { rows, regionName } = await twoDepartments(db);
  const market = rows.find((r) => r.short_name === '市场监督管理局')!;
  const housing = rows.find((r) => r.short_name === '住房和城乡建设局')!;
  const item = await createItem(db, itemElements(options), actor);
  await publishItem(db, item.code, actor);
  const entry = await createEntry(
    db,
    {
      itemCode: item.code,
      organisation: { id: market.id, name: market.name, uscc: market.uscc },
      region: { code: market.region_code, name: regionName },
    },
    {},
    actor,
  );
  await transitionEntry(db, entry.code, 'submit', actor);
  await transitionEntry(db, entry.code, 'publish', actor);
  const [version] = await db.query<{ id: number }>(
    `select v.id from catalog_item_version v join catalog_item i on i.id = v.item_id
      where i.code = $1 and v.status = 'published'`,
    [item.code],
  );
  const [entryRow] = await db.query<{ id: number }>('select id from catalog_entry where code = $1', [
    entry.code,
  ]);
  return {
    itemCode: item.code,
    itemVersionId: version!.id,
    entryId: entryRow!.id,
    regionCode: market.region_code,
    lead: { id: market.id, name: market.name },
    branches: [
      { code: 'market', organisationId: market.id },
      { code: 'housing', organisationId: housing.id },
    ],
  };
}

/** Files one case of the item for a person, as the applications module does at submission. */
export async function fileCase(
  db: Database,
  item: ParallelItem,
  applicantSub: string,
  options: { at?: Date; materials?: CaseMaterial[] } = {},
): Promise<string> {
  const at = options.at ?? new Date();
  const calendar = await caseCalendar(db);
  const opened = await db.transaction(async (tx) => {
    const number = await nextApplicationNumber(tx, item.regionCode.slice(0, 6), at);
    return openCases(
      tx,
      {
        applicationId: randomUUID(),
        applicationNumber: number,
        applicant: { sub: applicantSub, kind: 'person', name: '测试用户', enterpriseUscc: null },
        submittedBy: { actor: applicantSub },
        channel: 'online',
        submittedAt: at,
        parts: [
          {
            itemVersionId: item.itemVersionId,
            entryId: item.entryId,
            formData: { shopName: '示例小店' },
            materials: options.materials ?? [],
          },
        ],
      },
      calendar,
    );
  });
  return opened[0]!.caseId;
}
