import type { Principal } from '../../kernel/auth.ts';
import { assertItemInScope } from '../../kernel/auth.ts';
import { audit, type Actor } from '../../kernel/audit.ts';
import { maskIdNumber, maskPhone } from '../../kernel/crypto.ts';
import type { Database, Executor, Queryable } from '../../kernel/db.ts';
import {
  AppError,
  conflict,
  notFound,
  textFieldError,
  validationError,
  type FieldError,
} from '../../kernel/errors.ts';
import {
  getUpload,
  MEDIA_TYPES,
  receiveUpload,
  recordUpload,
  type FileStorage,
  type MaterialMediaType,
  type RawUpload,
} from '../../kernel/files/index.ts';
import { defineMessages } from '../../kernel/i18n.ts';
import { publish } from '../../kernel/outbox.ts';
import {
  caseCalendar,
  casesOfApplication,
  openCases,
  type CaseMaterial,
  type CaseSettings,
} from '../cases/index.ts';
import type { IdentityContext } from '../identity/index.ts';
import { verifiedIdentity } from '../identity/index.ts';
import { holderIndexOf, useHeldLicence, type LicensesDeps } from '../licenses/index.ts';
import { getEnterprise, getPerson } from '../registries/index.ts';
import { validateFormData, type FormSchemaLike } from './form-data.ts';
import { prefillForm } from './prefill.ts';
import {
  checklist,
  LICENCE_RECORD,
  licenceTypeFor,
  neededMaterials,
  registryFor,
  type NeededMaterial,
} from './materials.ts';
import type {
  ApplicationSummary,
  ApplicationView,
  ChecklistEntry,
  PrecheckResult,
  Registry,
  SaveDraft,
  StartApplication,
  SubmitResult,
} from './model.ts';
import { nextApplicationNumber } from './numbering.ts';
import {
  findBundle,
  findEntry,
  findPublishedItem,
  guideOf,
  nearestEntry,
  regionPath,
  type Audience,
  type Entry,
  type Guide,
  type PublishedItem,
} from './offers.ts';
import { assertPrechecksPass, runPrechecks } from './prechecks.ts';
import {
  bumpDraft,
  deleteDraft,
  deleteMaterial,
  findApplication,
  insertApplication,
  listApplications,
  markEnded,
  markSubmitted,
  touchDraft,
  updatePartForm,
  updatePartVersion,
  upsertMaterial,
  type Application,
  type MaterialRecord,
  type Part,
} from './queries.ts';

/**
 * The use cases of applications (申办): start a draft from an item, an entry or a bundle,
 * save and resume it, attach materials (upload, cloud drive, 免提交 registry fills),
 * pre-check, submit (number + cases in one transaction), follow progress, and complete a
 * bundle when its last case ends.
 */

export interface ApplicationsDeps {
  db: Database;
  identity: Pick<IdentityContext, 'cipher'>;
  storage: FileStorage;
  caseSettings: CaseSettings;
  /** The licences module's services: a licence the applicant holds fills the material of its name (免提交). */
  licences?: LicensesDeps;
}

/** How long the implementing body may read a held licence used as a material (the case's time and some). */
export const LICENCE_USE_DAYS = 90;

/** Who is acting: the principal (for scope) and the actor (for the audit trail). */
export interface Caller {
  principal: Principal;
  actor: Actor;
}

/** Limits of a material file. */
export const MATERIAL_UPLOAD_LIMITS: { maxBytes: number; allowed: readonly MaterialMediaType[] } = {
  maxBytes: 10 * 1024 * 1024,
  allowed: [MEDIA_TYPES.pdf, MEDIA_TYPES.ofd, MEDIA_TYPES.jpeg, MEDIA_TYPES.png],
};

/** Actor of the platform's own changes (bundle completion). */
export const SYSTEM_ACTOR: Actor = { actor: 'system:applications' };

defineMessages({
  'applications.start.target': {
    zh: '请指定事项（itemCode + regionCode）、实施清单（entryId 或 entryCode）或一件事（bundleId 或 bundleCode + regionCode）',
    en: 'give an item (itemCode with regionCode), an entry (entryId or entryCode) or a bundle (bundleId or bundleCode with regionCode)',
  },
  'applications.start.exclusive': {
    zh: '只能指定一个申办对象',
    en: 'only one thing may be applied for at a time',
  },
  'applications.start.regionUnknown': { zh: '未知的行政区划', en: 'is not a known region' },
  'applications.start.notOffered': {
    zh: '“{item}”在该地区不可申办',
    en: '"{item}" is not offered in this region',
  },
  'applications.start.audience': {
    zh: '“{item}”不面向{audience}办理',
    en: '"{item}" is not offered to {audienceEn}',
  },
  'applications.part.unknown': { zh: '申请中没有第{part}项', en: 'the application has no part {part}' },
  'applications.part.duplicate': { zh: '同一项不能重复提交', en: 'is given twice' },
  'applications.part.withdrawn': {
    zh: '“{item}”已停止办理',
    en: '"{item}" is no longer offered',
  },
  'applications.material.missing': {
    zh: '缺少必要材料“{name}”',
    en: 'the required material "{name}" is missing',
  },
  'applications.material.unknown': { zh: '申请不需要此材料', en: 'is not a material of this application' },
});

