import { ruleError } from './validate.ts';
import { audit, type Actor } from '../../kernel/audit.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import { sqlState } from '../../kernel/db.ts';
import { conflict, notFound, validationError, type FieldError } from '../../kernel/errors.ts';
import { basicCode, BASIC_CODE, implementationCode } from './codes.ts';
import { defaultForm } from './form.ts';
import {
  ENTRY_ELEMENT_COLUMNS,
  entryElementParams,
  findEntry,
  findEntryVersion,
  findItem,
  findItemVersion,
  ITEM_ELEMENT_COLUMNS,
  itemElementParams,
  listItemVersions,
  type Entry,
  type EntryVersion,
  type ItemVersion,
} from './queries.ts';
import {
  allowedActions,
  nextStatus,
  type EntryElements,
  type ItemElements,
  type VersionAction,
  type VersionStatus,
} from './model.ts';
import { checkEntryElements, checkItemElements } from './validate.ts';
import { removeFromIndex, indexItem } from './search.ts';

/** Use cases of the catalog's write side. Every change is audited in its own transaction. */

const placeholders = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');

function assertValid(errors: FieldError[]): void {
  if (errors.length > 0) throw validationError(errors);
}

async function requireItem(db: Queryable, code: string) {
  const item = await findItem(db, code);
  if (!item) throw notFound(`No service item with code ${code}`);
  return item;
}

/** Creates a basic item with its first version as a draft. */
export async function createItem(
  db: Database,
  elements: ItemElements,
  actor: Actor,
  options: { code?: string; parentCode?: string } = {},
): Promise<ItemVersion> {
  const e = withForm(elements);
  assertValid(checkItemElements(e));
  if (options.code !== undefined && !BASIC_CODE.test(options.code)) {
    assertValid([ruleError('code', 'pattern', {}, 'basicCode')]);
  }
  return db.transaction(async (tx) => {
    await assertNoTwin(tx, e);
    let code = options.code;
    if (code === undefined) {
      const [{ serial }] = (await tx.query<{ serial: number }>(
        `select nextval('catalog_item_code_seq') as serial`,
      )) as [{ serial: number }];
      code = basicCode(e.typeCode, serial, e.subSituation);
    }
    const parent = options.parentCode === undefined ? undefined : await findItem(tx, options.parentCode);
    if (options.parentCode !== undefined && !parent) {
      assertValid([ruleError('parentCode', 'knownItem', { code: options.parentCode })]);
    }
    let itemId: number;
    try {
      const [row] = await tx.query<{ id: number }>(
        'insert into catalog_item (code, parent_id) values ($1, $2) returning id',
        [code, parent?.id ?? null],
      );
      itemId = row!.id;
    } catch (error) {
      if (sqlState(error) === '23505') throw conflict(`A service item with code ${code} exists`);
      throw error;
    }
    const version = await insertItemVersion(tx, itemId, 1, e, actor.actor);
    await audit(tx, {
      ...actor,
      action: 'catalog.item.create',
      entity: 'catalog_item',
      entityId: code,
      after: version,
    });
    return version;
  });
}

/** Two different items may not share a name and situation (they would be indistinguishable to citizens). */
async function assertNoTwin(tx: Queryable, e: ItemElements, exceptItemId?: number): Promise<void> {
  const twins = await tx.query<{ code: string }>(
    `select i.code from catalog_item_version v join catalog_item i on i.id = v.item_id
      where v.name = $1 and coalesce(v.sub_situation, '') = coalesce($2, '')
        and v.status in ('draft', 'in_review', 'published') and v.item_id <> $3 limit 1`,
    [e.name, e.subSituation, exceptItemId ?? 0],
  );
  if (twins[0])
    throw conflict(`Item ${twins[0].code} already has this name and situation`, {
      existingCode: twins[0].code,
    });
}

function withForm(e: ItemElements): ItemElements & { formSchema: NonNullable<ItemElements['formSchema']> } {
  return { ...e, name: e.name.trim(), formSchema: e.formSchema ?? defaultForm(e.name.trim(), e.audience) };
}

async function insertItemVersion(
  tx: Queryable,
  itemId: number,
  version: number,
  e: ReturnType<typeof withForm>,
  createdBy: string,
): Promise<ItemVersion> {
  const columns = ['item_id', 'version', 'created_by', ...ITEM_ELEMENT_COLUMNS];
  await tx.query(
    `insert into catalog_item_version (${columns.join(', ')}) values (${placeholders(columns.length)})`,
    [itemId, version, createdBy, ...itemElementParams(e)],
  );
  return (await findItemVersion(tx, itemId, version))!;
}

const VERSION_TABLES = {
  item: { table: 'catalog_item_version', parent: 'item_id' },
  entry: { table: 'catalog_entry_version', parent: 'entry_id' },
} as const;

