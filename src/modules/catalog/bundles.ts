import type { Actor } from '../../kernel/audit.ts';
import { ruleError } from './validate.ts';
import { audit } from '../../kernel/audit.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import { sqlState } from '../../kernel/db.ts';
import { conflict, notFound, validationError } from '../../kernel/errors.ts';
import { mergeBundle, type MergedMaterial } from './form.ts';
import type { FormSchema } from './model.ts';
import { ITEM_VERSION_COLUMNS, toItemVersion } from './queries.ts';

/** 一件事: bundles of items applied for together, with one form and one materials list. */

export interface BundleInput {
  code: string;
  name: string;
  lifeEvent: string | null;
  audience: 'natural_person' | 'legal_person';
  description: string;
  itemCodes: string[];
}

export interface BundleSummary {
  code: string;
  name: string;
  lifeEvent: string | null;
  audience: string;
  description: string;
  items: { code: string; name: string }[];
}

export interface BundleDetail extends BundleSummary {
  formSchema: FormSchema;
  materials: MergedMaterial[];
}

/** A code that is not a published item is a 400 naming its place in the list. */
async function assertPublishedItems(tx: Queryable, itemCodes: string[]): Promise<void> {
  const items = await tx.query<{ code: string }>(
    `select i.code from catalog_item i join catalog_item_version v on v.item_id = i.id and v.status = 'published'
      where i.code = any($1::text[])`,
    [itemCodes],
  );
  const unknown = itemCodes.filter((c) => !items.some((i) => i.code === c));
  if (unknown.length > 0) {
    throw validationError(
      unknown.map((code) => ruleError(`itemCodes[${itemCodes.indexOf(code)}]`, 'publishedItem', { code })),
    );
  }
}

async function insertBundleItems(tx: Queryable, bundleId: number, itemCodes: string[]): Promise<void> {
  await tx.query(
    `insert into catalog_bundle_item (bundle_id, item_id, position)
     select $1, i.id, array_position($2::text[], i.code) from catalog_item i where i.code = any($2::text[])`,
    [bundleId, itemCodes],
  );
}

export async function createBundle(db: Database, input: BundleInput, actor: Actor): Promise<BundleDetail> {
  await db.transaction(async (tx) => {
    await assertPublishedItems(tx, input.itemCodes);
    let bundleId: number;
    try {
      const [row] = await tx.query<{ id: number }>(
        `insert into catalog_bundle (code, name, life_event, audience, description, created_by)
         values ($1, $2, $3, $4, $5, $6) returning id`,
        [input.code, input.name, input.lifeEvent, input.audience, input.description, actor.actor],
      );
      bundleId = row!.id;
    } catch (error) {
      if (sqlState(error) === '23505') throw conflict(`Bundle ${input.code} exists`);
      throw error;
    }
    await insertBundleItems(tx, bundleId, input.itemCodes);
    await audit(tx, {
      ...actor,
      action: 'catalog.bundle.create',
      entity: 'catalog_bundle',
      entityId: input.code,
      after: input,
    });
  });
  return bundleDetail(db, input.code);
}

/** Changes a bundle's texts and its items (their order is the order they are handled in). */
export async function updateBundle(
  db: Database,
  code: string,
  input: Omit<BundleInput, 'code'>,
  actor: Actor,
): Promise<BundleDetail> {
  await db.transaction(async (tx) => {
    const [bundle] = await tx.query<{ id: number }>(
      `select id from catalog_bundle where code = $1 and status = 'published' for update`,
      [code],
    );
    if (!bundle) throw notFound(`No bundle ${code}`);
    const [before] = await bundleSummaries(tx, bundle.id);
    await assertPublishedItems(tx, input.itemCodes);
    await tx.query(
      `update catalog_bundle set name = $2, life_event = $3, audience = $4, description = $5, updated_at = now()
        where id = $1`,
      [bundle.id, input.name, input.lifeEvent, input.audience, input.description],
    );
    await tx.query('delete from catalog_bundle_item where bundle_id = $1', [bundle.id]);
    await insertBundleItems(tx, bundle.id, input.itemCodes);
    await audit(tx, {
      ...actor,
      action: 'catalog.bundle.update',
      entity: 'catalog_bundle',
      entityId: code,
      before,
      after: { code, ...input },
    });
  });
  return bundleDetail(db, code);
}

export const listBundles = (db: Queryable): Promise<BundleSummary[]> => bundleSummaries(db);

/** Published bundles (or the one with `bundleId`) with their items in order. */
async function bundleSummaries(db: Queryable, bundleId?: number): Promise<BundleSummary[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select b.code, b.name, b.life_event, b.audience, b.description,
            coalesce(json_agg(json_build_object('code', i.code, 'name', v.name) order by bi.position)
              filter (where i.id is not null), '[]') as items
       from catalog_bundle b
       left join catalog_bundle_item bi on bi.bundle_id = b.id
       left join catalog_item i on i.id = bi.item_id
       left join catalog_item_version v on v.item_id = i.id and v.status = 'published'
      where b.status = 'published' ${bundleId === undefined ? '' : 'and b.id = $1'}
      group by b.id order by b.code`,
    bundleId === undefined ? [] : [bundleId],
  );
  return rows.map((r) => ({
    code: r.code as string,
    name: r.name as string,
    lifeEvent: r.life_event as string | null,
    audience: r.audience as string,
    description: r.description as string,
    items: r.items as { code: string; name: string }[],
  }));
}

export async function bundleDetail(db: Queryable, code: string): Promise<BundleDetail> {
  const [bundle] = await db.query<Record<string, unknown>>(
    `select id, code, name, life_event, audience, description from catalog_bundle where code = $1 and status = 'published'`,
    [code],
  );
  if (!bundle) throw notFound(`No bundle ${code}`);
  const versions = (
    await db.query<Record<string, unknown>>(
      `select ${ITEM_VERSION_COLUMNS} from catalog_bundle_item bi join catalog_item i on i.id = bi.item_id
         join catalog_item_version v on v.item_id = i.id and v.status = 'published'
        where bi.bundle_id = $1 order by bi.position`,
      [bundle.id],
    )
  ).map(toItemVersion);
  const merged = mergeBundle(bundle.name as string, versions);
  return {
    code: bundle.code as string,
    name: bundle.name as string,
    lifeEvent: bundle.life_event as string | null,
    audience: bundle.audience as string,
    description: bundle.description as string,
    items: versions.map((v) => ({ code: v.code, name: v.name })),
    ...merged,
  };
}