const AUDIENCE_NAMES: Record<Audience, { zh: string; en: string }> = {
  natural_person: { zh: '自然人', en: 'natural persons' },
  legal_person: { zh: '法人', en: 'legal persons' },
};

// ---- reading ----------------------------------------------------------------------------

/** An application the caller may see (404 otherwise: someone else's is not confirmed to exist). */
export async function visibleApplication(
  db: Queryable,
  principal: Principal,
  id: string,
): Promise<Application> {
  const application = await findApplication(db, principal, id);
  if (!application) throw notFound(`No application ${id}`);
  return application;
}

/** The guide in force for every part (null for a part whose entry was withdrawn). */
async function guidesOf(db: Queryable, parts: Part[]): Promise<Map<number, Guide | null>> {
  const guides = new Map<number, Guide | null>();
  for (const part of parts) guides.set(part.part, await guideOf(db, part.entryId));
  return guides;
}

function neededOf(application: Application, guides: Map<number, Guide | null>): NeededMaterial[] {
  return neededMaterials(
    application.parts.map((p) => ({
      part: p.part,
      itemCode: p.itemCode,
      materials: guides.get(p.part)?.materials ?? [],
    })),
  );
}

const iso = (d: Date | null) => d?.toISOString() ?? null;
const EMPTY_FORM: FormSchemaLike = { type: 'object', properties: {} };

function toView(application: Application, guides: Map<number, Guide | null>): ApplicationView {
  return {
    id: application.id,
    number: application.number,
    status: application.status,
    version: application.version,
    title: application.title,
    applicantKind: application.applicantKind,
    enterprise: application.enterprise,
    bundle: application.bundle,
    regionCode: application.regionCode,
    channel: application.channel,
    parts: application.parts.map((p) => ({
      part: p.part,
      item: {
        code: p.itemCode,
        name: p.itemName,
        versionId:
          application.status === 'draft'
            ? (guides.get(p.part)?.versionId ?? p.itemVersionId)
            : p.itemVersionId,
      },
      entry: { id: p.entryId, code: p.entryCode },
      organisation: { id: p.organisationId, name: p.organisationName },
      formData: p.formData,
      formSchema: (guides.get(p.part)?.formSchema ?? EMPTY_FORM) as Record<string, unknown>,
    })),
    materials: checklist(neededOf(application, guides), application.materials),
    createdAt: application.createdAt.toISOString(),
    updatedAt: application.updatedAt.toISOString(),
    submittedAt: iso(application.submittedAt),
    completedAt: iso(application.completedAt),
  };
}

/** The application as the applicant sees it: parts with their forms, and the materials checklist. */
export async function viewApplication(db: Queryable, application: Application): Promise<ApplicationView> {
  return toView(application, await guidesOf(db, application.parts));
}

export async function readApplication(
  db: Queryable,
  principal: Principal,
  id: string,
): Promise<ApplicationView> {
  return viewApplication(db, await visibleApplication(db, principal, id));
}

export async function myApplications(
  db: Queryable,
  principal: Principal,
  filter: { status?: ApplicationSummary['status'] | undefined; page: number; size: number },
): Promise<{ items: ApplicationSummary[]; total: number }> {
  const { items, total } = await listApplications(db, principal, filter);
  return {
    total,
    items: items.map((a) => ({
      id: a.id,
      number: a.number,
      status: a.status,
      title: a.title,
      applicantKind: a.applicantKind,
      enterprise: a.enterprise,
      bundleCode: a.bundle?.code ?? null,
      parts: a.parts,
      createdAt: a.createdAt.toISOString(),
      updatedAt: a.updatedAt.toISOString(),
      submittedAt: iso(a.submittedAt),
    })),
  };
}

// ---- starting a draft -------------------------------------------------------------------

type Target =
  | { kind: 'item'; itemCode: string; regionCode: string }
  | { kind: 'entry'; by: { id: number } | { code: string } }
  | { kind: 'bundle'; by: { id: number } | { code: string }; regionCode: string };

