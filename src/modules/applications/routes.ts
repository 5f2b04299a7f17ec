import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { actorOf, noStore, SESSION_SECURITY } from '../../kernel/auth.ts';
import { fileStorageFor, readUpload, registerUploadParser } from '../../kernel/files/index.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import type { DeliveredEvent } from '../../kernel/outbox.ts';
import { CASE_TOPICS, caseSettings, type CaseStepEvent } from '../cases/index.ts';
import {
  APPLICATION_STATUSES,
  ApplicationSummary,
  ApplicationView,
  ChecklistEntry,
  DriveFile,
  PrecheckResult,
  Reuse,
  SaveDraft,
  StartApplication,
  Submit,
  SubmitResult,
  Uuid,
} from './model.ts';
import { materialExemptions } from './exemptions.ts';
import { listDrive } from './queries.ts';
import {
  completeIfAllEnded,
  deleteApplication,
  fillMaterials,
  MATERIAL_UPLOAD_LIMITS,
  myApplications,
  precheckApplication,
  progressOf,
  readApplication,
  removeMaterial,
  reuseDriveFile,
  uploadToDrive,
  saveDraft,
  startApplication,
  submitApplication,
  uploadMaterial,
  type ApplicationsDeps,
  type Caller,
} from './service.ts';
import { Nullable } from '../../kernel/schemas.ts';

const Page = {
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  size: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
};
const Params = Type.Object({ id: Uuid });
const MaterialParams = Type.Object({
  id: Uuid,
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Material name as in the checklist' }),
});
const WithFilled = Type.Object({
  ...ApplicationView.properties,
  filled: Type.Array(Type.String(), { description: 'Materials just filled from the registries (免提交)' }),
});
const Time = Type.String({ format: 'date-time' });
const CaseProgress = Type.Object(
  {
    caseId: Type.String(),
    number: Type.String(),
    part: Type.Integer(),
    itemCode: Type.String(),
    itemName: Type.String(),
    organisationName: Type.String(),
    status: Type.String(),
    statusName: Type.String(),
    statusNameEn: Type.String(),
    terminal: Type.Boolean(),
    currentStages: Type.Array(Type.String()),
    submittedAt: Time,
    acceptedAt: Nullable(Time),
    endedAt: Nullable(Time),
    promisedDeadline: Nullable(Time),
    clockState: Type.String(),
  },
  { additionalProperties: true },
);
const Progress = Type.Object({
  id: Type.String(),
  number: Nullable(Type.String()),
  status: Type.Enum([...APPLICATION_STATUSES]),
  title: Type.String(),
  bundleCode: Nullable(Type.String()),
  submittedAt: Nullable(Time),
  completedAt: Nullable(Time),
  cases: Type.Array(CaseProgress),
});

/** Subscriber name of the bundle-completion reaction (kernel outbox). */
export const PROGRESS_SUBSCRIBER = 'applications.progress';