/**
 * Moves one version to `next`. Publishing supersedes the version published before,
 * so exactly one version is current; retiring and rejecting only change the status.
 */
async function moveVersion(
  tx: Queryable,
  kind: keyof typeof VERSION_TABLES,
  parentId: number,
  versionId: number,
  next: string,
  actor: string,
): Promise<void> {
  const { table, parent } = VERSION_TABLES[kind];
  if (next === 'published') {
    await tx.query(
      `update ${table} set status = 'superseded', retired_at = now() where ${parent} = $1 and status = 'published'`,
      [parentId],
    );
    await tx.query(
      `update ${table} set status = 'published', published_at = now(), published_by = $2 where id = $1`,
      [versionId, actor],
    );
  } else {
    await tx.query(
      `update ${table} set status = $2, updated_at = now(), retired_at = case when $2 = 'retired' then now() end where id = $1`,
      [versionId, next],
    );
  }
}

function refuse(
  what: string,
  action: VersionAction,
  current: { version: number; status: VersionStatus } | undefined,
) {
  return conflict(
    current
      ? `Cannot ${action} version ${current.version} of ${what} in status ${current.status}`
      : `${what} has no version to ${action}`,
    { currentStatus: current?.status ?? null, allowedActions: current ? allowedActions(current.status) : [] },
  );
}

/**
 * Saves the open draft of an item: updates it, or starts version n+1 from these
 * elements when the item has none open. A version in review must be rejected first.
 */
export async function saveItemDraft(
  db: Database,
  code: string,
  elements: ItemElements,
  actor: Actor,
): Promise<ItemVersion> {
  const e = withForm(elements);
  assertValid(checkItemElements(e));
  return db.transaction(async (tx) => {
    const item = await requireItem(tx, code);
    await tx.query('select id from catalog_item where id = $1 for update', [item.id]);
    await assertNoTwin(tx, e, item.id);
    const open = await findItemVersion(tx, item.id, 'open', true);
    if (open?.status === 'in_review') {
      throw conflict(`Version ${open.version} of ${code} is in review; reject it before editing`, {
        currentStatus: open.status,
      });
    }
    let saved: ItemVersion;
    if (open) {
      const sets = ITEM_ELEMENT_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ');
      await tx.query(`update catalog_item_version set ${sets}, updated_at = now() where id = $1`, [
        open.id,
        ...itemElementParams(e),
      ]);
      saved = (await findItemVersion(tx, item.id, open.version))!;
    } else {
      const latest = await findItemVersion(tx, item.id, 'latest');
      saved = await insertItemVersion(tx, item.id, (latest?.version ?? 0) + 1, e, actor.actor);
    }
    await audit(tx, {
      ...actor,
      action: 'catalog.item.draft',
      entity: 'catalog_item',
      entityId: code,
      before: open ?? null,
      after: saved,
    });
    return saved;
  });
}

/** Moves an item's version along its lifecycle (model.ts VERSION_LIFECYCLE). */
export async function transitionItem(
  db: Database,
  code: string,
  action: VersionAction,
  actor: Actor,
): Promise<ItemVersion> {
  return db.transaction(async (tx) => {
    const item = await requireItem(tx, code);
    await tx.query('select id from catalog_item where id = $1 for update', [item.id]);
    const current = await findItemVersion(tx, item.id, action === 'retire' ? 'published' : 'open', true);
    const next = current && nextStatus(current.status, action);
    if (!current || !next) throw refuse(`item ${code}`, action, current);
    await moveVersion(tx, 'item', item.id, current.id, next, actor.actor);
    const after = (await findItemVersion(tx, item.id, current.version))!;
    if (next === 'published') await indexItem(tx, item.id);
    if (next === 'retired') await removeFromIndex(tx, item.id);
    await audit(tx, {
      ...actor,
      action: `catalog.item.${action}`,
      entity: 'catalog_item',
      entityId: code,
      before: { version: current.version, status: current.status },
      after: { version: after.version, status: after.status },
    });
    return after;
  });
}

/** Runs the whole review in one go (used by the importer and the seed): submit then publish. */
export async function publishItem(db: Database, code: string, actor: Actor): Promise<ItemVersion> {
  await transitionItem(db, code, 'submit', actor);
  return transitionItem(db, code, 'publish', actor);
}

export async function itemHistory(db: Queryable, code: string): Promise<ItemVersion[]> {
  const item = await requireItem(db, code);
  return listItemVersions(db, item.id);
}

export async function itemVersion(
  db: Queryable,
  code: string,
  which: 'published' | 'open' | number,
): Promise<ItemVersion> {
  const item = await requireItem(db, code);
  const version = await findItemVersion(db, item.id, which);
  if (!version) {
    throw notFound(
      typeof which === 'number'
        ? `Item ${code} has no version ${which}`
        : `Item ${code} has no ${which} version`,
    );
  }
  return version;
}

