import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../kernel/audit.ts';
import { AppError } from '../../kernel/errors.ts';
import { checkIdentifier, createRng, generateUscc } from '../../kernel/identifiers/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.ts';
import {
  createOrganisation,
  createRegion,
  DEMO_DEPARTMENTS,
  descendantCodes,
  findDepartment,
  getOrganisation,
  getRegion,
  implementingBodies,
  isWithin,
  listOrganisations,
  listRegions,
  regionPlaces,
  seedDemoDirectory,
  type DemoDirectory,
} from './index.ts';

const actor = { actor: 'test-admin', requestId: 'req-1' };
const CHANGAN = '329901000000';
const CHANGAN_STREET = '329901001000';
const CHANGAN_COMMUNITY = '329901001001';

/** The error a promise rejects with, to assert on its status and field errors. */
async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

const count = async (t: TestDatabase, table: 'region' | 'organisation') =>
  (await t.db.query<{ n: number }>(`select count(*) as n from ${table}`))[0]!.n;

describe('directory', () => {
  let t: TestDatabase;
  let demo: DemoDirectory;
  beforeAll(async () => {
    t = await createTestDatabase();
    demo = await seedDemoDirectory(t.db, { scale: 'small' });
  });
  afterAll(() => t.drop());

  describe('demo city (small)', () => {
    it('has 2 districts x 3 streets x 3 communities under 江苏省示例市', async () => {
      expect(demo.cityCode).toBe('329900000000');
      expect(demo.districts).toEqual([CHANGAN, '329902000000']);
      expect(demo.streets).toHaveLength(6);
      expect(demo.communities).toHaveLength(18);
      expect(await count(t, 'region')).toBe(1 + 1 + 2 + 6 + 18);
      const city = await getRegion(t.db, demo.cityCode);
      expect(city).toMatchObject({ name: '示例市', fullName: '江苏省示例市', level: 2, childCount: 2 });
    });

    it('has every department in the city and each district, a service centre each, an office per street', () => {
      const departments = DEMO_DEPARTMENTS.length * 3;
      expect(demo.organisations).toBe(departments + 3 + demo.streets.length);
    });

    it('is idempotent: a second run adds nothing and reports the same city', async () => {
      const regions = await count(t, 'region');
      const organisations = await count(t, 'organisation');
      expect(await seedDemoDirectory(t.db, { scale: 'small' })).toEqual(demo);
      expect(await count(t, 'region')).toBe(regions);
      expect(await count(t, 'organisation')).toBe(organisations);
    });

    it('gives every body a valid, unique government credit code of its county', async () => {
      const bodies = await implementingBodies(t.db, demo.cityCode);
      expect(bodies).toHaveLength(demo.organisations);
      expect(new Set(bodies.map((b) => b.uscc)).size).toBe(bodies.length);
      for (const body of bodies) {
        const check = checkIdentifier('uscc', body.uscc);
        expect(check.ok, body.uscc).toBe(true);
        expect(body.uscc.slice(0, 8)).toBe(`11${body.regionCode.slice(0, 6)}`);
      }
    });

    it('names bodies after their region and nests units under their department', async () => {
      const vehicles = await findDepartment(t.db, {
        regionCode: CHANGAN,
        departmentName: '公安局交通管理局车辆管理所',
      });
      expect(vehicles?.name).toBe('示例市长安区公安局交通管理局车辆管理所');
      const traffic = await getOrganisation(t.db, vehicles!.parentId!);
      expect(traffic.shortName).toBe('公安局交通管理局');
      expect((await getOrganisation(t.db, traffic.parentId!)).name).toBe('示例市长安区公安局');
      const tax = await findDepartment(t.db, { regionCode: demo.cityCode, departmentName: '税务局' });
      expect(tax?.name).toBe('国家税务总局示例市税务局');
    });

    it('answers a street with its street office, which implements every street-level entry', async () => {
      const office = await findDepartment(t.db, { regionCode: CHANGAN_STREET, departmentName: '民政局' });
      expect(office).toMatchObject({ kind: 'street_office', regionCode: CHANGAN_STREET });
      expect(office!.name).toMatch(/^示例市长安区.+街道办事处$/);
      expect(await findDepartment(t.db, { regionCode: CHANGAN, departmentName: '没有这个局' })).toBeNull();
    });
  });

  describe('hierarchy', () => {
    it('gives a region its ancestors from the top down and its child count', async () => {
      const community = await getRegion(t.db, CHANGAN_COMMUNITY);
      expect(community.ancestors.map((a) => a.code)).toEqual([
        '320000000000',
        '329900000000',
        CHANGAN,
        CHANGAN_STREET,
      ]);
      expect(community.ancestors.map((a) => a.levelName)).toEqual(['省级', '市级', '县级', '乡级']);
      expect(community.fullName).toBe(`${community.ancestors.at(-1)!.fullName}${community.name}`);
      expect(community.childCount).toBe(0);
      expect((await getRegion(t.db, CHANGAN)).childCount).toBe(3);
    });

    it('accepts a 6-digit GB/T 2260 code for a 12-digit stored one', async () => {
      expect((await getRegion(t.db, '329901')).code).toBe(CHANGAN);
      expect(await descendantCodes(t.db, '329901')).toEqual(await descendantCodes(t.db, CHANGAN));
    });

    it('lists descendants and answers whether a region is within another', async () => {
      const below = await descendantCodes(t.db, CHANGAN);
      expect(below).toHaveLength(1 + 3 + 9);
      expect(below.every((code) => code.startsWith('329901'))).toBe(true);
      expect(await isWithin(t.db, CHANGAN_COMMUNITY, CHANGAN)).toBe(true);
      expect(await isWithin(t.db, CHANGAN, CHANGAN)).toBe(true);
      expect(await isWithin(t.db, CHANGAN, CHANGAN_COMMUNITY)).toBe(false);
      expect(await isWithin(t.db, CHANGAN_COMMUNITY, '329902000000')).toBe(false);
    });

    it('rejects malformed codes with the rule and unknown ones with 404', async () => {
      const malformed = await failure(getRegion(t.db, '32990'));
      expect(malformed.status).toBe(400);
      expect(malformed.errors).toEqual([expect.objectContaining({ field: 'code', rule: 'length' })]);
      expect((await failure(getRegion(t.db, '329988000000'))).status).toBe(404);
    });

    it('lists regions by parent, level and name, paginated', async () => {
      const streets = await listRegions(t.db, { parent: CHANGAN }, { page: 1, size: 2 });
      expect(streets.total).toBe(3);
      expect(streets.items).toHaveLength(2);
      expect(streets.items.every((r) => r.parentCode === CHANGAN)).toBe(true);
      const past = await listRegions(t.db, { parent: CHANGAN }, { page: 5, size: 2 });
      expect(past).toMatchObject({ items: [], total: 3 });
      const communities = await listRegions(t.db, { level: 5 }, { page: 1, size: 100 });
      expect(communities.total).toBe(18);
      const byName = await listRegions(t.db, { q: '临江' }, { page: 1, size: 100 });
      expect(byName.total).toBe(1 + 3 + 9);
      expect((await listRegions(t.db, { q: '%' }, { page: 1, size: 10 })).total).toBe(0);
    });

    it('indexes places by name and by short name without the suffix', async () => {
      const places = await regionPlaces(t.db);
      expect(places).toContainEqual({ code: demo.cityCode, name: '示例市' });
      expect(places).toContainEqual({ code: demo.cityCode, name: '示例' });
      expect(places).toContainEqual({ code: CHANGAN, name: '长安' });
      const street = await getRegion(t.db, CHANGAN_STREET);
      expect(places).toContainEqual({ code: CHANGAN_STREET, name: street.name.replace(/街道$/, '') });
    });
  });

  describe('levels are data', () => {
    it('places a new region one level below its parent, with the level named by the table', async () => {
      await t.db.query(`insert into region_level (level, name, name_en) values (6, '组级', 'group')`);
      const group = await createRegion(
        t.db,
        { code: '329901001901', name: '一组', parentCode: CHANGAN_COMMUNITY },
        actor,
      );
      expect(group).toMatchObject({ level: 6, levelName: '组级', parentCode: CHANGAN_COMMUNITY });
      await t.db.query(`update region_level set name = '街乡级' where level = 4`);
      expect((await getRegion(t.db, CHANGAN_STREET)).levelName).toBe('街乡级');
      expect((await getRegion(t.db, '329901001901')).ancestors.map((a) => a.code)).toContain(CHANGAN);
    });

    it('lets a region skip a level (a city without districts) but never sit at or above its parent', async () => {
      const town = await createRegion(
        t.db,
        { code: '329990101000', name: '直管镇', parentCode: demo.cityCode, level: 4 },
        actor,
      );
      expect(town.level).toBe(4);
      expect(await isWithin(t.db, town.code, demo.cityCode)).toBe(true);
      const same = await failure(
        createRegion(
          t.db,
          { code: '329990000000', name: '同级', parentCode: demo.cityCode, level: 2 },
          actor,
        ),
      );
      expect(same.errors).toEqual([expect.objectContaining({ field: 'level', rule: 'belowParent' })]);
      const unknown = await failure(
        createRegion(
          t.db,
          { code: '329991000000', name: '某区', parentCode: demo.cityCode, level: 9 },
          actor,
        ),
      );
      expect(unknown.errors).toEqual([expect.objectContaining({ field: 'level', rule: 'exists' })]);
      const top = await failure(createRegion(t.db, { code: '330000000000', name: '浙江省' }, actor));
      expect(top.errors).toEqual([expect.objectContaining({ field: 'level', rule: 'required' })]);
    });

    it('rejects duplicates (409) and unknown parents (404), and audits a creation', async () => {
      expect(
        (
          await failure(
            createRegion(t.db, { code: CHANGAN, name: '长安区', parentCode: demo.cityCode }, actor),
          )
        ).status,
      ).toBe(409);
      expect(
        (
          await failure(
            createRegion(t.db, { code: '329988001000', name: '某街道', parentCode: '329988000000' }, actor),
          )
        ).status,
      ).toBe(404);
      const region = await createRegion(
        t.db,
        { code: '329901004000', name: '新设街道', parentCode: CHANGAN },
        actor,
      );
      expect(region.fullName).toBe('江苏省示例市长安区新设街道');
      const trail = await auditTrail(t.db, 'region', region.code);
      expect(trail).toEqual([
        expect.objectContaining({ actor: 'test-admin', action: 'directory.region.create', after: region }),
      ]);
    });
  });

  describe('organisations', () => {
    const rng = createRng(7);

    it('creates a body with a validated credit code and audits it', async () => {
      const uscc = generateUscc(rng, { authority: '1', category: '1', regionCode: '329901' });
      const body = await createOrganisation(
        t.db,
        { name: '示例市长安区数据局', shortName: '数据局', uscc, regionCode: CHANGAN, kind: 'department' },
        actor,
      );
      expect(body).toMatchObject({ shortName: '数据局', uscc, kind: 'department', parentId: null });
      expect(await getOrganisation(t.db, uscc)).toEqual(body);
      expect(await auditTrail(t.db, 'organisation', String(body.id))).toHaveLength(1);
    });

    it('rejects a credit code with a wrong check character, naming the field and the rule', async () => {
      const uscc = generateUscc(rng, { authority: '1', category: '1', regionCode: '329901' });
      const wrong = uscc.slice(0, 17) + (uscc[17] === '0' ? '1' : '0');
      const error = await failure(
        createOrganisation(
          t.db,
          { name: '错误码局', uscc: wrong, regionCode: CHANGAN, kind: 'department' },
          actor,
        ),
      );
      expect(error.status).toBe(400);
      expect(error.errors).toEqual([expect.objectContaining({ field: 'uscc', rule: 'checkDigit' })]);
    });

    it('rejects a taken credit code (409), an unknown region or parent (404) and an unknown kind (400)', async () => {
      const [taken] = (await listOrganisations(t.db, { region: CHANGAN }, { page: 1, size: 1 })).items;
      const duplicate = await failure(
        createOrganisation(
          t.db,
          { name: '另一个局', uscc: taken!.uscc, regionCode: CHANGAN, kind: 'department' },
          actor,
        ),
      );
      expect(duplicate.status).toBe(409);
      const fresh = () => generateUscc(rng, { authority: '1', category: '1', regionCode: '329901' });
      const base = { name: '某局', regionCode: CHANGAN, kind: 'department' };
      expect(
        (
          await failure(
            createOrganisation(t.db, { ...base, uscc: fresh(), regionCode: '329988000000' }, actor),
          )
        ).status,
      ).toBe(404);
      expect(
        (await failure(createOrganisation(t.db, { ...base, uscc: fresh(), parentId: 999_999 }, actor)))
          .status,
      ).toBe(404);
      const kind = await failure(createOrganisation(t.db, { ...base, uscc: fresh(), kind: 'guild' }, actor));
      expect(kind.errors).toEqual([expect.objectContaining({ field: 'kind', rule: 'exists' })]);
    });

    it('lists bodies of a region, within a region, by kind and by name', async () => {
      const exact = await listOrganisations(
        t.db,
        { region: CHANGAN, kind: 'department' },
        { page: 1, size: 100 },
      );
      expect(exact.items.every((o) => o.regionCode === CHANGAN && o.kind === 'department')).toBe(true);
      const offices = await listOrganisations(
        t.db,
        { within: CHANGAN, kind: 'street_office' },
        { page: 1, size: 100 },
      );
      expect(offices.total).toBe(3);
      const police = await listOrganisations(
        t.db,
        { within: demo.cityCode, q: '公安局' },
        { page: 1, size: 100 },
      );
      expect(police.total).toBe(4 * 3);
      expect(police.items.every((o) => o.name.includes('公安局'))).toBe(true);
    });
  });
});