export function applicationsRoutes(app: App, { db, config, auth, outbox }: ModuleContext): void {
  const deps: ApplicationsDeps = {
    db,
    identity: app.identity,
    storage: fileStorageFor(config),
    caseSettings: caseSettings(config),
    licences: app.licenses,
  };
  const tags = ['applications'];
  const security = SESSION_SECURITY;
  // Applying needs a verified real name; an enterprise applies through the person acting for it.
  const applicant = { preHandler: auth.person(2) };
  const caller = (request: FastifyRequest): Caller => ({
    principal: request.principal!,
    actor: actorOf(request),
  });

  // A bundle completes when its last case ends (idempotent: a repeated event finds it ended).
  outbox.subscribe<Partial<CaseStepEvent>>(
    PROGRESS_SUBSCRIBER,
    CASE_TOPICS.transitioned,
    async (event: DeliveredEvent<Partial<CaseStepEvent>>) => {
      if (event.payload.terminal && typeof event.payload.applicationId === 'string') {
        await completeIfAllEnded(db, event.payload.applicationId);
      }
    },
  );

  app.post(
    '/api/v1/applications',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'Start a draft application for an item, an implementation entry or a 一件事 bundle',
        description:
          "One part per item (a bundle: per item of the bundle), each bound to the implementation entry nearest to the region that offers it. Fields the platform knows are pre-filled and government materials the registries hold are filled (免提交). An enterprise applies through the person acting for it (items for legal persons, within an agent's mandate). 404 unknown item, entry or bundle; 400 bad or ambiguous target; 422 not offered in the region or not for this kind of applicant; 403 outside the agent's mandate.",
        body: StartApplication,
        response: { 201: WithFilled },
      },
    },
    async (request, reply) => {
      const { view, filled } = await startApplication(deps, caller(request), request.body);
      reply.code(201);
      return { ...view, filled };
    },
  );

  app.get(
    '/api/v1/applications/exemptions',
    {
      preHandler: auth.person(1),
      schema: {
        tags,
        security,
        summary: 'Which materials of an item the caller would not have to submit (免提交), for its guide',
        description:
          'Decided as applying decides it, without reading any record: a government material named as a valid licence the caller (or the enterprise they act for) holds, a population record once the real name is verified, the legal-entity record when acting for an enterprise. 404 for an unknown item.',
        querystring: Type.Object({
          item: Type.String({ minLength: 6, maxLength: 100, pattern: '^[0-9A-Z-]+$' }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                name: Type.String(),
                source: Type.Enum(['applicant', 'government']),
                exempt: Type.Boolean(),
                from: Nullable(Type.Enum(['licence', 'population', 'legal_entity'])),
              }),
            ),
          }),
        },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return { items: await materialExemptions(deps, request.principal!, request.query.item) };
    },
  );

  app.get(
    '/api/v1/applications',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'My applications (drafts and submitted), newest first',
        description:
          "A person acting for nobody sees their own applications; acting for an enterprise, the enterprise's (an agent: those it made or whose items its mandate covers).",
        querystring: Type.Object({ status: Type.Optional(Type.Enum([...APPLICATION_STATUSES])), ...Page }),
        response: {
          200: Type.Object({
            items: Type.Array(ApplicationSummary),
            total: Type.Integer(),
            page: Type.Integer(),
            size: Type.Integer(),
          }),
        },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const { status, page, size } = request.query;
      return { ...(await myApplications(db, request.principal!, { status, page, size })), page, size };
    },
  );

  app.get(
    '/api/v1/applications/:id',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'One application: its parts with form and form data, and the materials checklist',
        description:
          'The checklist says for every material the catalog lists whether it is provided and how (upload, drive, registry), and which are 免提交. 404 for an application the caller may not see.',
        params: Params,
        response: { 200: ApplicationView },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return readApplication(db, request.principal!, request.params.id);
    },
  );

  app.patch(
    '/api/v1/applications/:id',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'Save a draft: the forms of some of its parts',
        description:
          "Each part's formData replaces what was saved. Only the fields present are checked (a draft may be incomplete): 400 with errors naming parts[i].formData.<field>. 409 when the version is stale (currentVersion in the problem) or the application was submitted.",
        params: Params,
        body: SaveDraft,
        response: { 200: ApplicationView },
      },
    },
    async (request) => saveDraft(deps, caller(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/applications/:id',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'Delete a draft',
        description: '409 once submitted.',
        params: Params,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteApplication(deps, caller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  // Material files arrive as the raw request body, streamed through the kernel's upload gate.
  app.register(async (plain) => {
    const scope = plain as unknown as App;
    registerUploadParser(scope, { bodyLimit: MATERIAL_UPLOAD_LIMITS.maxBytes });
    scope.put(
      '/api/v1/applications/:id/materials/:name',
      {
        ...applicant,
        schema: {
          tags,
          security,
          summary: 'Upload a file as a material of a draft',
          description:
            "The body is the file (PDF, OFD, JPEG or PNG, at most 10 MB), its name in Content-Disposition (filename*=UTF-8''...). The content must be what the name and Content-Type say. 413 too large, 415 a type not allowed (executables, scripts ...), 422 content not matching its name, 404 a material the application does not need.",
          params: MaterialParams,
          response: { 200: ChecklistEntry },
        },
      },
      async (request) => {
        const { id, name } = request.params;
        return uploadMaterial(deps, caller(request), id, name, readUpload(request, name));
      },
    );
    scope.post(
      '/api/v1/drive/files',
      {
        ...applicant,
        schema: {
          tags,
          security,
          summary: 'Upload a file to my cloud drive (to supply a 补正 notice, or reuse in applications)',
          description:
            "The body is the file (PDF, OFD, JPEG or PNG, at most 10 MB), its name in Content-Disposition (filename*=UTF-8''...). 413 too large, 415 a type not allowed, 422 content not matching its name.",
          response: { 201: DriveFile },
        },
      },
      async (request, reply) => {
        const file = await uploadToDrive(deps, request.principal!.sub, readUpload(request, 'file'));
        return reply.code(201).send({ ...file, uploadedAt: file.uploadedAt.toISOString() });
      },
    );
  });

  app.post(
    '/api/v1/applications/:id/materials/:name/reuse',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'Attach a file of my cloud drive as a material of a draft',
        description: "Only the caller's own uploads: another person's file is a 404.",
        params: MaterialParams,
        body: Reuse,
        response: { 200: ChecklistEntry },
      },
    },
    async (request) => {
      const { id, name } = request.params;
      return reuseDriveFile(deps, caller(request), id, name, request.body.uploadId);
    },
  );

  app.delete(
    '/api/v1/applications/:id/materials/:name',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'Remove a material from a draft',
        params: MaterialParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await removeMaterial(deps, caller(request), request.params.id, request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/applications/:id/materials/fill',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'Fill the government materials the registries hold (免提交) again',
        description:
          "居民身份证 and 户口簿 from the population registry by the applicant's verified ID number, 营业执照 from the legal-entity registry by the enterprise's credit code. Files the applicant attached are left alone.",
        params: Params,
        response: { 200: WithFilled },
      },
    },
    async (request) => {
      const { view, filled } = await fillMaterials(deps, caller(request), request.params.id);
      return { ...view, filled };
    },
  );

  app.post(
    '/api/v1/applications/:id/prechecks',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'Run the pre-checks against the registries (名字与身份证号一致, enterprise active)',
        description: 'Submission runs them too and refuses with 422 naming a failed check.',
        params: Params,
        response: { 200: Type.Array(PrecheckResult) },
      },
    },
    async (request) => precheckApplication(deps, request.principal!, request.params.id),
  );

  app.post(
    '/api/v1/applications/:id/submit',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'Submit a draft: the application number and one case per part',
        description:
          'Send an Idempotency-Key: a retry gets the first answer and nothing is filed twice. 400 a form incomplete or invalid (errors name parts[i].formData.<field>); 422 a required material missing (容缺 ones may be: listed in toleratedMissing) or a pre-check failed; 409 already submitted or a stale version.',
        params: Params,
        body: Submit,
        response: { 201: SubmitResult },
      },
    },
    async (request, reply) => {
      const result = await submitApplication(deps, caller(request), request.params.id, request.body.version);
      reply.code(201);
      return result;
    },
  );

  app.get(
    '/api/v1/applications/:id/progress',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'Progress of an application: its status and every case (a bundle: one per item)',
        params: Params,
        response: { 200: Progress },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const progress = await progressOf(db, request.principal!, request.params.id);
      return {
        ...progress,
        cases: progress.cases.map((c) => ({
          ...c,
          submittedAt: c.submittedAt.toISOString(),
          acceptedAt: c.acceptedAt?.toISOString() ?? null,
          endedAt: c.endedAt?.toISOString() ?? null,
          promisedDeadline: c.promisedDeadline?.toISOString() ?? null,
        })),
      };
    },
  );

  app.get(
    '/api/v1/drive/files',
    {
      ...applicant,
      schema: {
        tags,
        security,
        summary: 'My cloud drive: the files I uploaded, newest first',
        querystring: Type.Object(Page),
        response: {
          200: Type.Object({
            items: Type.Array(DriveFile),
            total: Type.Integer(),
            page: Type.Integer(),
            size: Type.Integer(),
          }),
        },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const { page, size } = request.query;
      const { items, total } = await listDrive(db, request.principal!.sub, { page, size });
      return {
        items: items.map((f) => ({ ...f, uploadedAt: f.uploadedAt.toISOString() })),
        total,
        page,
        size,
      };
    },
  );
}