/** Which one thing the request applies for; 400 naming the fields when it is not exactly one. */
function targetOf(input: StartApplication): Target {
  const given = (['itemCode', 'entryId', 'entryCode', 'bundleId', 'bundleCode'] as const).filter(
    (k) => input[k] !== undefined,
  );
  if (given.length === 0) {
    throw validationError([textFieldError('itemCode', 'required', 'applications.start.target')]);
  }
  if (given.length > 1) {
    throw validationError(
      given.slice(1).map((k) => textFieldError(k, 'exclusive', 'applications.start.exclusive')),
    );
  }
  const needRegion = () => {
    if (input.regionCode === undefined) {
      throw validationError([textFieldError('regionCode', 'required', 'rule.required')]);
    }
    return input.regionCode;
  };
  if (input.itemCode !== undefined)
    return { kind: 'item', itemCode: input.itemCode, regionCode: needRegion() };
  if (input.entryId !== undefined) return { kind: 'entry', by: { id: input.entryId } };
  if (input.entryCode !== undefined) return { kind: 'entry', by: { code: input.entryCode } };
  const by = input.bundleId !== undefined ? { id: input.bundleId } : { code: input.bundleCode! };
  return { kind: 'bundle', by, regionCode: needRegion() };
}

interface Offer {
  item: PublishedItem;
  entry: Entry;
}

const audienceOf = (principal: Principal): Audience => (principal.acting ? 'legal_person' : 'natural_person');

function assertAudience(principal: Principal, item: { name: string; audience: Audience[] }, field: string) {
  const audience = audienceOf(principal);
  if (!item.audience.includes(audience)) {
    throw new AppError('unprocessable', `${item.name} is not offered to ${AUDIENCE_NAMES[audience].en}`, [
      textFieldError(field, 'audience', 'applications.start.audience', {
        item: item.name,
        audience: AUDIENCE_NAMES[audience].zh,
        audienceEn: AUDIENCE_NAMES[audience].en,
      }),
    ]);
  }
}

async function pathOf(db: Queryable, regionCode: string): Promise<string[]> {
  const path = await regionPath(db, regionCode);
  if (!path)
    throw validationError([textFieldError('regionCode', 'exists', 'applications.start.regionUnknown')]);
  return path;
}

async function offerIn(db: Queryable, item: PublishedItem, path: string[]): Promise<Offer> {
  const entry = await nearestEntry(db, item.itemId, path);
  if (!entry) {
    throw new AppError('unprocessable', `${item.name} is not offered in region ${path.at(-1)}`, [
      textFieldError('regionCode', 'offered', 'applications.start.notOffered', { item: item.name }),
    ]);
  }
  return { item, entry };
}

/** What the target resolves to: the offers (one per part), the title, the bundle and the region. */
async function resolveTarget(
  db: Queryable,
  principal: Principal,
  target: Target,
): Promise<{
  offers: Offer[];
  title: string;
  bundle: { id: number; code: string } | null;
  regionCode: string;
}> {
  switch (target.kind) {
    case 'item': {
      const item = await findPublishedItem(db, target.itemCode);
      if (!item) throw notFound(`No published item ${target.itemCode}`);
      const path = await pathOf(db, target.regionCode);
      assertAudience(principal, item, 'itemCode');
      assertItemInScope(principal, item.itemCode);
      return {
        offers: [await offerIn(db, item, path)],
        title: item.name,
        bundle: null,
        regionCode: target.regionCode,
      };
    }
    case 'entry': {
      const found = await findEntry(db, target.by);
      if (!found) throw notFound('No published implementation entry');
      assertAudience(principal, found.item, 'id' in target.by ? 'entryId' : 'entryCode');
      assertItemInScope(principal, found.item.itemCode);
      const { item, ...entry } = found;
      return { offers: [{ item, entry }], title: item.name, bundle: null, regionCode: entry.regionCode };
    }
    case 'bundle': {
      const bundle = await findBundle(db, target.by);
      if (!bundle) throw notFound('No published bundle');
      const path = await pathOf(db, target.regionCode);
      const field = 'id' in target.by ? 'bundleId' : 'bundleCode';
      assertAudience(principal, { name: bundle.name, audience: [bundle.audience] }, field);
      const offers: Offer[] = [];
      for (const code of bundle.itemCodes) {
        const item = await findPublishedItem(db, code);
        if (!item) continue; // retired since the bundle was made: the bundle goes on without it
        assertAudience(principal, item, field);
        assertItemInScope(principal, item.itemCode);
        offers.push(await offerIn(db, item, path));
      }
      if (offers.length === 0) throw notFound('The bundle has no published item');
      return {
        offers,
        title: bundle.name,
        bundle: { id: bundle.id, code: bundle.code },
        regionCode: target.regionCode,
      };
    }
  }
}

/** Masks ID and phone numbers in form data for the audit trail. */
function maskForm(formData: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(formData).map(([k, v]) => {
      if (typeof v !== 'string') return [k, v];
      if (/^[0-9]{17}[0-9Xx]$/.test(v)) return [k, maskIdNumber(v)];
      if (/^1[3-9][0-9]{9}$/.test(v)) return [k, maskPhone(v)];
      return [k, v];
    }),
  );
}

