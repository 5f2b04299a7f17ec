import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { SESSION_SECURITY, actorOf } from '../../kernel/auth.ts';
import type { Database } from '../../kernel/db.ts';
import { forbidden } from '../../kernel/errors.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import { updateBundle } from './bundles.ts';
import { listManagedItems } from './manage.ts';
import { AUDIENCES, TYPE_CODES, VERSION_STATUSES, type VersionStatus } from './model.ts';

/**
 * Routes of the management console that the public catalog has no counterpart for: the
 * administrators' list of every item (drafts too) and changing a bundle.
 */

const ItemCode = Type.String({ minLength: 6, maxLength: 100, pattern: '^[0-9A-Z-]+$' });
export const BundleCode = Type.String({ minLength: 1, maxLength: 50, pattern: '^[a-z0-9-]+$' });
/** What an administrator sets of a bundle (its code is fixed once created). */
export const BundleElements = {
  name: Type.String({ minLength: 2, maxLength: 100 }),
  lifeEvent: Type.Union([Type.String({ maxLength: 20 }), Type.Null()], { default: null }),
  audience: Type.Enum(Object.keys(AUDIENCES)),
  description: Type.String({ maxLength: 2000, default: '' }),
  itemCodes: Type.Array(ItemCode, { minItems: 2, maxItems: 50, uniqueItems: true }),
};

const ManagedItem = Type.Object({
  code: Type.String(),
  name: Type.String(),
  subSituation: Type.Union([Type.String(), Type.Null()]),
  type: Type.Object({ code: Type.String(), name: Type.String() }),
  department: Type.String(),
  version: Type.Integer({ description: 'The newest version, whatever its status' }),
  status: Type.Enum([...VERSION_STATUSES]),
  publishedVersion: Type.Union([Type.Integer(), Type.Null()]),
  updatedAt: Type.String({ format: 'date-time' }),
});

/**
 * Basic items and bundles are the catalog of the whole deployment (基本目录), kept by
 * administrators of a province or city; district and street administrators keep their entries.
 */
const BASIC_CATALOG_MAX_LEVEL = 2;

export const basicCatalogAuthority =
  (db: Database) =>
  async (request: FastifyRequest): Promise<void> => {
    const [row] = await db.query(
      'select 1 from region where code = any($1::text[]) and level <= $2 limit 1',
      [request.principal!.jurisdiction?.regionCodes ?? [], BASIC_CATALOG_MAX_LEVEL],
    );
    if (!row) throw forbidden('Basic items are kept by province or city catalog administrators');
  };

export async function catalogManageRoutes(app: App, { db, auth }: ModuleContext): Promise<void> {
  const tags = ['catalog'];
  const security = SESSION_SECURITY;

  app.get(
    '/api/v1/catalog/manage/items',
    {
      preHandler: auth.require('catalog.manage'),
      schema: {
        tags,
        security,
        summary:
          'Every basic item with its newest version (drafts, in review, retired too), for catalog administrators',
        querystring: Type.Object({
          q: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 100,
              description: 'part of the name or the start of the code',
            }),
          ),
          status: Type.Optional(
            Type.Enum([...VERSION_STATUSES], { description: 'items with a version in this status' }),
          ),
          department: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          type: Type.Optional(Type.Enum(TYPE_CODES)),
          page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
          size: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(ManagedItem),
            total: Type.Integer(),
            page: Type.Integer(),
            size: Type.Integer(),
            departments: Type.Array(Type.String(), { description: 'every department named by an item' }),
          }),
        },
      },
    },
    async (request) => {
      const { q, status, department, type, page, size } = request.query;
      const result = await listManagedItems(db, {
        q,
        status: status as VersionStatus | undefined,
        department,
        type,
        page,
        size,
      });
      return { ...result, page, size };
    },
  );

  app.put(
    '/api/v1/catalog/bundles/:code',
    {
      preHandler: [auth.require('catalog.manage'), basicCatalogAuthority(db)],
      schema: {
        tags,
        security,
        summary: "Change a bundle's name, texts and items (in the order they are handled)",
        params: Type.Object({ code: BundleCode }),
        body: Type.Object(BundleElements, { additionalProperties: false }),
      },
    },
    async (request) =>
      updateBundle(
        db,
        request.params.code,
        request.body as Parameters<typeof updateBundle>[2],
        actorOf(request),
      ),
  );
}
