import { Type, type TSchema } from 'typebox';
import { SESSION_SECURITY, actorOf, assertInJurisdiction, type Principal } from '../../kernel/auth.ts';
import { forbidden } from '../../kernel/errors.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import {
  createOrganisation,
  createRegion,
  getOrganisation,
  getRegion,
  listOrganisations,
  listRegions,
  regionCodeOf,
} from './service.ts';

const RegionCodeInput = Type.String({
  minLength: 1,
  maxLength: 20,
  description: 'Region code, 12 digits (a 6-digit GB/T 2260 code is padded with zeros)',
});
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Q = Type.String({ minLength: 1, maxLength: 100, description: 'Part of the name' });
const Paging = {
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  size: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
};
const PageOf = (item: TSchema) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), page: Type.Integer(), size: Type.Integer() });

const Region = Type.Object({
  code: Type.String({ description: '12-digit region code' }),
  name: Type.String(),
  fullName: Type.String({ description: 'Name with every ancestor: 江苏省示例市长安区' }),
  level: Type.Integer(),
  levelName: Type.String({ description: '省级, 市级, 县级, 乡级, 村级 ... (region_level)' }),
  parentCode: Type.Union([Type.String(), Type.Null()]),
});
const RegionDetail = Type.Object({
  ...Region.properties,
  ancestors: Type.Array(Region, { description: 'From the top region down to the parent' }),
  childCount: Type.Integer(),
});
const Organisation = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  shortName: Type.String({ description: 'Name without the region: 民政局' }),
  uscc: Type.String({ description: 'Unified social credit code' }),
  regionCode: Type.String(),
  kind: Type.String({ description: 'department, centre, street_office, committee ... (organisation_kind)' }),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

/**
 * Administrators change the directory only within their jurisdiction; a top region only
 * one whose jurisdiction spans every existing top region. Unknown codes are left to the
 * service's validation (a 400 naming the field).
 */
async function assertMayChange(
  db: ModuleContext['db'],
  principal: Principal,
  target: { field: string; regionCode: string | undefined },
): Promise<void> {
  if (target.regionCode === undefined) {
    const [outside] = await db.query(
      'select 1 from region where parent_code is null and not (code = any($1::text[])) limit 1',
      [principal.jurisdiction?.regionCodes ?? []],
    );
    if (outside) throw forbidden('Only an administrator of the whole deployment may add a top region');
    return;
  }
  const [known] = await db.query('select 1 from region where code = $1', [target.regionCode]);
  if (known)
    await assertInJurisdiction(
      db,
      principal,
      { regionCode: target.regionCode },
      `Region ${target.regionCode}`,
    );
}

/** A region code from the query, validated and in the stored form; undefined when absent. */
const optionalRegion = (field: string, value: string | undefined) =>
  value === undefined ? undefined : regionCodeOf(field, value);

export async function directoryRoutes(app: App, { db, auth }: ModuleContext): Promise<void> {
  const admin = { preHandler: auth.require('directory.manage') };
  const tags = ['directory'];
  const security = SESSION_SECURITY;

  app.get(
    '/api/v1/regions',
    {
      schema: {
        tags,
        summary: 'List regions, by parent, level or name',
        querystring: Type.Object({
          parent: Type.Optional(RegionCodeInput),
          level: Type.Optional(Type.Integer({ minimum: 1, maximum: 32767 })),
          q: Type.Optional(Q),
          ...Paging,
        }),
        response: { 200: PageOf(Region) },
      },
    },
    async (request) => {
      const { parent, level, q, page, size } = request.query;
      return listRegions(db, { parent: optionalRegion('parent', parent), level, q }, { page, size });
    },
  );

  app.get(
    '/api/v1/regions/:code',
    {
      schema: {
        tags,
        summary: 'One region with its ancestors and its number of children',
        params: Type.Object({ code: RegionCodeInput }),
        response: { 200: RegionDetail },
      },
    },
    async (request) => getRegion(db, request.params.code),
  );

  app.post(
    '/api/v1/regions',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Add a region below an existing one (or a top region)',
        body: Type.Object(
          {
            code: RegionCodeInput,
            name: Name,
            parentCode: Type.Optional(RegionCodeInput),
            level: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 32767, description: 'Defaults to one below the parent' }),
            ),
            fullName: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 300,
                description: 'Defaults to the parent’s full name + name',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Region },
      },
    },
    async (request, reply) => {
      await assertMayChange(db, request.principal!, {
        field: 'parentCode',
        regionCode: request.body.parentCode,
      });
      const region = await createRegion(db, request.body, actorOf(request));
      reply.code(201);
      return region;
    },
  );

  app.get(
    '/api/v1/organisations',
    {
      schema: {
        tags,
        summary: 'List organisations (implementing bodies), by region, kind or name',
        querystring: Type.Object({
          region: Type.Optional({ ...RegionCodeInput, description: 'Bodies of exactly this region' }),
          within: Type.Optional({ ...RegionCodeInput, description: 'Bodies of this region or any below it' }),
          kind: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
          q: Type.Optional(Q),
          ...Paging,
        }),
        response: { 200: PageOf(Organisation) },
      },
    },
    async (request) => {
      const { region, within, kind, q, page, size } = request.query;
      return listOrganisations(
        db,
        { region: optionalRegion('region', region), within: optionalRegion('within', within), kind, q },
        { page, size },
      );
    },
  );

  app.get(
    '/api/v1/organisations/:id',
    {
      schema: {
        tags,
        summary: 'One organisation, by id or by unified social credit code',
        params: Type.Object({
          id: Type.String({ minLength: 1, maxLength: 30, description: 'Id or credit code' }),
        }),
        response: { 200: Organisation },
      },
    },
    async (request) => {
      const { id } = request.params;
      return getOrganisation(db, /^\d{1,15}$/.test(id) ? Number(id) : id);
    },
  );

  app.post(
    '/api/v1/organisations',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Add an organisation; its credit code is validated and must be unique',
        body: Type.Object(
          {
            name: Name,
            shortName: Type.Optional(Name),
            uscc: Type.String({ minLength: 1, maxLength: 30 }),
            regionCode: RegionCodeInput,
            kind: Type.String({ minLength: 1, maxLength: 50 }),
            parentId: Type.Optional(Type.Integer({ minimum: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Organisation },
      },
    },
    async (request, reply) => {
      await assertMayChange(db, request.principal!, {
        field: 'regionCode',
        regionCode: request.body.regionCode,
      });
      const organisation = await createOrganisation(db, request.body, actorOf(request));
      reply.code(201);
      return organisation;
    },
  );
}