/** Starts a draft: one part per item (a bundle: per item of the bundle), each bound to its entry; fills 免提交 materials. */
export async function startApplication(
  deps: ApplicationsDeps,
  caller: Caller,
  input: StartApplication,
): Promise<{ view: ApplicationView; filled: string[] }> {
  const { db } = deps;
  const { principal } = caller;
  const target = targetOf(input);
  const { offers, title, bundle, regionCode } = await resolveTarget(db, principal, target);
  const identity = await verifiedIdentity(deps.identity, db, principal.sub);
  const acting = principal.acting;
  const enterprise = acting ? { id: acting.enterpriseId, uscc: acting.uscc, name: acting.name } : null;
  const kind = enterprise ? 'enterprise' : 'person';
  const parts: Omit<Part, 'part'>[] = [];
  for (const { item, entry } of offers) {
    const guide = await guideOf(db, entry.entryId);
    parts.push({
      itemId: item.itemId,
      itemCode: item.itemCode,
      itemName: item.name,
      itemVersionId: item.versionId,
      entryId: entry.entryId,
      entryCode: entry.entryCode,
      organisationId: entry.organisationId,
      organisationName: entry.organisationName,
      formData: guide ? prefillForm(guide.formSchema, { kind, identity, enterprise }) : {},
    });
  }
  const { id, filled } = await db.transaction(async (tx) => {
    const id = await insertApplication(tx, {
      title,
      applicantSub: principal.sub,
      applicantKind: kind,
      enterprise,
      createdBy: caller.actor.actor,
      bundle,
      regionCode,
      channel: input.channel ?? 'online',
      parts,
    });
    const application = (await findApplication(tx, null, id))!;
    const filled = await fillFromRegistries(
      deps,
      tx,
      application,
      await guidesOf(tx, application.parts),
      identity,
      caller,
    );
    await audit(tx, {
      ...caller.actor,
      action: 'application.create',
      entity: 'application',
      entityId: id,
      after: {
        title,
        kind,
        enterpriseUscc: enterprise?.uscc ?? null,
        bundle: bundle?.code ?? null,
        regionCode,
        parts: parts.map((p) => ({ itemCode: p.itemCode, entryCode: p.entryCode })),
        filled,
      },
    });
    return { id, filled };
  });
  return { view: await readApplication(db, principal, id), filled };
}

// ---- 免提交: materials filled from held licences and the base registries ------------------

/**
 * Fills every government material the platform holds that the applicant has not provided
 * as a file: first from the applicant's wallet, a valid licence the applicant (or the
 * enterprise they act for) holds whose type is named as the material (营业执照, 结婚证),
 * read by the implementing body through an authorisation and so in the holder's access
 * log; then from the registries (REGISTRY_MATERIALS): population records by the verified
 * ID number, the business licence by the acting enterprise's credit code. A material
 * neither holds stays to be supplied. Returns the names filled.
 */
async function fillFromRegistries(
  deps: ApplicationsDeps,
  tx: Executor,
  application: Application,
  guides: Map<number, Guide | null>,
  identity: { name: string; idNumber: string } | null,
  caller: Caller,
): Promise<string[]> {
  const actor = caller.actor;
  const records = new Map<Registry, MaterialRecord | null>();
  const recordOf = async (registry: Registry): Promise<MaterialRecord | null> => {
    if (records.has(registry)) return records.get(registry)!;
    let record: MaterialRecord | null = null;
    const fetchedAt = new Date().toISOString();
    try {
      if (registry === 'population' && identity) {
        const p = await getPerson(tx, identity.idNumber);
        record = {
          registry,
          key: p.idNumber,
          data: {
            name: p.name,
            idNumber: p.idNumber,
            sex: p.sex,
            birthDate: p.birthDate,
            regionCode: p.regionCode,
          },
          fetchedAt,
        };
      } else if (registry === 'legal_entity' && application.enterprise) {
        const e = await getEnterprise(tx, application.enterprise.uscc);
        record = {
          registry,
          key: e.uscc,
          data: {
            uscc: e.uscc,
            name: e.name,
            type: e.type,
            legalRepresentativeName: e.legalRepresentative.name,
            regionCode: e.regionCode,
            registeredCapitalCny: e.registeredCapitalCny,
            establishedOn: e.establishedOn,
            status: e.status,
          },
          fetchedAt,
        };
      }
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'not_found')) throw error;
    }
    records.set(registry, record);
    return record;
  };
  const wallet = await walletOf(deps, tx, caller.principal);
  const filled: string[] = [];
  for (const material of neededOf(application, guides)) {
    const registry = registryFor(material);
    const licenceType = licenceTypeFor(material);
    if (!registry && !licenceType) continue;
    const stored = application.materials.find((m) => m.name === material.name);
    // The applicant's own file stands; a licence already read is not read again.
    if (stored && stored.source !== 'registry') continue;
    const held = licenceType && wallet ? await wallet.use(licenceType, application, material) : null;
    if (held) {
      await upsertMaterial(tx, application.id, {
        name: material.name,
        source: 'licence',
        record: held,
        addedBy: actor.actor,
      });
      filled.push(material.name);
      continue;
    }
    if (!registry) continue;
    const record = await recordOf(registry);
    if (!record) continue;
    await upsertMaterial(tx, application.id, {
      name: material.name,
      source: 'registry',
      record,
      addedBy: actor.actor,
    });
    filled.push(material.name);
  }
  return filled;
}

