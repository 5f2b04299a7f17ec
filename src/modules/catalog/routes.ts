import { ruleError } from './validate.ts';
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_SECURITY, actorOf, assertInJurisdiction } from '../../kernel/auth.ts';
import { auditTrail } from '../../kernel/audit.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import { analyzeQuery } from '../../kernel/search/index.ts';
import { validationError } from '../../kernel/errors.ts';
import { pickLocale, type Locale } from '../../kernel/i18n.ts';
import { descendantCodes, getOrganisation } from '../directory/index.ts';
import { actorNames } from '../identity/index.ts';
import { bundleDetail, createBundle, listBundles } from './bundles.ts';
import { BundleCode, BundleElements, basicCatalogAuthority } from './manage-routes.ts';
import {
  AUDIENCES,
  EntryElements,
  ItemElements,
  LIFE_EVENTS,
  ONLINE_DEPTHS,
  TYPE_CODES,
  VERSION_STATUSES,
  type EntryElements as EntryElementsT,
  type ItemElements as ItemElementsT,
  type VersionAction,
} from './model.ts';
import { RegionCache } from './places.ts';
import { findEntry } from './queries.ts';
import { itemDetail, itemPlaces, listItems, type ListFilters } from './read.ts';
import { analyzeCached, searchCatalog, suggest } from './search.ts';
import {
  createEntry,
  createItem,
  itemHistory,
  itemVersion,
  saveEntryDraft,
  saveItemDraft,
  transitionEntry,
  transitionItem,
} from './service.ts';
import { exportCatalog, importCatalog, type FileFormat } from './transfer.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const Code = Type.String({
  minLength: 6,
  maxLength: 100,
  pattern: '^[0-9A-Z-]+$',
  description: '基本编码 or 实施编码',
});
const RegionCode = Type.String({
  pattern: '^\\d{6}(\\d{6})?$',
  description: 'GB/T 2260 region code, 6 or 12 digits',
});
const Page = {
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  size: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
};
const ACTIONS: VersionAction[] = ['submit', 'reject', 'publish', 'retire'];
const TypeRef = Type.Object({ code: Type.String(), name: Type.String() });

/** Beside an actor's id: who that is (staff member, or the platform for system actors). */
const ActorName = Type.Union([Type.String(), Type.Null()], {
  description: "A staff member's name, the platform's for system actors; null when unknown",
});
const ActorDepartment = Type.Union([Type.String(), Type.Null()], {
  description: "The staff member's home department; null for the platform or when unknown",
});

/** Names of the platform itself follow the reader's language. */
function replyLocale(request: FastifyRequest, reply: FastifyReply): Locale {
  const locale = pickLocale(request.headers['accept-language']);
  reply.header('content-language', locale);
  return locale;
}

const Timestamp = Type.String({ format: 'date-time' });
const VersionRecord = Type.Object(
  {
    id: Type.Integer(),
    itemId: Type.Integer(),
    code: Type.String({ description: '基本编码' }),
    version: Type.Integer(),
    status: Type.Enum([...VERSION_STATUSES]),
    createdBy: Type.String({ description: 'Account id (or system actor) who created the version' }),
    createdByName: ActorName,
    createdByDepartment: ActorDepartment,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    publishedAt: Type.Union([Timestamp, Type.Null()]),
    publishedBy: Type.Union([Type.String(), Type.Null()]),
    publishedByName: ActorName,
    publishedByDepartment: ActorDepartment,
  },
  {
    additionalProperties: true,
    description: "A version: the item's elements (as in the draft's body) and its bookkeeping",
  },
);
const AuditRecord = Type.Object({
  at: Timestamp,
  actor: Type.String({ description: 'Account id or system actor' }),
  actorName: ActorName,
  actorDepartment: ActorDepartment,
  action: Type.String(),
  entity: Type.String(),
  entityId: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
});

const SearchHit = Type.Object({
  code: Type.String(),
  basicCode: Type.String(),
  name: Type.String(),
  department: Type.String(),
  type: TypeRef,
  score: Type.Number(),
  highlight: Type.String(),
});

