import type { Queryable } from '../../kernel/db.ts';
import { isImplementationCode } from './codes.ts';
import { toItemPlace, type ItemPlace } from './read.ts';

/** A place (implementation entry) with the item it handles: what the hall books visits to. */
export interface PlaceOfItem extends ItemPlace {
  item: { code: string; name: string };
}

/**
 * The published place with this implementation code and the published item it handles
 * (the same columns as `itemPlaces`), or null when there is none.
 */
export async function placeOf(db: Queryable, entryCode: string): Promise<PlaceOfItem | null> {
  if (!isImplementationCode(entryCode)) return null;
  const [r] = await db.query<Record<string, unknown>>(
    `select e.code, e.organisation_id, e.organisation_name, e.region_code, e.region_name,
            ev.address, ev.phone, ev.office_hours, i.code as item_code, v.name as item_name
       from catalog_entry e
       join catalog_entry_version ev on ev.entry_id = e.id and ev.status = 'published'
       join catalog_item i on i.id = e.item_id
       join catalog_item_version v on v.item_id = i.id and v.status = 'published'
      where e.code = $1`,
    [entryCode],
  );
  if (!r) return null;
  return { ...toItemPlace(r), item: { code: r.item_code as string, name: r.item_name as string } };
}
