import { escapeHtml } from '../../kernel/html.ts';
import { Type } from 'typebox';
import { noStore, SESSION_SECURITY, type Principal } from '../../kernel/auth.ts';
import { readChain, verifyChain } from '../../kernel/chain.ts';
import { notFound } from '../../kernel/errors.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import {
  CASE_ACTIONS,
  CASE_STATUSES,
  STATUS_NAMES,
  ACTION_NAMES,
  allowedActions,
  workflowContext,
} from './workflow.ts';
import { casesOfApplicant, isApplicantOf, readClocks, staffMaySee, timeline, workbench } from './read.ts';
import { caseCalendar, takeStep, type CaseActor, type CaseSettings } from './service.ts';
import { findCase, type CaseRow } from './store.ts';
import { sweepDeadlines } from './clocks.ts';
import { DOCUMENT_SUBSCRIBER, documentsOf, produceDocument, verifyDocument } from './case-documents.ts';
import { CASE_TOPICS, type CaseStepEvent } from './events.ts';
import { fileStorageFor, MEDIA_TYPES } from '../../kernel/files/index.ts';
import { statisticsRoute } from './statistics.ts';
import { AuditTrail, CaseDetail, CaseDocuments, CaseTimeline, StepResult, WorkbenchPage } from './schemas.ts';

const CASE_PERMISSIONS = [
  'case.receive',
  'case.accept',
  'case.review',
  'case.decide',
  'case.extend',
] as const;

/** Material types a browser previews inline (PDF viewer, images); never HTML or SVG. */
const INLINE_MEDIA_TYPES = new Set<string>([MEDIA_TYPES.pdf, MEDIA_TYPES.jpeg, MEDIA_TYPES.png]);

const Paging = {
  page: Type.Integer({ minimum: 1, maximum: 10_000, default: 1 }),
  size: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
};
const CaseId = Type.Object({ id: Type.String({ format: 'uuid' }) });

const StepBody = Type.Object(
  {
    version: Type.Integer({
      minimum: 1,
      description: 'The case version you saw (optimistic concurrency): a stale one gets 409',
    }),
    reason: Type.Optional(
      Type.String({
        maxLength: 2000,
        description: 'Written reason (不予受理, 补正, 不予许可, 挂起, 延期, 退件 ...)',
      }),
    ),
    stage: Type.Optional(
      Type.String({ maxLength: 40, description: 'Review opinions: the stage (default: the one due)' }),
    ),
    branch: Type.Optional(
      Type.String({ maxLength: 40, description: 'Parallel review: the branch (default: your department’s)' }),
    ),
    needed: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            problem: Type.String({ minLength: 1, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
        {
          maxItems: 100,
          description: '补正 notice (一次性告知): every material to supply and what is wrong with it',
        },
      ),
    ),
    supplied: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200 }), uploadId: Type.String({ format: 'uuid' }) },
          { additionalProperties: false },
        ),
        { maxItems: 100, description: 'Supplement: your uploads for the materials of the notice' },
      ),
    ),
    days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3650, description: 'Extension (延期) in working days' }),
    ),
    expectedDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 365, description: 'Special procedure: expected working days' }),
    ),
  },
  { additionalProperties: false },
);

/** The staff member as an actor on cases: their permissions, roles and the departments they act for. */
export function staffActor(principal: Principal): CaseActor {
  const limitedTo = principal.jurisdiction?.organisationIds ?? [];
  const organisations = new Set<number>(limitedTo);
  if (principal.organisationId) organisations.add(principal.organisationId);
  return {
    anyOrganisation: limitedTo.length === 0,
    sub: principal.sub,
    onBehalfOf: null,
    applicant: false,
    permissions: principal.permissions,
    roles: principal.roles,
    organisations,
  };
}

function applicantActor(principal: Principal): CaseActor {
  return {
    sub: principal.sub,
    onBehalfOf: principal.acting ? `enterprise:${principal.acting.uscc}` : null,
    applicant: true,
    permissions: new Set(),
    roles: [],
    organisations: new Set(),
  };
}

