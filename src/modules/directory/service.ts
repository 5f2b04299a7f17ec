import { audit, type Actor } from '../../kernel/audit.ts';
import { assertInJurisdiction, type Principal } from '../../kernel/auth.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import { conflict, notFound, textFieldError, validationError } from '../../kernel/errors.ts';
import { defineMessages } from '../../kernel/i18n.ts';
import { assertIdentifier } from '../../kernel/identifiers/index.ts';
import {
  findOrganisationById,
  findOrganisationByUscc,
  findOrganisationInRegion,
  findRegion,
  findRegionDetail,
  insertOrganisation,
  insertRegion,
  kindExists,
  levelExists,
  regionIsWithin,
  selectBodiesWithin,
  selectDescendantCodes,
  selectOrganisations,
  selectRegionNames,
  selectRegions,
  type ImplementingBody,
  type Organisation,
  type OrganisationFilter,
  type Page,
  type Paging,
  type Region,
  type RegionDetail,
  type RegionFilter,
} from './queries.ts';

defineMessages({
  'directory.level.unknown': { zh: '没有层级 {level}', en: 'there is no region level {level}' },
  'directory.level.notBelowParent': {
    zh: '层级应低于上级区划的层级 {parentLevel}',
    en: 'must be deeper than the parent region’s level {parentLevel}',
  },
  'directory.level.requiredAtTop': {
    zh: '没有上级区划时必须给出层级',
    en: 'is required for a region without a parent',
  },
  'directory.kind.unknown': { zh: '没有机构类型 {kind}', en: 'there is no organisation kind {kind}' },
});

/** A valid region code in the stored 12-digit form (a 6-digit GB/T 2260 code is padded). */
export const regionCodeOf = (field: string, value: string): string =>
  assertIdentifier('regionCode', field, value).padEnd(12, '0');

function invalidField(
  field: string,
  rule: string,
  key: string,
  params: Record<string, string | number> = {},
) {
  return validationError([textFieldError(field, rule, key, params)]);
}

export async function getRegion(db: Queryable, code: string): Promise<RegionDetail> {
  const region = await findRegionDetail(db, regionCodeOf('code', code));
  if (!region) throw notFound(`No region ${code}`);
  return region;
}

export const listRegions = (db: Queryable, filter: RegionFilter, paging: Paging): Promise<Page<Region>> =>
  selectRegions(db, filter, paging);

/** A 6-digit GB/T 2260 code in the stored 12-digit form; other values unchanged. */
const stored = (code: string) => (/^\d{6}$/.test(code) ? `${code}000000` : code);

/** Codes of the region and every region below it (for filtering by jurisdiction in SQL). */
export const descendantCodes = (db: Queryable, code: string): Promise<string[]> =>
  selectDescendantCodes(db, stored(code));

/** Whether region `code` is `ancestor` itself or lies below it. */
export const isWithin = (db: Queryable, code: string, ancestor: string): Promise<boolean> =>
  regionIsWithin(db, stored(code), stored(ancestor));

// Longest first, so 自治县 is stripped before 县.
const PLACE_SUFFIXES = ['特别行政区', '自治区', '自治州', '自治县', '自治旗', '街道', '社区', '地区', '新区']
  .concat(['省', '市', '区', '县', '镇', '乡', '村', '旗', '盟'])
  .sort((a, b) => b.length - a.length);

/** The name without its administrative suffix (示例市 -> 示例), or null when too little is left. */
export function placeShortName(name: string): string | null {
  const suffix = PLACE_SUFFIXES.find((s) => name.endsWith(s));
  const short = suffix ? name.slice(0, -suffix.length) : name;
  return short !== name && short.length >= 2 ? short : null;
}

/** Every region by its name and, where it stands on its own, its short name: the place-name index of search. */
export async function regionPlaces(db: Queryable): Promise<{ code: string; name: string }[]> {
  const places: { code: string; name: string }[] = [];
  for (const { code, name } of await selectRegionNames(db)) {
    places.push({ code, name });
    const short = placeShortName(name);
    if (short) places.push({ code, name: short });
  }
  return places;
}

export const listOrganisations = (
  db: Queryable,
  filter: OrganisationFilter,
  paging: Paging,
): Promise<Page<Organisation>> => selectOrganisations(db, filter, paging);

/** An organisation by its id, or by its credit code (validated first). */
export async function getOrganisation(db: Queryable, key: number | string): Promise<Organisation> {
  const organisation =
    typeof key === 'number'
      ? await findOrganisationById(db, key)
      : await findOrganisationByUscc(db, assertIdentifier('uscc', 'uscc', key));
  if (!organisation) throw notFound(`No organisation ${key}`);
  return organisation;
}

