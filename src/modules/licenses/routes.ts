import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audit } from '../../kernel/audit.ts';
import { actorOf, jurisdictionClause, noStore, SESSION_SECURITY, type Principal } from '../../kernel/auth.ts';
import type { Queryable } from '../../kernel/db.ts';
import { AppError, fieldError, notFound, validationError } from '../../kernel/errors.ts';
import { fileStorageFor, recordUpload } from '../../kernel/files/index.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import { checkLicenceId } from '../../kernel/identifiers/licence-id.ts';
import { organisationInJurisdiction } from '../directory/index.ts';
import { formatCheckpointNote } from './checkpoint.ts';
import { publicKeyPem } from './signing.ts';
import { renderLicence } from './render.ts';
import { sealImageSvg } from './seal-image.ts';
import {
  changeLicenceStatus,
  createSeal,
  findLicence,
  findLicenceType,
  getSeal,
  issueLicences,
  LICENCE_COLUMNS,
  LIFECYCLE,
  listLicenceTypes,
  listSeals,
  reissueLicence,
  saveLicenceType,
  revokeSeal,
  rotateSealKey,
  toStoredLicence,
  type LicensesDeps,
  type StoredLicence,
} from './service.ts';
import {
  checkSignature,
  currentStatus,
  licenceBundle,
  statusText,
  verificationPage,
  verifyLicence,
} from './verification.ts';
import { holderIndexOf, ownLicence } from './wallet.ts';
import { walletRoutes } from './wallet-routes.ts';
import { Nullable } from '../../kernel/schemas.ts';

const tags = ['licences'];
const security = SESSION_SECURITY;
const Algorithm = Type.Union([Type.Literal('sm2-sm3'), Type.Literal('ed25519')]);
const LicenceIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 120 }) });
const SealParams = Type.Object({ code: Type.String({ pattern: '^[0-9]{13}$' }) });
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Reason = Type.String({ minLength: 2, maxLength: 500 });

/** A well-formed identifier or a 400 naming the rule; lookups never reach the database with garbage. */
function licenceIdOf(id: string): string {
  const checked = checkLicenceId(id);
  if (!checked.ok)
    throw validationError([fieldError('id', checked.rule, checked.message, checked.messageEn)]);
  return checked.value;
}