/**
 * The caller's wallet for 免提交, or null when the licences module does not run or the
 * caller holds nothing (no verified real name). `use` reads the newest valid licence of a
 * type through an authorisation for the implementing body of the first part needing it.
 */
async function walletOf(deps: ApplicationsDeps, tx: Executor, principal: Principal) {
  const licences = deps.licences;
  if (!licences) return null;
  let holderIndex: string;
  try {
    holderIndex = await holderIndexOf(licences, deps.identity, principal, tx);
  } catch (error) {
    if (error instanceof AppError && error.code === 'forbidden') return null;
    throw error;
  }
  return {
    async use(
      typeName: string,
      application: Application,
      material: NeededMaterial,
    ): Promise<MaterialRecord | null> {
      const part = application.parts.find((p) => p.part === material.parts[0]) ?? application.parts[0]!;
      const used = await useHeldLicence(
        licences,
        {
          holderIndex,
          typeName,
          organisationId: part.organisationId,
          organisationName: part.organisationName,
          purpose: `办理申请 ${application.number ?? application.id}`,
          expiresAt: new Date(Date.now() + LICENCE_USE_DAYS * 86_400_000),
          actor: principal.sub,
        },
        tx,
      );
      if (!used) return null;
      return {
        registry: LICENCE_RECORD,
        key: used.licenceId,
        data: { ...used.face, holderName: used.holderName, validUntil: used.validUntil },
        fetchedAt: new Date().toISOString(),
        authorisationId: used.authorisationId,
      };
    },
  };
}

/** A draft the caller may change; 404 when invisible, 409 when no longer a draft. */
async function draftOf(db: Queryable, principal: Principal, id: string): Promise<Application> {
  const application = await visibleApplication(db, principal, id);
  if (application.status !== 'draft') {
    throw conflict(`Application ${id} was submitted and can no longer be changed`, {
      status: application.status,
      number: application.number,
    });
  }
  return application;
}

/** Fills (again) the 免提交 materials of a draft from the registries. */
export async function fillMaterials(
  deps: ApplicationsDeps,
  caller: Caller,
  id: string,
): Promise<{ view: ApplicationView; filled: string[] }> {
  const { db } = deps;
  const identity = await verifiedIdentity(deps.identity, db, caller.principal.sub);
  const filled = await db.transaction(async (tx) => {
    const application = await draftOf(tx, caller.principal, id);
    const filled = await fillFromRegistries(
      deps,
      tx,
      application,
      await guidesOf(tx, application.parts),
      identity,
      caller,
    );
    if (!(await touchDraft(tx, id))) throw conflict(`Application ${id} is no longer a draft`);
    await audit(tx, {
      ...caller.actor,
      action: 'application.materials.fill',
      entity: 'application',
      entityId: id,
      after: { filled },
    });
    return filled;
  });
  return { view: await readApplication(db, caller.principal, id), filled };
}

// ---- saving, deleting -------------------------------------------------------------------

function staleVersion(application: Application, version: number): void {
  if (application.version !== version) {
    throw conflict(
      `The application was changed meanwhile (version ${application.version}, not ${version}); reload it`,
      { currentVersion: application.version },
    );
  }
}

/**
 * Saves the forms of some parts of a draft (each replaces what was saved), checking only
 * what they hold (a draft may be incomplete, never wrong): 400 naming
 * `parts[i].formData.<field>`; 409 on a stale version.
 */