/** An organisation the caller may act for (its region and department in the jurisdiction); 403 otherwise. */
export async function organisationInJurisdiction(
  db: Queryable,
  principal: Principal,
  id: number,
  what = 'The organisation',
): Promise<Organisation> {
  const organisation = await getOrganisation(db, id);
  await assertInJurisdiction(
    db,
    principal,
    { regionCode: organisation.regionCode, organisationId: organisation.id },
    what,
  );
  return organisation;
}

/**
 * The department that implements items of `departmentName` in the region; in a region
 * without departments of its own (a street) the street office, which implements every
 * street-level entry. Null when there is neither.
 */
export async function findDepartment(
  db: Queryable,
  { regionCode, departmentName }: { regionCode: string; departmentName: string },
): Promise<Organisation | null> {
  return (
    (await findOrganisationInRegion(db, regionCode, 'department', departmentName)) ??
    (await findOrganisationInRegion(db, regionCode, 'street_office'))
  );
}

/** Every organisation in the region or below it, to bind many records without a query each. */
export const implementingBodies = (db: Queryable, within: string): Promise<ImplementingBody[]> =>
  selectBodiesWithin(db, within);

export interface RegionInput {
  code: string;
  name: string;
  parentCode?: string | undefined;
  /** Defaults to one below the parent; may skip levels (a city without districts). */
  level?: number | undefined;
  /** Defaults to the parent's full name followed by the name. */
  fullName?: string | undefined;
}

export async function createRegion(db: Database, input: RegionInput, actor: Actor): Promise<Region> {
  const code = regionCodeOf('code', input.code);
  const parentCode = input.parentCode && regionCodeOf('parentCode', input.parentCode);
  return db.transaction(async (tx) => {
    const parent = parentCode ? await findRegion(tx, parentCode) : null;
    if (parentCode && !parent) throw notFound(`No parent region ${parentCode}`);
    const level = input.level ?? (parent ? parent.level + 1 : undefined);
    if (level === undefined) throw invalidField('level', 'required', 'directory.level.requiredAtTop');
    if (!(await levelExists(tx, level)))
      throw invalidField('level', 'exists', 'directory.level.unknown', { level });
    if (parent && level <= parent.level) {
      throw invalidField('level', 'belowParent', 'directory.level.notBelowParent', {
        parentLevel: parent.level,
      });
    }
    const inserted = await insertRegion(tx, {
      code,
      name: input.name,
      fullName: input.fullName ?? `${parent?.fullName ?? ''}${input.name}`,
      level,
      parentCode: parent?.code ?? null,
    });
    if (!inserted) throw conflict(`Region ${code} already exists`);
    const region = (await findRegion(tx, code))!;
    await audit(tx, {
      ...actor,
      action: 'directory.region.create',
      entity: 'region',
      entityId: code,
      after: region,
    });
    return region;
  });
}

export interface OrganisationInput {
  name: string;
  /** Defaults to the name. */
  shortName?: string | undefined;
  uscc: string;
  regionCode: string;
  kind: string;
  parentId?: number | undefined;
}

export async function createOrganisation(
  db: Database,
  input: OrganisationInput,
  actor: Actor,
): Promise<Organisation> {
  const uscc = assertIdentifier('uscc', 'uscc', input.uscc);
  const regionCode = regionCodeOf('regionCode', input.regionCode);
  return db.transaction(async (tx) => {
    if (!(await findRegion(tx, regionCode))) throw notFound(`No region ${regionCode}`);
    if (!(await kindExists(tx, input.kind))) {
      throw invalidField('kind', 'exists', 'directory.kind.unknown', { kind: input.kind });
    }
    if (input.parentId !== undefined && !(await findOrganisationById(tx, input.parentId))) {
      throw notFound(`No parent organisation ${input.parentId}`);
    }
    const organisation = await insertOrganisation(tx, {
      name: input.name,
      shortName: input.shortName ?? input.name,
      uscc,
      regionCode,
      kind: input.kind,
      parentId: input.parentId ?? null,
    });
    if (!organisation) {
      const holder = await findOrganisationByUscc(tx, uscc);
      throw holder
        ? conflict(`Credit code ${uscc} is already registered to ${holder.name}`, {
            organisationId: holder.id,
          })
        : conflict(`Region ${regionCode} already has an organisation named ${input.name}`);
    }
    await audit(tx, {
      ...actor,
      action: 'directory.organisation.create',
      entity: 'organisation',
      entityId: String(organisation.id),
      after: organisation,
    });
    return organisation;
  });
}
