import type { Database } from '../kernel/db.ts';
import { itemVersion, publishItem, saveItemDraft, type ItemElements } from '../modules/catalog/index.ts';
import { holderIndexOfIdentifier, issueLicences, type LicensesDeps } from '../modules/licenses/index.ts';

const DEMO_CITY = '329900000000';

/**
 * The demo's licensing example, what a visitor of `npm start` (and the browser journey)
 * follows from application to licence: 食品经营许可(新办) gets version 2 with its own
 * application form (the shop and its premises on top of the applicant's particulars) and
 * a process where the district's 市场监督管理局 leads and 住房和城乡建设局 reviews the
 * premises in parallel (并联审批), then the decision, the certificate (the e-licence
 * 食品经营许可证 is issued at 制证) and delivery. Idempotent: done once per database.
 */
export const DEMO_LICENSING_ITEM = '食品经营许可(新办)';

/** Named as the face fields of 食品经营许可证 read them (form.premises …), so the licence prints them. */
const SHOP_FIELDS = {
  shopName: {
    type: 'string',
    title: '经营场所名称',
    minLength: 2,
    maxLength: 60,
    'x-ui': {
      widget: 'input',
      order: 300,
      titleEn: 'Shop name',
      help: '门头招牌上的名称',
      helpEn: 'The name on the shop sign',
    },
  },
  premises: {
    type: 'string',
    title: '经营场所',
    minLength: 5,
    maxLength: 200,
    'x-ui': {
      widget: 'input',
      order: 310,
      titleEn: 'Premises',
      help: '经营场所的详细地址',
      helpEn: 'The full address of the premises',
    },
  },
  businessType: {
    type: 'string',
    title: '主体业态',
    enum: ['餐饮服务经营者', '食品销售经营者', '单位食堂'],
    'x-ui': {
      widget: 'select',
      order: 320,
      titleEn: 'Type of business',
      enumNamesEn: ['Catering', 'Food retail', 'Canteen'],
    },
  },
  businessScope: {
    type: 'string',
    title: '经营项目',
    minLength: 2,
    maxLength: 200,
    'x-ui': {
      widget: 'input',
      order: 330,
      titleEn: 'Business scope',
      help: '如：热食类食品制售、冷食类食品制售',
      helpEn: 'E.g. hot meals, cold dishes',
    },
  },
  floorArea: {
    type: 'number',
    title: '经营场所面积（平方米）',
    minimum: 1,
    maximum: 100000,
    'x-ui': { widget: 'number', order: 340, titleEn: 'Floor area (m²)' },
  },
};

/**
 * Within the item's own limits (a process must keep them): after acceptance, the parallel
 * review takes what the decision and the certificate (a day each) leave of the promised
 * days, and delivery happens on the day of the certificate.
 */
function parallelProcess(legal: number, promised: number) {
  const review = Math.max(1, promised - 2);
  return {
    legalLimitDays: Math.max(legal, promised),
    promisedLimitDays: promised,
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
        limitDays: review,
        join: 'all',
        branches: [
          {
            code: 'market',
            name: '食品安全审查',
            department: '市场监督管理局',
            role: 'approver',
            limitDays: review,
          },
          {
            code: 'housing',
            name: '经营场所审查',
            department: '住房和城乡建设局',
            role: 'approver',
            limitDays: review,
          },
        ],
      },
      {
        code: 'decision',
        name: '决定',
        kind: 'decision',
        role: 'department_head',
        department: 'lead',
        limitDays: 1,
      },
      {
        code: 'certificate',
        name: '制证',
        kind: 'certificate',
        role: 'approver',
        department: 'lead',
        limitDays: 1,
      },
      {
        code: 'delivery',
        name: '送达',
        kind: 'delivery',
        role: 'window_clerk',
        department: 'lead',
        limitDays: 0,
      },
    ],
  };
}

/** Returns the item's code, or null when the catalog has no such item. */
export async function seedDemoLicensing(db: Database): Promise<string | null> {
  const [row] = await db.query<{ code: string }>(
    `select i.code from catalog_item i join catalog_item_version v on v.item_id = i.id and v.status = 'published'
      where v.name = $1`,
    [DEMO_LICENSING_ITEM],
  );
  if (!row) return null;
  const published = await itemVersion(db, row.code, 'published');
  if (published.workflow) return row.code;
  const { formSchema } = published;
  // The draft takes the elements it knows from the version (as a catalog import does).
  const elements: ItemElements = {
    ...published,
    formSchema: {
      ...formSchema,
      properties: { ...formSchema.properties, ...SHOP_FIELDS },
      required: [...(formSchema.required ?? []), 'shopName', 'premises', 'businessType', 'businessScope'],
    } as ItemElements['formSchema'],
    workflow: parallelProcess(published.legalLimitDays, published.promisedLimitDays),
  };
  const actor = { actor: 'system:seed' };
  await saveItemDraft(db, row.code, elements, actor);
  await publishItem(db, row.code, actor);
  return row.code;
}

/**
 * The demo enterprise's 营业执照 in its licence wallet, as a migrated paper licence (issued
 * on the day the enterprise was established), so that an application for the licensing
 * example fills its 营业执照 material from the wallet. Idempotent: issued once.
 */
export async function issueDemoBusinessLicence(deps: LicensesDeps, uscc: string): Promise<string | null> {
  const [enterprise] = await deps.db.query<{
    name: string;
    legal_representative_name: string;
    established_on: string;
  }>(
    `select name, legal_representative_name, established_on::text from registry_enterprise where uscc = $1`,
    [uscc],
  );
  const [issuer] = await deps.db.query<{ id: number }>(
    `select id from organisation where kind = 'department' and short_name = '市场监督管理局' and region_code = $1`,
    [DEMO_CITY],
  );
  if (!enterprise || !issuer) return null;
  const [held] = await deps.db.query<{ id: string }>(
    `select l.id from licence l join licence_type t on t.code = l.type_code
      where t.name = '营业执照' and l.holder_index = $1 limit 1`,
    [holderIndexOfIdentifier(deps, uscc)],
  );
  if (held) return held.id;
  const [issued] = await issueLicences(
    deps,
    [
      {
        type: '营业执照',
        organisationId: Number(issuer.id),
        holder: { kind: 'enterprise', name: enterprise.name, identifier: uscc },
        face: {
          name: enterprise.name,
          creditCode: uscc,
          legalRepresentative: enterprise.legal_representative_name,
          businessScope: '餐饮服务；食品销售；日用百货零售',
        },
        issueDate: enterprise.established_on,
        validFrom: enterprise.established_on,
      },
    ],
    'system:seed',
  );
  return issued!.id;
}
