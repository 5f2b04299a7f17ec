import type { Queryable } from '../../kernel/db.ts';
import { itemDetail } from '../catalog/index.ts';
import type { FormSchemaLike } from './form-data.ts';

/**
 * What the catalog offers where: the published item, bundle and implementation entry an
 * application binds to, by their ids (which the catalog's read API does not expose). These
 * are read-only lookups of published catalog rows; the guide itself (form, materials with
 * the entry's local changes) comes from the catalog's own `itemDetail`.
 */

export type Audience = 'natural_person' | 'legal_person';

export interface PublishedItem {
  itemId: number;
  itemCode: string;
  versionId: number;
  name: string;
  audience: Audience[];
}

export interface Entry {
  entryId: number;
  entryCode: string;
  organisationId: number;
  organisationName: string;
  regionCode: string;
}

export interface Bundle {
  id: number;
  code: string;
  name: string;
  audience: Audience;
  itemCodes: string[];
}

/** A catalog material as an entry lists it. */
export interface CatalogMaterial {
  name: string;
  source: 'applicant' | 'government';
  required: boolean;
  tolerated: boolean;
}

/** The guide of a part: the item version in force, its form and materials. */
export interface Guide {
  versionId: number;
  name: string;
  formSchema: FormSchemaLike;
  materials: CatalogMaterial[];
}

type Row = Record<string, unknown>;

const toItem = (r: Row): PublishedItem => ({
  itemId: r.item_id as number,
  itemCode: r.item_code as string,
  versionId: r.version_id as number,
  name: r.name as string,
  audience: r.audience as Audience[],
});

const toEntry = (r: Row): Entry => ({
  entryId: r.entry_id as number,
  entryCode: r.entry_code as string,
  organisationId: r.organisation_id as number,
  organisationName: r.organisation_name as string,
  regionCode: r.region_code as string,
});

const ITEM_COLUMNS = `i.id as item_id, i.code as item_code, v.id as version_id, v.name, v.audience`;
const ENTRY_COLUMNS = `e.id as entry_id, e.code as entry_code, e.organisation_id, e.organisation_name, e.region_code`;

/** The published version of a basic item, by its code. */
export async function findPublishedItem(db: Queryable, code: string): Promise<PublishedItem | null> {
  const [row] = await db.query<Row>(
    `select ${ITEM_COLUMNS} from catalog_item i
       join catalog_item_version v on v.item_id = i.id and v.status = 'published'
      where i.code = $1`,
    [code],
  );
  return row ? toItem(row) : null;
}

/** Codes from the top region down to `code` (inclusive), or null for an unknown region. */
export async function regionPath(db: Queryable, code: string): Promise<string[] | null> {
  const [row] = await db.query<{ path: string[] }>('select path from region where code = $1', [code]);
  return row?.path ?? null;
}

/**
 * The published entry of the item nearest to the applicant's region: in the region itself,
 * else in the closest region above it (a street's resident applies to the district's body
 * when the street does not offer the item). Null when no region on the path offers it.
 */
export async function nearestEntry(db: Queryable, itemId: number, path: string[]): Promise<Entry | null> {
  const [row] = await db.query<Row>(
    `select ${ENTRY_COLUMNS} from catalog_entry e
       join catalog_entry_version ev on ev.entry_id = e.id and ev.status = 'published'
      where e.item_id = $1 and e.region_code = any($2::text[])
      order by array_position($2::text[], e.region_code) desc, e.id
      limit 1`,
    [itemId, path],
  );
  return row ? toEntry(row) : null;
}

/** A published entry with its published item, by entry id or implementation code. */
export async function findEntry(
  db: Queryable,
  by: { id: number } | { code: string },
): Promise<(Entry & { item: PublishedItem }) | null> {
  const [row] = await db.query<Row>(
    `select ${ENTRY_COLUMNS}, ${ITEM_COLUMNS} from catalog_entry e
       join catalog_entry_version ev on ev.entry_id = e.id and ev.status = 'published'
       join catalog_item i on i.id = e.item_id
       join catalog_item_version v on v.item_id = i.id and v.status = 'published'
      where ${'id' in by ? 'e.id = $1' : 'e.code = $1'}`,
    ['id' in by ? by.id : by.code],
  );
  return row ? { ...toEntry(row), item: toItem(row) } : null;
}

/** A published bundle with the codes of its items in order, by id or code. */
export async function findBundle(
  db: Queryable,
  by: { id: number } | { code: string },
): Promise<Bundle | null> {
  const [row] = await db.query<Row>(
    `select b.id, b.code, b.name, b.audience,
            array(select i.code from catalog_bundle_item bi join catalog_item i on i.id = bi.item_id
                   where bi.bundle_id = b.id order by bi.position) as item_codes
       from catalog_bundle b
      where b.status = 'published' and ${'id' in by ? 'b.id = $1' : 'b.code = $1'}`,
    ['id' in by ? by.id : by.code],
  );
  if (!row) return null;
  return {
    id: row.id as number,
    code: row.code as string,
    name: row.name as string,
    audience: row.audience as Audience,
    itemCodes: row.item_codes as string[],
  };
}

/** The guide in force for an entry (its item's published version with the entry's local materials); null when withdrawn. */
export async function guideOf(db: Queryable, entryId: number): Promise<Guide | null> {
  const entry = await findEntry(db, { id: entryId });
  if (!entry) return null;
  const detail = await itemDetail(db, entry.entryCode);
  return {
    versionId: entry.item.versionId,
    name: detail.name,
    formSchema: (detail.formSchema ?? { type: 'object', properties: {} }) as FormSchemaLike,
    materials: detail.materials.map((m) => ({
      name: m.name,
      source: m.source as CatalogMaterial['source'],
      required: m.required ?? true,
      tolerated: m.tolerated ?? false,
    })),
  };
}