export async function catalogRoutes(app: App, { db, auth }: ModuleContext): Promise<void> {
  const regions = new RegionCache(db);
  // Load the segmentation dictionaries now rather than on the first citizen's search.
  analyzeQuery('结婚登记');
  const admin = { preHandler: auth.require('catalog.manage') };
  const itemAdmin = { preHandler: [auth.require('catalog.manage'), basicCatalogAuthority(db)] };
  /** An existing entry may be changed only within the caller's jurisdiction (unknown codes: 404 later). */
  const entryInJurisdiction = async (request: FastifyRequest) => {
    const entry = await findEntry(db, (request.params as { code: string }).code);
    if (!entry) return;
    await assertInJurisdiction(
      db,
      request.principal!,
      { regionCode: entry.region.code, organisationId: entry.organisation.id },
      `Entry ${entry.code}`,
    );
  };
  const entryAdmin = { preHandler: [auth.require('catalog.manage'), entryInJurisdiction] };
  const tags = ['catalog'];
  const security = SESSION_SECURITY;

  app.addContentTypeParser(
    ['text/csv', XLSX_TYPE, 'application/octet-stream'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );

  app.get(
    '/api/v1/catalog/search',
    {
      schema: {
        tags,
        summary:
          'Find services in everyday words (colloquial, synonyms, pinyin, typos, traditional characters, place names)',
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 200 }),
          region: Type.Optional(RegionCode),
          audience: Type.Optional(Type.Enum(Object.keys(AUDIENCES))),
          limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(SearchHit), total: Type.Integer(), tookMs: Type.Number() }),
        },
      },
    },
    async (request) => {
      const started = performance.now();
      const { q, region, audience, limit } = request.query;
      const analyzed = analyzeCached(q, await regions.placeIndex());
      const regionCode = region ?? analyzed.place?.code;
      const regionChain = regionCode ? await regions.chain(regionCode) : undefined;
      const result = await searchCatalog(db, { q, regionChain, audience, limit }, analyzed);
      return { ...result, tookMs: Math.round((performance.now() - started) * 100) / 100 };
    },
  );

  app.get(
    '/api/v1/catalog/suggest',
    {
      schema: {
        tags,
        summary: 'Autocomplete item names by characters, pinyin or initials',
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 50 }),
          limit: Type.Integer({ minimum: 1, maximum: 20, default: 8 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })) }),
        },
      },
    },
    async (request) => ({ items: await suggest(db, request.query.q, request.query.limit) }),
  );

  app.get(
    '/api/v1/catalog/items',
    {
      schema: {
        tags,
        summary: 'List published items, or with region/organisation their implementation entries there',
        querystring: Type.Object({
          department: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          region: Type.Optional(RegionCode),
          organisation: Type.Optional(Type.Integer({ minimum: 1 })),
          type: Type.Optional(Type.Enum(TYPE_CODES)),
          audience: Type.Optional(Type.Enum(Object.keys(AUDIENCES))),
          lifeEvent: Type.Optional(Type.Enum([...LIFE_EVENTS.natural_person, ...LIFE_EVENTS.legal_person])),
          onlineDepth: Type.Optional(Type.Enum([...ONLINE_DEPTHS])),
          sort: Type.Enum(['code', 'popular'], {
            default: 'code',
            description: "code: by code; popular: most used first (the portal's hot services)",
          }),
          ...Page,
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const region = q.region ? await regions.region(q.region) : undefined;
      const regionCodes = region ? await descendantCodes(db, region.code) : undefined;
      const result = await listItems(db, {
        department: q.department,
        regionCodes,
        organisationId: q.organisation,
        type: q.type,
        audience: q.audience,
        lifeEvent: q.lifeEvent,
        onlineDepth: q.onlineDepth,
        sort: q.sort as ListFilters['sort'],
        page: q.page,
        size: q.size,
      });
      return { ...result, page: q.page, size: q.size };
    },
  );

  app.get(
    '/api/v1/catalog/items/:code',
    {
      schema: {
        tags,
        summary:
          'The published guide of an item (basic code) or of an implementation entry (implementation code)',
        params: Type.Object({ code: Code }),
      },
    },
    async (request) => itemDetail(db, request.params.code),
  );

  const NullableText = Type.Union([Type.String(), Type.Null()]);
  app.get(
    '/api/v1/catalog/items/:code/places',
    {
      schema: {
        tags,
        summary:
          'Where to go (办理地点): the bodies that handle the item, with address, phone and office hours',
        params: Type.Object({ code: Code }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                code: Type.String({ description: 'Implementation code' }),
                implementingBody: Type.Object({ id: Type.Integer(), name: Type.String() }),
                region: TypeRef,
                address: NullableText,
                phone: NullableText,
                officeHours: NullableText,
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: await itemPlaces(db, request.params.code) }),
  );

  app.get(
    '/api/v1/catalog/items/:code/versions',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Every version of an item, with the names of who created and published each',
        params: Type.Object({ code: Code }),
        response: { 200: Type.Object({ items: Type.Array(VersionRecord) }) },
      },
    },
    async (request, reply) => {
      const versions = await itemHistory(db, request.params.code);
      const names = await actorNames(
        db,
        versions.flatMap((v) => [v.createdBy, v.publishedBy]),
        replyLocale(request, reply),
      );
      return {
        items: versions.map((v) => {
          const creator = names.get(v.createdBy);
          const publisher = v.publishedBy === null ? undefined : names.get(v.publishedBy);
          return {
            ...v,
            createdByName: creator?.name ?? null,
            createdByDepartment: creator?.department ?? null,
            publishedByName: publisher?.name ?? null,
            publishedByDepartment: publisher?.department ?? null,
          };
        }),
      };
    },
  );

  app.get(
    '/api/v1/catalog/items/:code/versions/:version',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'One version of an item',
        params: Type.Object({ code: Code, version: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }),
      },
    },
    async (request) => itemVersion(db, request.params.code, request.params.version),
  );

  app.get(
    '/api/v1/catalog/items/:code/audit',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Who changed the item (by id and name), when, before and after',
        params: Type.Object({ code: Code }),
        response: { 200: Type.Object({ items: Type.Array(AuditRecord) }) },
      },
    },
    async (request, reply) => {
      await itemHistory(db, request.params.code);
      const trail = await auditTrail(db, 'catalog_item', request.params.code);
      const names = await actorNames(
        db,
        trail.map((r) => r.actor),
        replyLocale(request, reply),
      );
      return {
        items: trail.map((r) => ({
          ...r,
          at: r.at.toISOString(),
          actorName: names.get(r.actor)?.name ?? null,
          actorDepartment: names.get(r.actor)?.department ?? null,
        })),
      };
    },
  );

  app.post(
    '/api/v1/catalog/items',
    {
      ...itemAdmin,
      schema: {
        tags,
        security,
        summary: 'Create a basic item (version 1, draft)',
        body: Type.Object(
          {
            ...ItemElements.properties,
            code: Type.Optional(
              Type.String({ maxLength: 20, description: '基本编码; generated when omitted' }),
            ),
            parentCode: Type.Optional(
              Type.String({ maxLength: 20, description: 'Basic code of the main item (主项)' }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const { code, parentCode, ...elements } = request.body as ItemElementsT & {
        code?: string;
        parentCode?: string;
      };
      reply.code(201);
      return createItem(db, elements, actorOf(request), {
        ...(code !== undefined && { code }),
        ...(parentCode !== undefined && { parentCode }),
      });
    },
  );

  app.put(
    '/api/v1/catalog/items/:code/draft',
    {
      ...itemAdmin,
      schema: {
        tags,
        security,
        summary: 'Save the draft (a new version when none is open)',
        params: Type.Object({ code: Code }),
        body: ItemElements,
      },
    },
    async (request) =>
      saveItemDraft(db, request.params.code, request.body as ItemElementsT, actorOf(request)),
  );

  app.post(
    '/api/v1/catalog/items/:code/:action',
    {
      ...itemAdmin,
      schema: {
        tags,
        security,
        summary: 'Move the item along its lifecycle: submit, reject, publish, retire',
        params: Type.Object({ code: Code, action: Type.Enum(ACTIONS) }),
      },
    },
    async (request) =>
      transitionItem(db, request.params.code, request.params.action as VersionAction, actorOf(request)),
  );

  app.post(
    '/api/v1/catalog/entries',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Create an implementation entry of a published item for a body and region (draft)',
        body: Type.Intersect([
          Type.Object({
            itemCode: Code,
            organisationId: Type.Integer({ minimum: 1 }),
            regionCode: RegionCode,
          }),
          EntryElements,
        ]),
      },
    },
    async (request, reply) => {
      const { itemCode, organisationId, regionCode, ...elements } = request.body as EntryElementsT & {
        itemCode: string;
        organisationId: number;
        regionCode: string;
      };
      const organisation = await getOrganisation(db, organisationId);
      const region = await regions.region(regionCode, 'regionCode');
      await assertInJurisdiction(
        db,
        request.principal!,
        { regionCode: region.code, organisationId: organisation.id },
        `Region ${region.code} and body ${organisation.id}`,
      );
      const body = { id: organisation.id, name: organisation.name, uscc: organisation.uscc };
      reply.code(201);
      return createEntry(
        db,
        { itemCode, organisation: body, region: { code: region.code, name: region.fullName } },
        elements,
        actorOf(request),
      );
    },
  );

  app.put(
    '/api/v1/catalog/entries/:code/draft',
    {
      ...entryAdmin,
      schema: {
        tags,
        security,
        summary: "Save an entry's local elements as a draft",
        params: Type.Object({ code: Code }),
        body: EntryElements,
      },
    },
    async (request) =>
      saveEntryDraft(db, request.params.code, request.body as EntryElementsT, actorOf(request)),
  );

  app.post(
    '/api/v1/catalog/entries/:code/:action',
    {
      ...entryAdmin,
      schema: {
        tags,
        security,
        summary: 'Move the entry along its lifecycle',
        params: Type.Object({ code: Code, action: Type.Enum(ACTIONS) }),
      },
    },
    async (request) =>
      transitionEntry(db, request.params.code, request.params.action as VersionAction, actorOf(request)),
  );

  app.get(
    '/api/v1/catalog/bundles',
    { schema: { tags, summary: '一件事: bundles of items for a life event' } },
    async () => ({ items: await listBundles(db) }),
  );

  app.get(
    '/api/v1/catalog/bundles/:code',
    {
      schema: {
        tags,
        summary: 'A bundle with its merged form and de-duplicated materials',
        params: Type.Object({ code: BundleCode }),
      },
    },
    async (request) => bundleDetail(db, request.params.code),
  );

  app.post(
    '/api/v1/catalog/bundles',
    {
      ...itemAdmin,
      schema: {
        tags,
        security,
        summary: 'Create a bundle',
        body: Type.Object({ code: BundleCode, ...BundleElements }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      reply.code(201);
      return createBundle(db, request.body as Parameters<typeof createBundle>[1], actorOf(request));
    },
  );

  app.get(
    '/api/v1/catalog/export',
    {
      schema: {
        tags,
        summary: 'Export the published catalog as CSV or XLSX (the import layout)',
        querystring: Type.Object({ format: Type.Enum(['csv', 'xlsx'], { default: 'csv' }) }),
      },
    },
    async (request, reply) => {
      const format = request.query.format as FileFormat;
      const body = await exportCatalog(db, format);
      reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
        .header('content-disposition', `attachment; filename="tongban-catalog.${format}"`);
      return body;
    },
  );

  app.post(
    '/api/v1/catalog/import',
    {
      ...itemAdmin,
      schema: {
        tags,
        security,
        summary: 'Import items from CSV (text/csv) or XLSX; bad rows are reported by row, column and rule',
        querystring: Type.Object({
          format: Type.Optional(Type.Enum(['csv', 'xlsx'])),
          publish: Type.Boolean({ default: false }),
        }),
      },
    },
    async (request) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        throw validationError([ruleError('body', 'required', {}, 'file')]);
      }
      const format: FileFormat =
        (request.query.format as FileFormat | undefined) ??
        (request.headers['content-type']?.startsWith(XLSX_TYPE) ? 'xlsx' : 'csv');
      return importCatalog(db, body, format, actorOf(request), { publish: request.query.publish });
    },
  );
}