export async function saveDraft(
  deps: ApplicationsDeps,
  caller: Caller,
  id: string,
  input: SaveDraft,
): Promise<ApplicationView> {
  const { db } = deps;
  const application = await draftOf(db, caller.principal, id);
  staleVersion(application, input.version);
  const guides = await guidesOf(db, application.parts);
  const errors: FieldError[] = [];
  const seen = new Set<number>();
  input.parts.forEach((p, i) => {
    const part = application.parts.find((x) => x.part === p.part);
    if (!part) {
      errors.push(
        textFieldError(`parts[${i}].part`, 'exists', 'applications.part.unknown', { part: p.part }),
      );
      return;
    }
    if (seen.has(p.part)) {
      errors.push(textFieldError(`parts[${i}].part`, 'unique', 'applications.part.duplicate'));
      return;
    }
    seen.add(p.part);
    const schema = guides.get(p.part)?.formSchema ?? EMPTY_FORM;
    for (const error of validateFormData(schema, p.formData, { partial: true })) {
      errors.push({ ...error, field: error.field.replace(/^form/, `parts[${i}].formData`) });
    }
  });
  if (errors.length > 0) throw validationError(errors);
  await db.transaction(async (tx) => {
    if (!(await bumpDraft(tx, id, input.version))) {
      const now = await findApplication(tx, null, id);
      if (now?.status !== 'draft') throw conflict(`Application ${id} is no longer a draft`);
      staleVersion(now, input.version);
    }
    for (const p of input.parts) await updatePartForm(tx, id, p.part, p.formData);
    await audit(tx, {
      ...caller.actor,
      action: 'application.save',
      entity: 'application',
      entityId: id,
      before: {
        version: input.version,
        parts: input.parts.map((p) => ({
          part: p.part,
          formData: maskForm(application.parts.find((x) => x.part === p.part)!.formData),
        })),
      },
      after: {
        version: input.version + 1,
        parts: input.parts.map((p) => ({ part: p.part, formData: maskForm(p.formData) })),
      },
    });
  });
  return readApplication(db, caller.principal, id);
}

export async function deleteApplication(deps: ApplicationsDeps, caller: Caller, id: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const application = await draftOf(tx, caller.principal, id);
    if (!(await deleteDraft(tx, id))) throw conflict(`Application ${id} is no longer a draft`);
    await audit(tx, {
      ...caller.actor,
      action: 'application.delete',
      entity: 'application',
      entityId: id,
      before: {
        title: application.title,
        version: application.version,
        parts: application.parts.map((p) => ({ itemCode: p.itemCode, formData: maskForm(p.formData) })),
        materials: application.materials.map((m) => ({
          name: m.name,
          source: m.source,
          uploadId: m.uploadId,
        })),
      },
    });
  });
}

// ---- materials: upload, drive, remove ---------------------------------------------------

/** The checklist entry of `name` in a draft; 404 when the application needs no such material. */
async function neededMaterial(db: Queryable, application: Application, name: string): Promise<void> {
  const needed = neededOf(application, await guidesOf(db, application.parts));
  if (!needed.some((m) => m.name === name)) {
    throw new AppError('not_found', `Application ${application.id} needs no material named ${name}`, [
      textFieldError('name', 'exists', 'applications.material.unknown'),
    ]);
  }
}

/** The entry of `name` in the checklist of the application as it is now. */
async function entryOf(
  db: Queryable,
  principal: Principal,
  id: string,
  name: string,
): Promise<ChecklistEntry> {
  const view = await readApplication(db, principal, id);
  return view.materials.find((m) => m.name === name)!;
}

/**
 * Stores an uploaded file (size and type limits, content sniffing, SHA-256 addressing) and
 * attaches it as the material `name` of a draft, replacing what was there.
 */
export async function uploadMaterial(
  deps: ApplicationsDeps,
  caller: Caller,
  id: string,
  name: string,
  upload: RawUpload,
): Promise<ChecklistEntry> {
  const { db } = deps;
  const application = await draftOf(db, caller.principal, id);
  await neededMaterial(db, application, name);
  const file = await receiveUpload(deps.storage, { ...upload, limits: MATERIAL_UPLOAD_LIMITS });
  await db.transaction(async (tx) => {
    const recorded = await recordUpload(tx, file, caller.principal.sub);
    await replaceMaterial(tx, caller, application, name, {
      source: 'upload',
      uploadId: recorded.id,
      sha256: recorded.sha256,
      filename: recorded.filename,
    });
  });
  return entryOf(db, caller.principal, id, name);
}

/** Stores a file in the person's cloud drive (the same upload gate as materials). */
export async function uploadToDrive(deps: ApplicationsDeps, sub: string, upload: RawUpload) {
  const file = await receiveUpload(deps.storage, { ...upload, limits: MATERIAL_UPLOAD_LIMITS });
  const recorded = await recordUpload(deps.db, file, sub);
  return {
    id: recorded.id,
    filename: recorded.filename,
    mediaType: recorded.mediaType,
    size: recorded.size,
    sha256: recorded.sha256,
    uploadedAt: recorded.uploadedAt,
  };
}