export function casesRoutes(settings: CaseSettings) {
  return async function routes(app: App, { db, auth, config, outbox }: ModuleContext): Promise<void> {
    const tags = ['cases'];
    const security = SESSION_SECURITY;
    const staff = auth.require(...CASE_PERMISSIONS, 'supervision.read');

    app.jobs.push({ name: 'cases.deadlines', everyMs: 60_000, run: () => sweepDeadlines(db, settings) });
    const storage = fileStorageFor(config);
    outbox.subscribe<CaseStepEvent>(DOCUMENT_SUBSCRIBER, CASE_TOPICS.transitioned, async (event) => {
      await produceDocument(db, storage, config.publicUrl, event);
    });

    /** The case and how the caller sees it: as staff (in jurisdiction), as its applicant, or not at all (404). */
    async function access(
      principal: Principal,
      id: string,
    ): Promise<{ c: CaseRow; actor: CaseActor; staff: boolean }> {
      const c = await findCase(db, id);
      if (c) {
        if (principal.kind === 'staff' && (await staffMaySee(db, principal, id))) {
          return { c, actor: staffActor(principal), staff: true };
        }
        if (isApplicantOf(principal, c)) return { c, actor: applicantActor(principal), staff: false };
      }
      throw notFound(`No case ${id}`);
    }

    app.get(
      '/api/v1/cases',
      {
        preHandler: staff,
        schema: {
          tags,
          security,
          summary:
            'Workbench: cases in your jurisdiction, most urgent first (mine = open tasks for my roles, in my departments or, when my jurisdiction names none, in any department of it)',
          querystring: Type.Object({
            view: Type.Enum(['mine', 'department', 'all'], { default: 'mine' }),
            overdue: Type.Optional(Type.Boolean()),
            itemCode: Type.Optional(Type.String({ maxLength: 80 })),
            applicant: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 100,
                description: 'Name prefix, credit code or subject',
              }),
            ),
            status: Type.Optional(Type.Array(Type.Enum([...CASE_STATUSES]), { maxItems: 14 })),
            open: Type.Optional(Type.Boolean({ description: 'Only running cases (default true)' })),
            receivedFrom: Type.Optional(
              Type.String({ format: 'date', description: 'Received on or after this day (China time)' }),
            ),
            receivedTo: Type.Optional(
              Type.String({ format: 'date', description: 'Received on or before this day (China time)' }),
            ),
            ...Paging,
          }),
          response: { 200: WorkbenchPage },
        },
      },
      async (request, reply) => {
        noStore(reply);
        const q = request.query;
        const view = q.view as 'mine' | 'department' | 'all';
        return workbench(db, request.principal!, { ...q, view }, await caseCalendar(db));
      },
    );

    statisticsRoute(app, { db, auth });

    app.get(
      '/api/v1/my/cases',
      {
        preHandler: auth.person(1),
        schema: {
          tags,
          security,
          summary: 'My cases (or, acting for an enterprise, its cases within my mandate), newest first',
          querystring: Type.Object(Paging),
        },
      },
      async (request, reply) => {
        noStore(reply);
        return casesOfApplicant(db, request.principal!, request.query.page, request.query.size);
      },
    );

    app.get(
      '/api/v1/cases/:id',
      {
        preHandler: auth.signedIn(),
        schema: {
          tags,
          security,
          summary: 'A case: form, materials, status, the actions open to you, tasks, clocks and timeline',
          params: CaseId,
          response: { 200: CaseDetail },
        },
      },
      async (request, reply) => {
        noStore(reply);
        const { c, actor, staff: asStaff } = await access(request.principal!, request.params.id);
        const calendar = await caseCalendar(db);
        const context = workflowContext(c.process, {
          accepted: c.acceptedAt !== null,
          extended: c.extensionDays > 0,
          opinions: c.opinions,
        });
        const clocks = await readClocks(db, c, calendar, settings.thresholds);
        return {
          id: c.id,
          number: c.number,
          applicationId: c.applicationId,
          applicationNumber: c.applicationNumber,
          status: c.status,
          statusName: STATUS_NAMES[c.status],
          version: c.version,
          item: { id: c.itemId, code: c.itemCode, name: c.itemName, versionId: c.itemVersionId },
          organisation: { id: c.organisationId, name: c.organisationName },
          regionCode: c.regionCode,
          applicant: asStaff ? c.applicant : { kind: c.applicant.kind, name: c.applicant.name },
          channel: c.channel,
          formData: c.formData,
          materials: c.materials,
          process: c.process,
          opinions: asStaff ? c.opinions : c.opinions.map(({ by: _by, ...o }) => o),
          submittedAt: c.submittedAt,
          acceptedAt: c.acceptedAt,
          decidedAt: c.decidedAt,
          endedAt: c.endedAt,
          extensionDays: c.extensionDays,
          paused: c.pausedSince !== null,
          clockState: c.clockState,
          allowedActions: allowedActions(c.status, context, actor).map((a) => ({
            action: a,
            name: ACTION_NAMES[a],
          })),
          clocks,
          timeline: await timeline(db, c.id, asStaff),
        };
      },
    );

    app.get(
      '/api/v1/cases/:id/timeline',
      {
        preHandler: auth.signedIn(),
        schema: {
          tags,
          security,
          summary:
            'Every step of the case: when, which role acted, the reason and what is needed from the applicant',
          params: CaseId,
          response: { 200: CaseTimeline },
        },
      },
      async (request, reply) => {
        noStore(reply);
        const { c, staff: asStaff } = await access(request.principal!, request.params.id);
        return { number: c.number, status: c.status, items: await timeline(db, c.id, asStaff) };
      },
    );

    app.post(
      '/api/v1/cases/:id/actions/:action',
      {
        preHandler: auth.signedIn(),
        schema: {
          tags,
          security,
          summary:
            'Take a step (接件, 受理, 补正告知, 审查, 决定, 办结, 撤件 ...): 409 when not allowed now or the version is stale',
          params: Type.Object({ id: Type.String({ format: 'uuid' }), action: Type.Enum([...CASE_ACTIONS]) }),
          body: StepBody,
          response: { 200: StepResult },
        },
      },
      async (request) => {
        const { c, actor } = await access(request.principal!, request.params.id);
        const after = await takeStep(db, c.id, { ...request.body, action: request.params.action }, actor, {
          settings,
        });
        return {
          id: after.id,
          number: after.number,
          status: after.status,
          statusName: STATUS_NAMES[after.status],
          version: after.version,
        };
      },
    );

    app.get(
      '/api/v1/cases/:id/documents',
      {
        preHandler: auth.signedIn(),
        schema: {
          tags,
          security,
          summary: 'Documents of the case (受理通知书, 补正材料通知书, 决定书 ...), oldest first',
          params: CaseId,
          response: { 200: CaseDocuments },
        },
      },
      async (request, reply) => {
        noStore(reply);
        const { c } = await access(request.principal!, request.params.id);
        return { items: await documentsOf(db, c.id) };
      },
    );

    app.get(
      '/api/v1/cases/:id/documents/:documentId',
      {
        preHandler: auth.signedIn(),
        schema: {
          tags,
          security,
          summary: 'One document of the case as PDF',
          params: Type.Object({
            id: Type.String({ format: 'uuid' }),
            documentId: Type.String({ format: 'uuid' }),
          }),
        },
      },
      async (request, reply) => {
        const { c } = await access(request.principal!, request.params.id);
        const document = (await documentsOf(db, c.id)).find((d) => d.id === request.params.documentId);
        if (!document) throw notFound(`No document ${request.params.documentId}`);
        noStore(reply);
        reply.type('application/pdf');
        reply.header(
          'content-disposition',
          `attachment; filename*=UTF-8''${encodeURIComponent(`${document.title}-${c.number}.pdf`)}`,
        );
        return reply.send(await storage.get(document.sha256));
      },
    );

    app.get(
      '/api/v1/cases/:id/materials/:sha256',
      {
        preHandler: auth.signedIn(),
        schema: {
          tags,
          security,
          summary:
            'The file of one material of the case, by its SHA-256 (PDF and images inline for preview, other types as a download)',
          params: Type.Object({
            id: Type.String({ format: 'uuid' }),
            sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
          }),
        },
      },
      async (request, reply) => {
        const { c } = await access(request.principal!, request.params.id);
        const material = c.materials.find((m) => m.sha256 === request.params.sha256);
        if (!material) throw notFound(`No material ${request.params.sha256} in case ${c.id}`);
        const mediaType = material.mediaType ?? 'application/octet-stream';
        const filename = material.filename ?? material.name;
        // Only types a browser shows without running anything are shown inline; the type was sniffed at upload.
        const inline = INLINE_MEDIA_TYPES.has(mediaType);
        noStore(reply);
        reply.type(mediaType);
        reply.header(
          'content-disposition',
          `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(filename)}`,
        );
        return reply.send(await storage.get(request.params.sha256));
      },
    );

    app.get(
      '/api/v1/case-documents/:code',
      {
        schema: {
          tags,
          summary: 'Public verification of a case document by the code in its QR link (no sign-in)',
          params: Type.Object({ code: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }) }),
        },
      },
      async (request) => {
        const verified = await verifyDocument(db, request.params.code);
        if (!verified) throw notFound('No document has this verification code');
        return verified;
      },
    );

    // The page behind the QR code until the web front end serves its own (issue 7).
    app.get(
      '/verify/case-documents/:code',
      { schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 100 }) }) } },
      async (request, reply) => {
        const verified = /^[A-Za-z0-9_-]{16,64}$/.test(request.params.code)
          ? await verifyDocument(db, request.params.code)
          : null;
        reply.type('text/html; charset=utf-8').code(verified ? 200 : 404);
        return verificationPage(verified);
      },
    );

    app.get(
      '/api/v1/cases/:id/audit',
      {
        preHandler: auth.require('audit.read', 'supervision.read'),
        schema: {
          tags,
          security,
          summary: 'The case’s hash-chained audit trail and whether the chain verifies',
          params: CaseId,
          response: { 200: AuditTrail },
        },
      },
      async (request, reply) => {
        noStore(reply);
        const principal = request.principal!;
        if (!(await staffMaySee(db, principal, request.params.id)))
          throw notFound(`No case ${request.params.id}`);
        const chain = `case:${request.params.id}`;
        return { verification: await verifyChain(db, chain), entries: await readChain(db, chain) };
      },
    );
  };
}

/** A plain, accessible page: the document is genuine (with what it says) or unknown. */
function verificationPage(verified: Awaited<ReturnType<typeof verifyDocument>>): string {
  const rows = verified
    ? [
        ['文书 Document', `${verified.title.zh} / ${verified.title.en}`],
        ['办件编号 Case number', verified.caseNumber],
        ['事项 Item', verified.itemName],
        ['出具单位 Issued by', verified.organisationName],
        ['出具时间 Issued at', verified.issuedAt.toISOString()],
        ['SHA-256', verified.sha256],
      ]
        .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
        .join('')
    : '';
  const heading = verified
    ? '✔ 文书真实有效 — This document is genuine'
    : '✘ 未找到该文书 — No document has this verification code';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>文书核验 Document verification</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1f1f1f}
th{text-align:left;padding:.3rem 1rem .3rem 0;vertical-align:top}td{word-break:break-all}</style></head>
<body><main><h1>${heading}</h1><table>${rows}</table></main></body></html>`;
}