// ---------------------------------------------------------------------------
// Implementation entries (实施清单)

export interface EntryScope {
  itemCode: string;
  organisation: { id: number; name: string; uscc: string };
  region: { code: string; name: string };
}

/** Creates an entry with its first version as a draft of local elements. */
export async function createEntry(db: Database, scope: EntryScope, elements: EntryElements, actor: Actor) {
  return db.transaction(async (tx) => {
    const item = await requireItem(tx, scope.itemCode);
    const published = await findItemVersion(tx, item.id, 'published');
    if (!published)
      throw conflict(`Item ${scope.itemCode} is not published; entries implement published items`);
    assertValid(checkEntryElements(elements, published));
    const code = implementationCode(item.code, scope.region.code, scope.organisation.uscc);
    let entryId: number;
    try {
      const [row] = await tx.query<{ id: number }>(
        `insert into catalog_entry (code, item_id, organisation_id, organisation_name, organisation_uscc, region_code, region_name)
         values ($1, $2, $3, $4, $5, $6, $7) returning id`,
        [
          code,
          item.id,
          scope.organisation.id,
          scope.organisation.name,
          scope.organisation.uscc,
          scope.region.code,
          scope.region.name,
        ],
      );
      entryId = row!.id;
    } catch (error) {
      if (sqlState(error) === '23505') throw conflict(`Entry ${code} exists`, { existingCode: code });
      throw error;
    }
    const version = await insertEntryVersion(tx, entryId, 1, elements, actor.actor);
    await audit(tx, {
      ...actor,
      action: 'catalog.entry.create',
      entity: 'catalog_entry',
      entityId: code,
      after: version,
    });
    return { code, version };
  });
}

async function insertEntryVersion(
  tx: Queryable,
  entryId: number,
  version: number,
  e: EntryElements,
  createdBy: string,
) {
  const columns = ['entry_id', 'version', 'created_by', ...ENTRY_ELEMENT_COLUMNS];
  await tx.query(
    `insert into catalog_entry_version (${columns.join(', ')}) values (${placeholders(columns.length)})`,
    [entryId, version, createdBy, ...entryElementParams(e)],
  );
  return (await findEntryVersion(tx, entryId, 'latest'))!;
}

async function requireEntry(db: Queryable, code: string): Promise<Entry> {
  const entry = await findEntry(db, code);
  if (!entry) throw notFound(`No implementation entry with code ${code}`);
  return entry;
}

export async function saveEntryDraft(
  db: Database,
  code: string,
  elements: EntryElements,
  actor: Actor,
): Promise<EntryVersion> {
  return db.transaction(async (tx) => {
    const entry = await requireEntry(tx, code);
    const item = await findItemVersion(tx, entry.itemId, 'published');
    if (!item) throw conflict(`The basic item of ${code} is not published`);
    assertValid(checkEntryElements(elements, item));
    await tx.query('select id from catalog_entry where id = $1 for update', [entry.id]);
    const open = await findEntryVersion(tx, entry.id, 'open', true);
    if (open?.status === 'in_review') {
      throw conflict(`Version ${open.version} of ${code} is in review; reject it before editing`, {
        currentStatus: open.status,
      });
    }
    let saved: EntryVersion;
    if (open) {
      const sets = ENTRY_ELEMENT_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ');
      await tx.query(`update catalog_entry_version set ${sets}, updated_at = now() where id = $1`, [
        open.id,
        ...entryElementParams(elements),
      ]);
      saved = (await findEntryVersion(tx, entry.id, 'open'))!;
    } else {
      const latest = await findEntryVersion(tx, entry.id, 'latest');
      saved = await insertEntryVersion(tx, entry.id, (latest?.version ?? 0) + 1, elements, actor.actor);
    }
    await audit(tx, {
      ...actor,
      action: 'catalog.entry.draft',
      entity: 'catalog_entry',
      entityId: code,
      before: open ?? null,
      after: saved,
    });
    return saved;
  });
}

export async function transitionEntry(
  db: Database,
  code: string,
  action: VersionAction,
  actor: Actor,
): Promise<EntryVersion> {
  return db.transaction(async (tx) => {
    const entry = await requireEntry(tx, code);
    await tx.query('select id from catalog_entry where id = $1 for update', [entry.id]);
    const current = await findEntryVersion(tx, entry.id, action === 'retire' ? 'published' : 'open', true);
    const next = current && nextStatus(current.status, action);
    if (!current || !next) throw refuse(`entry ${code}`, action, current);
    await moveVersion(tx, 'entry', entry.id, current.id, next, actor.actor);
    await audit(tx, {
      ...actor,
      action: `catalog.entry.${action}`,
      entity: 'catalog_entry',
      entityId: code,
      before: { version: current.version, status: current.status },
      after: { version: current.version, status: next },
    });
    return (await findEntryVersion(tx, entry.id, 'latest'))!;
  });
}