/** Attaches a file of the applicant's cloud drive (their own uploads only: 404 otherwise). */
export async function reuseDriveFile(
  deps: ApplicationsDeps,
  caller: Caller,
  id: string,
  name: string,
  uploadId: string,
): Promise<ChecklistEntry> {
  const { db } = deps;
  const application = await draftOf(db, caller.principal, id);
  await neededMaterial(db, application, name);
  const upload = await getUpload(db, uploadId);
  if (!upload || upload.uploadedBy !== caller.principal.sub) {
    throw new AppError('not_found', `No file ${uploadId} in your cloud drive`, [
      textFieldError('uploadId', 'exists', 'applications.material.unknown'),
    ]);
  }
  await db.transaction(async (tx) => {
    await replaceMaterial(tx, caller, application, name, {
      source: 'drive',
      uploadId: upload.id,
      sha256: upload.sha256,
      filename: upload.filename,
    });
  });
  return entryOf(db, caller.principal, id, name);
}

async function replaceMaterial(
  tx: Queryable,
  caller: Caller,
  application: Application,
  name: string,
  material: { source: 'upload' | 'drive'; uploadId: string; sha256: string; filename: string },
): Promise<void> {
  if (!(await touchDraft(tx, application.id)))
    throw conflict(`Application ${application.id} is no longer a draft`);
  await upsertMaterial(tx, application.id, {
    name,
    source: material.source,
    uploadId: material.uploadId,
    addedBy: caller.actor.actor,
  });
  const before = application.materials.find((m) => m.name === name);
  await audit(tx, {
    ...caller.actor,
    action: 'application.material.attach',
    entity: 'application',
    entityId: application.id,
    before: before ? { name, source: before.source, uploadId: before.uploadId } : null,
    after: { name, ...material },
  });
}

export async function removeMaterial(
  deps: ApplicationsDeps,
  caller: Caller,
  id: string,
  name: string,
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const application = await draftOf(tx, caller.principal, id);
    const before = application.materials.find((m) => m.name === name);
    if (!before || !(await deleteMaterial(tx, id, name))) {
      throw notFound(`Application ${id} has no material ${name} attached`);
    }
    await touchDraft(tx, id);
    await audit(tx, {
      ...caller.actor,
      action: 'application.material.remove',
      entity: 'application',
      entityId: id,
      before: { name, source: before.source, uploadId: before.uploadId },
    });
  });
}

// ---- pre-checks and submission ----------------------------------------------------------

export async function precheckApplication(
  deps: ApplicationsDeps,
  principal: Principal,
  id: string,
): Promise<PrecheckResult[]> {
  const application = await visibleApplication(deps.db, principal, id);
  const identity = await verifiedIdentity(deps.identity, deps.db, application.applicantSub);
  return runPrechecks(deps.db, application, identity);
}

function toCaseMaterial(m: Application['materials'][number]): CaseMaterial {
  if (m.record) return { name: m.name, source: m.source, record: m.record };
  return {
    name: m.name,
    source: m.source,
    ...(m.uploadId && { uploadId: m.uploadId }),
    ...(m.file && {
      sha256: m.file.sha256,
      filename: m.file.filename,
      mediaType: m.file.mediaType,
      size: m.file.size,
    }),
  };
}

/**
 * Submits a draft: every form complete and valid (400), every required material provided
 * except tolerated ones (422), the pre-checks passed (422); then in one transaction the
 * application number, the submitted status and one case per part.
 */
