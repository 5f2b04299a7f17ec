import { audit, type Actor } from '../../kernel/audit.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import { implementationCode } from './codes.ts';

/** A region and the bodies that sit in it, as the directory gives them. */
export interface EntryUnit {
  region: { code: string; name: string };
  bodies: { id: number; name: string; shortName: string; uscc: string; kind: string }[];
}

const BATCH = 5000;

/**
 * Publishes an implementation entry of every published item in every unit, bound to
 * the unit's department of the item's responsible department, or to the unit's street
 * office where the unit has no departments (streets). Existing entries are left alone,
 * so running it again adds only what is missing. Returns how many were created and how
 * many items found no body in some unit.
 */
export async function replicateEntries(
  db: Database,
  units: EntryUnit[],
  actor: Actor,
): Promise<{ created: number; unbound: number }> {
  const items = await db.query<{ id: number; code: string; department: string }>(
    `select i.id, i.code, v.department from catalog_item i
       join catalog_item_version v on v.item_id = i.id and v.status = 'published' order by i.code`,
  );
  let created = 0;
  let unbound = 0;
  let batch: (string | number)[][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    created += await db.transaction(async (tx) => {
      const count = await insertEntries(tx, rows, actor.actor);
      await audit(tx, {
        ...actor,
        action: 'catalog.entry.replicate',
        entity: 'catalog_entry',
        entityId: `${String(rows[0]![0])}..${String(rows.at(-1)![0])}`,
        after: { created: count },
      });
      return count;
    });
  };
  for (const unit of units) {
    const departments = new Map(
      unit.bodies.filter((b) => b.kind === 'department').map((b) => [b.shortName, b]),
    );
    const streetOffice = unit.bodies.find((b) => b.kind === 'street_office');
    for (const item of items) {
      const body = departments.get(item.department) ?? streetOffice;
      if (!body) {
        unbound++;
        continue;
      }
      batch.push([
        implementationCode(item.code, unit.region.code, body.uscc),
        item.id,
        body.id,
        body.name,
        body.uscc,
        unit.region.code,
        unit.region.name,
      ]);
      if (batch.length >= BATCH) await flush();
    }
  }
  await flush();
  return { created, unbound };
}

async function insertEntries(tx: Queryable, rows: (string | number)[][], createdBy: string): Promise<number> {
  const column = (i: number) => rows.map((r) => r[i]);
  const [result] = await tx.query<{ count: number }>(
    `with new_entry as (
       insert into catalog_entry (code, item_id, organisation_id, organisation_name, organisation_uscc, region_code, region_name)
       select * from unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
       on conflict do nothing
       returning id, organisation_name
     ), new_version as (
       insert into catalog_entry_version (entry_id, version, status, address, office_hours, created_by, published_at, published_by)
       select id, 1, 'published', organisation_name || '政务服务窗口', '工作日 9:00-12:00, 13:30-17:00', $8, now(), $8
         from new_entry
       returning 1
     )
     select count(*)::int as count from new_version`,
    [column(0), column(1), column(2), column(3), column(4), column(5), column(6), createdBy],
  );
  return result?.count ?? 0;
}

/** Sets items' popularity (views and applications), which boosts their search rank. */
export async function setPopularity(db: Database, popularity: Map<string, number>): Promise<void> {
  const codes = [...popularity.keys()];
  const values = codes.map((c) => popularity.get(c)!);
  await db.transaction(async (tx) => {
    await tx.query(
      `update catalog_item i set popularity = p.value from unnest($1::text[], $2::bigint[]) as p(code, value) where i.code = p.code`,
      [codes, values],
    );
    await tx.query(
      `update catalog_search s set popularity = i.popularity from catalog_item i where i.id = s.item_id`,
    );
  });
}