export async function licenceRoutes(app: App, context: ModuleContext, deps: LicensesDeps): Promise<void> {
  const { db, auth, config } = context;
  const storage = fileStorageFor(config);

  /** A licence an administrator may act on: its issuing body within their jurisdiction (404 otherwise). */
  async function managedLicence(principal: Principal, id: string): Promise<StoredLicence> {
    const params: unknown[] = [licenceIdOf(id)];
    const clause = jurisdictionClause(principal, { region: 'o.region_code', organisation: 'o.id' }, params);
    const [row] = await db.query<Record<string, unknown>>(
      `select ${LICENCE_COLUMNS} from licence l join organisation o on o.id = l.organisation_id
        where l.id = $1 and ${clause}`,
      params,
    );
    if (!row) throw notFound(`No licence ${id}`);
    return toStoredLicence(deps.cipher, row);
  }

  /** The holder (a person, or a person acting for the holding enterprise) or an administrator of the issuer. */
  async function holderOrManager(request: FastifyRequest, id: string): Promise<StoredLicence> {
    const principal = request.principal!;
    if (principal.kind === 'staff') {
      if (!principal.permissions.has('licence.manage')) throw notFound(`No licence ${id}`);
      return managedLicence(principal, id);
    }
    let holderIndex: string;
    try {
      holderIndex = await holderIndexOf(deps, app.identity, principal);
    } catch (error) {
      // A person without a verified identity holds nothing: the licence is not found, as anyone else's.
      if (error instanceof AppError && error.code === 'forbidden') throw notFound(`No licence ${id}`);
      throw error;
    }
    return ownLicence(deps, db, holderIndex, licenceIdOf(id));
  }

  async function recordDownload(licence: StoredLicence, request: FastifyRequest, what: string) {
    await db.query(
      `insert into licence_access (licence_id, kind, outcome, accessor, purpose, ip) values ($1, 'download', 'allowed', $2, $3, $4)`,
      [
        licence.id,
        request.principal!.kind === 'staff' ? `${request.principal!.name}（发证机关）` : '持证人',
        what,
        request.ip,
      ],
    );
  }

  // ---- licence types -----------------------------------------------------------------
  app.get(
    '/api/v1/licence-types',
    { schema: { tags, summary: 'Licence types (证照类型) with their face fields' } },
    () => listLicenceTypes(db),
  );
  const FaceField = Type.Object({
    key: Type.String({ minLength: 1, maxLength: 40 }),
    label: Type.String({ minLength: 1, maxLength: 40 }),
    source: Type.String({
      minLength: 1,
      maxLength: 70,
      description:
        'holder.name | holder.identifier | issuer.name | item.name | case.number | issueDate | form.<field>',
    }),
    required: Type.Boolean(),
  });
  app.put(
    '/api/v1/licence-types/:code',
    {
      preHandler: auth.require('catalog.manage'),
      schema: {
        tags,
        security,
        summary: 'Create or change a licence type; issued licences keep what they were sealed with',
        params: Type.Object({ code: Type.String({ pattern: '^[0-9A-Z]{18}[0-9]{3}$' }) }),
        body: Type.Object({
          name: Type.String({ minLength: 2, maxLength: 40 }),
          holderKind: Type.Union([Type.Literal('person'), Type.Literal('enterprise')]),
          authority: Type.String({ minLength: 2, maxLength: 40 }),
          faceFields: Type.Array(FaceField, { minItems: 1, maxItems: 40 }),
          validityYears: Nullable(Type.Integer({ minimum: 1, maximum: 99 })),
          template: Type.Union([Type.Literal('certificate'), Type.Literal('card')]),
        }),
      },
    },
    async (request) => {
      const before = (await listLicenceTypes(db)).find((t) => t.code === request.params.code) ?? null;
      const saved = await saveLicenceType(db, { code: request.params.code, ...request.body });
      await audit(db, {
        ...actorOf(request),
        action: before ? 'licence_type.update' : 'licence_type.create',
        entity: 'licence_type',
        entityId: saved.code,
        before,
        after: saved,
      });
      return saved;
    },
  );

  // ---- seals -------------------------------------------------------------------------
  const sealsOf = (principal: Principal) =>
    principal.jurisdiction?.organisationIds.length ? principal.jurisdiction.organisationIds : null;
  async function managedSeal(principal: Principal, code: string) {
    const seal = await getSeal(db, code);
    await organisationInJurisdiction(db, principal, seal.organisationId, `Seal ${code}`);
    return seal;
  }

  // A seal's impression is printed on every licence it seals: not a secret, and not the seal.
  app.get(
    '/api/v1/seals/:code/image.svg',
    { schema: { tags, summary: 'The seal impression (印模) as SVG', params: SealParams } },
    async (request, reply) => {
      const seal = await getSeal(db, request.params.code);
      reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400');
      return sealImageSvg({ organisationName: seal.organisationName, sealName: seal.name, code: seal.code });
    },
  );
  app.get(
    '/api/v1/seals',
    {
      preHandler: auth.require('seal.manage'),
      schema: { tags, security, summary: 'E-seals (电子印章) with their public keys' },
    },
    async (request) => listSeals(db, { organisationIds: sealsOf(request.principal!) }),
  );
  app.post(
    '/api/v1/seals',
    {
      preHandler: auth.require('seal.manage'),
      schema: {
        tags,
        security,
        summary:
          'Create a seal of an organisation with a key per algorithm; the public keys go into the transparency log',
        body: Type.Object({
          organisationId: Type.Integer({ minimum: 1 }),
          name: Type.Optional(Type.String({ minLength: 2, maxLength: 40 })),
          algorithms: Type.Optional(Type.Array(Algorithm, { minItems: 1, maxItems: 2, uniqueItems: true })),
        }),
      },
    },
    async (request, reply) => {
      await organisationInJurisdiction(
        db,
        request.principal!,
        request.body.organisationId,
        'The organisation',
      );
      const seal = await createSeal(deps, request.body);
      await audit(db, {
        ...actorOf(request),
        action: 'seal.create',
        entity: 'seal',
        entityId: seal.code,
        after: { name: seal.name, keys: seal.keys.map((k) => k.keyId) },
      });
      return reply.code(201).send(seal);
    },
  );
  app.post(
    '/api/v1/seals/:code/rotate',
    {
      preHandler: auth.require('seal.manage'),
      schema: {
        tags,
        security,
        summary: 'Rotate a seal key: a new key signs from now on; the old key stays verifiable',
        params: SealParams,
        body: Type.Object({ algorithm: Algorithm }),
      },
    },
    async (request) => {
      await managedSeal(request.principal!, request.params.code);
      const seal = await rotateSealKey(deps, request.params.code, request.body.algorithm);
      await audit(db, {
        ...actorOf(request),
        action: 'seal.rotate',
        entity: 'seal',
        entityId: seal.code,
        after: { algorithm: request.body.algorithm },
      });
      return seal;
    },
  );
  app.post(
    '/api/v1/seals/:code/revoke',
    {
      preHandler: auth.require('seal.manage'),
      schema: {
        tags,
        security,
        summary: 'Revoke a seal from an instant on: later signatures are invalid, earlier ones stand',
        params: SealParams,
        body: Type.Object({ from: Type.Optional(Type.String({ format: 'date-time' })), reason: Reason }),
      },
    },
    async (request) => {
      await managedSeal(request.principal!, request.params.code);
      const from = request.body.from ? new Date(request.body.from) : new Date();
      const seal = await revokeSeal(deps, request.params.code, { from, reason: request.body.reason });
      await audit(db, {
        ...actorOf(request),
        action: 'seal.revoke',
        entity: 'seal',
        entityId: seal.code,
        after: { from: from.toISOString(), reason: request.body.reason },
      });
      return seal;
    },
  );

  // ---- issuance and lifecycle (administrators of the issuing body) ---------------------
  const FaceInput = Type.Record(
    Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,39}$' }),
    Type.String({ maxLength: 4000 }),
  );
  app.post(
    '/api/v1/licenses',
    {
      preHandler: auth.require('licence.manage'),
      schema: {
        tags,
        security,
        summary:
          'Issue a licence by hand (e.g. a migrated paper licence): sealed, logged, in the holder’s wallet',
        body: Type.Object({
          type: Type.String({ minLength: 2, maxLength: 40, description: 'Licence type code or name' }),
          organisationId: Type.Integer({ minimum: 1 }),
          holder: Type.Object({
            kind: Type.Union([Type.Literal('person'), Type.Literal('enterprise')]),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            identifier: Type.String({
              minLength: 18,
              maxLength: 18,
              description: 'ID number or credit code',
            }),
          }),
          face: FaceInput,
          issueDate: Type.Optional(DateString),
          validFrom: Type.Optional(DateString),
          validUntil: Type.Optional(Nullable(DateString)),
          algorithm: Type.Optional(Algorithm),
        }),
      },
    },
    async (request, reply) => {
      await organisationInJurisdiction(
        db,
        request.principal!,
        request.body.organisationId,
        'The issuing organisation',
      );
      const [issued] = await issueLicences(deps, [request.body], request.principal!.sub);
      await audit(db, {
        ...actorOf(request),
        action: 'licence.issue',
        entity: 'licence',
        entityId: issued!.id,
        after: { type: issued!.data.licenceType.name },
      });
      return reply.code(201).send(issued);
    },
  );

  app.get(
    '/api/v1/licenses',
    {
      preHandler: auth.require('licence.manage'),
      schema: {
        tags,
        security,
        summary: 'Licences issued in the jurisdiction',
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union(
              ['valid', 'suspended', 'revoked', 'expired', 'superseded'].map((s) => Type.Literal(s)),
            ),
          ),
          typeCode: Type.Optional(Type.String({ maxLength: 21 })),
          page: Type.Integer({ minimum: 1, default: 1 }),
          size: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const params: unknown[] = [q.status ?? null, q.typeCode ?? null];
      const clause = jurisdictionClause(
        request.principal!,
        { region: 'o.region_code', organisation: 'o.id' },
        params,
      );
      params.push(q.size, (q.page - 1) * q.size);
      const rows = await db.query<Record<string, unknown>>(
        `select l.id, l.type_code, t.name as type_name, l.holder_kind, l.holder_name, l.status, l.signed_at,
                to_char(l.valid_until, 'YYYY-MM-DD') as valid_until, o.name as organisation_name, count(*) over () as total
           from licence l join organisation o on o.id = l.organisation_id join licence_type t on t.code = l.type_code
          where ($1::text is null or l.status = $1) and ($2::text is null or l.type_code = $2) and ${clause}
          order by l.signed_at desc limit $${params.length - 1} offset $${params.length}`,
        params,
      );
      return {
        items: rows.map((r) => ({
          id: r.id,
          typeCode: r.type_code,
          typeName: r.type_name,
          holderKind: r.holder_kind,
          holderName: r.holder_name,
          status: r.status,
          signedAt: (r.signed_at as Date).toISOString(),
          validUntil: r.valid_until,
          organisationName: r.organisation_name,
        })),
        total: Number(rows[0]?.total ?? 0),
        page: q.page,
        size: q.size,
      };
    },
  );

  app.post(
    '/api/v1/licenses/:id/actions/:action',
    {
      preHandler: auth.require('licence.manage'),
      schema: {
        tags,
        security,
        summary: 'Suspend, reinstate or revoke a licence (with a reason); logged in the transparency log',
        params: Type.Object({
          id: LicenceIdParams.properties.id,
          action: Type.Union(Object.keys(LIFECYCLE).map((a) => Type.Literal(a))),
        }),
        body: Type.Object({ reason: Reason }),
      },
    },
    async (request) => {
      const licence = await managedLicence(request.principal!, request.params.id);
      const action = request.params.action as keyof typeof LIFECYCLE;
      const changed = await changeLicenceStatus(deps, licence.id, action, request.body.reason);
      await audit(db, {
        ...actorOf(request),
        action: `licence.${action}`,
        entity: 'licence',
        entityId: licence.id,
        before: { status: licence.status },
        after: { status: changed.status, reason: request.body.reason },
      });
      return { id: changed.id, status: changed.status, statusReason: changed.statusReason };
    },
  );

  app.post(
    '/api/v1/licenses/:id/versions',
    {
      preHandler: auth.require('licence.manage'),
      schema: {
        tags,
        security,
        summary: 'Change a licence (变更): a new version is sealed and logged; the old one is superseded',
        params: LicenceIdParams,
        body: Type.Object({
          face: Type.Optional(FaceInput),
          holderName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          validUntil: Type.Optional(Nullable(DateString)),
        }),
      },
    },
    async (request, reply) => {
      const licence = await managedLicence(request.principal!, request.params.id);
      const issued = await reissueLicence(deps, licence.id, request.body, request.principal!.sub);
      await audit(db, {
        ...actorOf(request),
        action: 'licence.reissue',
        entity: 'licence',
        entityId: licence.id,
        after: { newVersion: issued.id },
      });
      return reply.code(201).send(issued);
    },
  );

  // ---- the holder's and the issuer's copies ------------------------------------------
  app.get(
    '/api/v1/licenses/:id/bundle',
    {
      preHandler: auth.signedIn(),
      schema: {
        tags,
        security,
        summary:
          'The licence file (JSON): data, seal signature, log entries and proofs for offline verification',
        params: LicenceIdParams,
      },
    },
    async (request, reply) => {
      const licence = await holderOrManager(request, request.params.id);
      await recordDownload(licence, request, '下载证照文件');
      noStore(reply);
      reply.header('content-disposition', `attachment; filename="licence-${licence.version}.json"`);
      return licenceBundle(deps, licence);
    },
  );

  app.get(
    '/api/v1/licenses/:id/pdf',
    {
      preHandler: auth.signedIn(),
      schema: {
        tags,
        security,
        summary: 'The licence as PDF with its seal and QR code (rendered on first download, then kept)',
        params: LicenceIdParams,
      },
    },
    async (request, reply) => {
      const licence = await holderOrManager(request, request.params.id);
      const sha256 = await renderedPdf(db, licence);
      await recordDownload(licence, request, '下载证照PDF');
      noStore(reply);
      reply.type('application/pdf');
      reply.header(
        'content-disposition',
        `attachment; filename*=UTF-8''${encodeURIComponent(`${licence.data.licenceType.name}.pdf`)}`,
      );
      return reply.send(await storage.get(sha256));
    },
  );

  /** The stored rendering, or a new one (the issuance path never renders). */
  async function renderedPdf(db: Queryable, licence: StoredLicence): Promise<string> {
    if (licence.renderedUploadId) {
      const [row] = await db.query<{ sha256: string }>(`select sha256 from file_upload where id = $1`, [
        licence.renderedUploadId,
      ]);
      if (row) return row.sha256;
    }
    const type = (await findLicenceType(db, licence.typeCode))!;
    const bundle = await licenceBundle(deps, licence);
    const seal = await checkSignature(db, licence);
    const now = new Date();
    const status = currentStatus(licence, now);
    const bytes = Buffer.from(
      await renderLicence({
        title: type.name,
        template: type.template,
        id: licence.id,
        fields: type.faceFields
          .filter((f) => licence.data.face[f.key] !== undefined)
          .map((f) => ({ label: f.label, value: licence.data.face[f.key]! })),
        holderName: licence.data.holder.name,
        issuerName: licence.data.issuer.name,
        issueDate: licence.data.issueDate,
        validity: licence.data.validUntil
          ? `${chinese(licence.data.validFrom)}至${chinese(licence.data.validUntil)}`
          : `${chinese(licence.data.validFrom)}起长期`,
        seal: {
          organisationName: licence.data.issuer.name,
          sealName: seal.sealName,
          code: seal.sealCode,
        },
        verifyUrl: `${config.publicUrl}/verify/licenses/${encodeURIComponent(licence.id)}`,
        bundleJson: JSON.stringify(bundle, null, 2),
        status: status === 'valid' ? null : statusText(status).zh,
      }),
    );
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await storage.put(sha256, bytes);
    const upload = await recordUpload(
      db,
      { sha256, size: bytes.length, mediaType: 'application/pdf', filename: `${licence.id}.pdf` },
      null,
    );
    // Only a valid licence's rendering is kept: a later status change must show on the next download.
    if (status === 'valid')
      await db.query(`update licence set rendered_upload_id = $2 where id = $1`, [licence.id, upload.id]);
    return sha256;
  }

  // ---- public verification -----------------------------------------------------------
  app.get(
    '/api/v1/licenses/:id/verification',
    {
      schema: {
        tags,
        summary:
          'Public verification (no sign-in): status, issuer, masked face, seal signature and log inclusion proof',
        params: LicenceIdParams,
      },
    },
    async (request, reply) => {
      const licence = await findLicence(deps, db, licenceIdOf(request.params.id));
      if (!licence) throw notFound(`No licence ${request.params.id}`);
      noStore(reply);
      return verifyLicence(deps, licence, { ip: request.ip });
    },
  );

  app.get(
    '/verify/licenses/:id',
    { schema: { hide: true, params: Type.Object({ id: Type.String({ maxLength: 200 }) }) } },
    async (request, reply) => {
      const checked = checkLicenceId(request.params.id);
      const licence = checked.ok ? await findLicence(deps, db, checked.value) : null;
      noStore(reply);
      reply.type('text/html; charset=utf-8');
      if (!licence) {
        reply.code(404);
        return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>电子证照核验</title></head><body><main><h1>未找到该电子证照</h1><p lang="en">No licence has this identifier.</p></main></body></html>`;
      }
      return verificationPage(await verifyLicence(deps, licence, { ip: request.ip }));
    },
  );

  // ---- the transparency log ----------------------------------------------------------
  const logTags = ['licence log'];
  app.get(
    '/api/v1/licence-log',
    {
      schema: {
        tags: logTags,
        summary: 'The log: origin, size and the public key that signs its checkpoints',
      },
    },
    async () => {
      const size = await deps.log.sync(db);
      const head = deps.log.head;
      return {
        origin: head.origin,
        size,
        keyId: head.keyId,
        algorithm: head.algorithm,
        publicKey: head.publicKey,
        publicKeyPem: publicKeyPem(deps.log.publicKey),
      };
    },
  );
  app.get(
    '/api/v1/licence-log/key.pem',
    { schema: { tags: logTags, summary: 'The log’s public key (PEM), for `tongban verify --log-key`' } },
    async (_request, reply) => {
      reply.type('application/x-pem-file');
      return publicKeyPem(deps.log.publicKey);
    },
  );
  app.get(
    '/api/v1/licence-log/checkpoint',
    {
      schema: {
        tags: logTags,
        summary: 'The latest signed checkpoint (JSON, or the signed note with ?format=note)',
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('note')])),
        }),
      },
    },
    async (request, reply) => {
      const checkpoint = (await deps.log.latestCheckpoint(db)) ?? (await deps.log.checkpoint(db));
      if (request.query.format === 'note') {
        reply.type('text/plain; charset=utf-8');
        return formatCheckpointNote(checkpoint);
      }
      return checkpoint;
    },
  );
  app.get(
    '/api/v1/licence-log/checkpoints',
    {
      schema: {
        tags: logTags,
        summary: 'Recent checkpoints, newest first',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
      },
    },
    async (request) => deps.log.checkpoints(db, request.query.limit),
  );
  app.post(
    '/api/v1/licence-log/checkpoints',
    {
      preHandler: auth.require('licence.manage'),
      schema: { tags: logTags, security, summary: 'Sign a checkpoint now (when the log grew)' },
    },
    async (_request, reply) => reply.code(201).send(await deps.log.checkpoint(db)),
  );
  const sizeOf = async (treeSize: number | undefined) => {
    const size = await deps.log.sync(db);
    const chosen = treeSize ?? (await deps.log.latestCheckpoint(db))?.treeSize ?? size;
    if (chosen > size)
      throw validationError([
        fieldError('treeSize', 'maximum', `日志目前只有${size}条`, `The log holds ${size} entries`),
      ]);
    return chosen;
  };
  app.get(
    '/api/v1/licence-log/proofs/inclusion',
    {
      schema: {
        tags: logTags,
        summary: 'Inclusion proof of an entry in a tree size (default: the latest checkpoint’s)',
        querystring: Type.Object({
          index: Type.Integer({ minimum: 0 }),
          treeSize: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
      },
    },
    async (request) => {
      const treeSize = await sizeOf(request.query.treeSize);
      if (request.query.index >= treeSize)
        throw validationError([
          fieldError('index', 'maximum', '条目序号应小于树大小', 'index must be below treeSize'),
        ]);
      const proof = await deps.log.inclusionProof(db, request.query.index, treeSize);
      const entry = (await deps.log.entries(db, [request.query.index])).get(request.query.index)!;
      return { ...proof, entry };
    },
  );
  app.get(
    '/api/v1/licence-log/proofs/consistency',
    {
      schema: {
        tags: logTags,
        summary: 'Consistency proof between two tree sizes: the newer tree extends the older one',
        querystring: Type.Object({
          from: Type.Integer({ minimum: 1 }),
          to: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
      },
    },
    async (request) => {
      const to = await sizeOf(request.query.to);
      if (request.query.from > to)
        throw validationError([
          fieldError('from', 'maximum', '起始大小不能大于目标大小', 'from must not exceed to'),
        ]);
      return {
        oldSize: request.query.from,
        newSize: to,
        hashes: await deps.log.consistencyProof(db, request.query.from, to),
      };
    },
  );
  app.get(
    '/api/v1/licence-log/entries',
    {
      schema: {
        tags: logTags,
        summary: 'Entries [start, end) for monitors that replay the log (at most 1000)',
        querystring: Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 1 }) }),
      },
    },
    async (request) => {
      const { start, end } = request.query;
      if (end <= start || end - start > 1000)
        throw validationError([
          fieldError(
            'end',
            'range',
            '结束序号应大于起始序号且最多1000条',
            'end must exceed start by at most 1000',
          ),
        ]);
      const rows = await db.query<{ idx: string; data: string }>(
        `select idx, data from transparency_log_entry where log_name = $1 and idx >= $2 and idx < $3 order by idx`,
        [deps.log.name, start, end],
      );
      return rows.map((r) => ({ index: Number(r.idx), entry: JSON.parse(r.data) as unknown }));
    },
  );

  walletRoutes(app, context, deps);
}

function chinese(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}