export async function submitApplication(
  deps: ApplicationsDeps,
  caller: Caller,
  id: string,
  version: number,
): Promise<SubmitResult> {
  const { db } = deps;
  const application = await draftOf(db, caller.principal, id);
  staleVersion(application, version);
  const guides = await guidesOf(db, application.parts);

  const errors: FieldError[] = [];
  application.parts.forEach((p, i) => {
    const guide = guides.get(p.part);
    if (!guide) {
      errors.push(
        textFieldError(`parts[${i}]`, 'offered', 'applications.part.withdrawn', { item: p.itemName }),
      );
      return;
    }
    for (const error of validateFormData(guide.formSchema, p.formData)) {
      errors.push({ ...error, field: error.field.replace(/^form/, `parts[${i}].formData`) });
    }
  });
  if (errors.length > 0) throw validationError(errors);

  const materials = checklist(neededOf(application, guides), application.materials);
  const missing = materials.filter((m) => m.required && m.status !== 'provided');
  const blocking = missing.filter((m) => !m.tolerated);
  if (blocking.length > 0) {
    throw new AppError(
      'unprocessable',
      `Required materials missing: ${blocking.map((m) => m.name).join(', ')}`,
      blocking.map((m) =>
        textFieldError(`materials.${m.name}`, 'required', 'applications.material.missing', { name: m.name }),
      ),
      { missing: blocking.map((m) => m.name) },
    );
  }

  const identity = await verifiedIdentity(deps.identity, db, application.applicantSub);
  assertPrechecksPass(await runPrechecks(db, application, identity));

  const calendar = await caseCalendar(db);
  const submittedAt = new Date();
  const provided = new Map(application.materials.map((m) => [m.name, m]));
  const result = await db.transaction(async (tx) => {
    // The row lock serialises concurrent submissions: the second finds no draft at this version.
    const [claimed] = await tx.query(
      `select id from application where id = $1 and status = 'draft' and version = $2 for update`,
      [id, version],
    );
    if (!claimed) throw conflict(`Application ${id} was submitted or changed meanwhile`);
    const number = await nextApplicationNumber(tx, application.regionCode, submittedAt);
    if (!(await markSubmitted(tx, id, version, number, submittedAt))) {
      throw conflict(`Application ${id} was submitted or changed meanwhile`);
    }
    for (const p of application.parts) {
      const guide = guides.get(p.part)!;
      await updatePartVersion(tx, id, p.part, guide.versionId, guide.name);
    }
    const cases = await openCases(
      tx,
      {
        applicationId: id,
        applicationNumber: number,
        applicant: {
          sub: application.applicantSub,
          kind: application.applicantKind,
          name: application.enterprise?.name ?? identity?.name ?? '',
          enterpriseUscc: application.enterprise?.uscc ?? null,
        },
        submittedBy: { actor: caller.actor.actor, onBehalfOf: caller.actor.onBehalfOf },
        channel: application.channel,
        submittedAt,
        parts: application.parts.map((p) => ({
          itemVersionId: guides.get(p.part)!.versionId,
          entryId: p.entryId,
          formData: p.formData,
          materials: (guides.get(p.part)!.materials ?? [])
            .map((m) => provided.get(m.name))
            .filter((m): m is NonNullable<typeof m> => m !== undefined)
            .map(toCaseMaterial),
        })),
      },
      calendar,
      deps.caseSettings,
    );
    const toleratedMissing = missing.map((m) => m.name);
    await audit(tx, {
      ...caller.actor,
      action: 'application.submit',
      entity: 'application',
      entityId: id,
      before: { status: 'draft', version },
      after: { status: 'submitted', number, cases: cases.map((c) => c.number), toleratedMissing },
    });
    await publish(tx, {
      topic: 'application.submitted',
      key: id,
      payload: {
        applicationId: id,
        number,
        title: application.title,
        applicantSub: application.applicantSub,
        applicantKind: application.applicantKind,
        enterpriseUscc: application.enterprise?.uscc ?? null,
        bundle: application.bundle?.code ?? null,
        cases: cases.map((c) => ({ caseId: c.caseId, number: c.number, part: c.part })),
        toleratedMissing,
        submittedAt: submittedAt.toISOString(),
      },
    });
    return { id, number, status: 'submitted' as const, cases, toleratedMissing };
  });
  return result;
}

// ---- progress and completion ------------------------------------------------------------

/** The one progress view of an application: its status and every case (a bundle: one per item). */
export async function progressOf(db: Queryable, principal: Principal, id: string) {
  const application = await visibleApplication(db, principal, id);
  const cases = application.status === 'draft' ? [] : await casesOfApplication(db, id);
  return {
    id,
    number: application.number,
    status: application.status,
    title: application.title,
    bundleCode: application.bundle?.code ?? null,
    submittedAt: iso(application.submittedAt),
    completedAt: iso(application.completedAt),
    cases,
  };
}

/**
 * Ends a submitted application when its last case ends: completed, or withdrawn when every
 * case was withdrawn. Idempotent (a repeated or late event finds it ended); the caller
 * runs it for `case.transitioned` events with `terminal: true`.
 */
export async function completeIfAllEnded(db: Database, applicationId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<{ status: string }>(
      'select status from application where id = $1 for update',
      [applicationId],
    );
    if (row?.status !== 'submitted') return false;
    const cases = await casesOfApplication(tx, applicationId);
    if (cases.length === 0 || !cases.every((c) => c.terminal)) return false;
    const status = cases.every((c) => c.status === 'withdrawn') ? 'withdrawn' : 'completed';
    const at = new Date();
    if (!(await markEnded(tx, applicationId, status, at))) return false;
    await audit(tx, {
      ...SYSTEM_ACTOR,
      action: `application.${status === 'completed' ? 'complete' : 'withdraw'}`,
      entity: 'application',
      entityId: applicationId,
      before: { status: 'submitted' },
      after: { status, cases: cases.map((c) => ({ number: c.number, status: c.status })) },
    });
    await publish(tx, {
      topic: `application.${status}`,
      key: applicationId,
      payload: { applicationId, status, at: at.toISOString(), cases: cases.map((c) => c.caseId) },
    });
    return true;
  });
}
