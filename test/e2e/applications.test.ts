import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { fileStorageFor, MEDIA_TYPES } from '../../src/kernel/files/index.ts';
import { checkApplicationNumber } from '../../src/kernel/identifiers/index.ts';
import { createBundle, createEntry, createItem, publishItem } from '../../src/modules/catalog/index.ts';
import { transitionEntry } from '../../src/modules/catalog/service.ts';
import { seed } from '../../src/seed/index.ts';
import { jpeg, pdf } from '../../src/kernel/files/test-samples.ts';
import { createTestApp, testConfig, type TestApp } from '../helpers/app.ts';
import { personSession, staffSession, verifiedPersonSession } from '../helpers/identity.ts';

/**
 * Applications (申办) end to end on the demo city: drafts kept on the server and resumed
 * from another session, partial and full form validation, optimistic concurrency, uploads
 * through the kernel's gate, cloud-drive reuse, 免提交 fills from the population and
 * legal-entity registries, pre-checks, idempotent submission opening cases, an enterprise
 * agent within and outside its mandate, and a 一件事 bundle completing when its cases end.
 */
describe('applications', () => {
  let t: TestApp;
  const actor = { actor: 'test' };

  interface Caller {
    accountId: string;
    authorization: string;
    name: string;
    idNumber: string;
  }

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    caller?: Caller | string,
    body?: object | Buffer,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method,
      url,
      headers: {
        ...headers,
        ...(caller && { authorization: typeof caller === 'string' ? caller : caller.authorization }),
      },
      ...(body !== undefined && { payload: body }),
    });

  const disposition = (name: string) => `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;
  const materialUrl = (id: string, name: string) =>
    `/api/v1/applications/${id}/materials/${encodeURIComponent(name)}`;
  const upload = (caller: Caller, id: string, name: string, data: Buffer, filename: string, type: string) =>
    call('PUT', materialUrl(id, name), caller, data, {
      'content-type': type,
      'content-disposition': disposition(filename),
    });

  /** A person whose verified real name and ID number are those of a registry resident (as after 实名认证). */
  const verifiedPerson = async (resident: { idNumber: string; name: string }): Promise<Caller> => {
    const person = await verifiedPersonSession(t.app, t.db, resident);
    return { accountId: person.accountId, authorization: person.authorization, ...resident };
  };

  /** Another session of the same account (another device). */
  const secondSession = async (caller: Caller, actingMemberId?: string): Promise<Caller> => {
    const opened = await t.app.identity.sessions.open(t.db, caller.accountId, 'bearer', { actingMemberId });
    return { ...caller, authorization: `Bearer ${opened.token}` };
  };

  /** Residents of the population registry who represent no enterprise. */
  const residents = async (n: number) =>
    t.db.query<{ idNumber: string; name: string; regionCode: string }>(
      `select p.id_number as "idNumber", p.name, p.region_code as "regionCode" from registry_person p
        where not exists (select 1 from registry_enterprise e where e.legal_representative_id = p.id_number)
          and p.birth_date < date '2000-01-01'
        order by p.id_number limit $1`,
      [n],
    );

  let sequence = 0;
  interface Material {
    name: string;
    source: 'applicant' | 'government';
    required?: boolean;
    tolerated?: boolean;
  }
  const PERSON_FORM = {
    type: 'object' as const,
    properties: {
      applicantName: { type: 'string', maxLength: 50, title: '申请人姓名' },
      idNumber: { type: 'string', 'x-ui': { widget: 'identifier', identifier: 'residentId' } },
      phone: { type: 'string', pattern: '^1[3-9]\\d{9}$' },
      shopName: { type: 'string', minLength: 2, maxLength: 50 },
    },
    required: ['applicantName', 'idNumber', 'phone', 'shopName'],
    additionalProperties: false,
  };
  const ENTERPRISE_FORM = {
    type: 'object' as const,
    properties: {
      enterpriseName: { type: 'string' },
      creditCode: { type: 'string', 'x-ui': { widget: 'identifier', identifier: 'uscc' } },
      contactName: { type: 'string' },
      contactPhone: { type: 'string', pattern: '^1[3-9]\\d{9}$' },
    },
    required: ['enterpriseName', 'creditCode', 'contactName', 'contactPhone'],
    additionalProperties: false,
  };

  /** Publishes an item with an entry of the district's 民政局 (the only entry of the item). */
  const publishTestItem = async (options: {
    audience: ('natural_person' | 'legal_person')[];
    materials: Material[];
    form?: typeof PERSON_FORM | typeof ENTERPRISE_FORM;
  }) => {
    const item = await createItem(
      t.db,
      {
        name: `申办测试事项${++sequence}号${Date.now() % 100_000}`,
        subSituation: '新设',
        typeCode: '20',
        department: '民政局',
        legalBasis: [{ title: '《测试条例》第一条' }],
        audience: options.audience,
        handlingType: 'promised',
        legalLimitDays: 20,
        promisedLimitDays: 10,
        visits: 0,
        onlineDepth: 'IV',
        fee: { charged: false },
        materials: options.materials.map((m) => ({
          form: 'either',
          copies: 1,
          required: true,
          tolerated: false,
          ...m,
        })),
        process: [],
        specialProcedures: [],
        resultLicence: null,
        lifeEvents: [],
        keywords: ['测试'],
        formSchema: (options.form ?? PERSON_FORM) as unknown as {
          type: 'object';
          properties: Record<string, unknown>;
        },
      },
      actor,
    );
    await publishItem(t.db, item.code, actor);
    const entry = await createEntry(
      t.db,
      {
        itemCode: item.code,
        organisation: {
          id: district.organisation.id,
          name: district.organisation.name,
          uscc: district.organisation.uscc,
        },
        region: { code: district.code, name: district.name },
      },
      {},
      actor,
    );
    await transitionEntry(t.db, entry.code, 'submit', actor);
    await transitionEntry(t.db, entry.code, 'publish', actor);
    return { code: item.code, entryCode: entry.code };
  };

  /** Rows an application consists of; a refused request must leave them as they are. */
  const state = async () =>
    (
      await t.db.query<{
        applications: number;
        parts: number;
        materials: number;
        uploads: number;
        cases: number;
        versions: number;
      }>(
        `select (select count(*)::int from application) as applications,
                (select count(*)::int from application_part) as parts,
                (select count(*)::int from application_material) as materials,
                (select count(*)::int from file_upload) as uploads,
                (select count(*)::int from cases) as cases,
                (select coalesce(sum(version), 0)::int from application) as versions`,
      )
    )[0]!;

  const expectProblem = (response: LightMyRequestResponse, status: number) => {
    expect(response.statusCode, response.body).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    return response.json() as {
      code: string;
      errors?: { field: string; rule: string; message: string; messageEn: string }[];
      [k: string]: unknown;
    };
  };

  let district: { code: string; name: string; organisation: { id: number; name: string; uscc: string } };
  /** A community of the district: the nearest entry of the test items is the district's. */
  let community: string;
  /** A district the test items are not offered in. */
  let otherDistrict: string;
  let citizen: Caller;
  let stranger: Caller;
  let single: { code: string; entryCode: string };
  let legalOnly: { code: string; entryCode: string };

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    const [org] = await t.db.query<{
      id: number;
      name: string;
      uscc: string;
      code: string;
      full_name: string;
    }>(
      `select o.id, o.name, o.uscc, r.code, r.full_name from organisation o join region r on r.code = o.region_code
        where o.kind = 'department' and o.short_name = '民政局' and r.level = 3 order by r.code limit 1`,
    );
    district = {
      code: org!.code,
      name: org!.full_name,
      organisation: { id: org!.id, name: org!.name, uscc: org!.uscc },
    };
    const [leaf] = await t.db.query<{ code: string }>(
      `select code from region where $1 = any(path) and code <> $1 order by level desc, code limit 1`,
      [district.code],
    );
    community = leaf!.code;
    const [other] = await t.db.query<{ code: string }>(
      'select code from region where level = 3 and code <> $1 order by code limit 1',
      [district.code],
    );
    otherDistrict = other!.code;
    const [a, b] = await residents(2);
    citizen = await verifiedPerson(a!);
    stranger = await verifiedPerson(b!);
    single = await publishTestItem({
      audience: ['natural_person'],
      materials: [
        { name: '居民身份证', source: 'government' },
        { name: '申请书', source: 'applicant' },
        { name: '经营承诺书', source: 'applicant', tolerated: true },
        { name: '结婚证', source: 'government', required: false },
      ],
    });
    legalOnly = await publishTestItem({
      audience: ['legal_person'],
      materials: [
        { name: '营业执照', source: 'government' },
        { name: '申请书', source: 'applicant' },
      ],
      form: ENTERPRISE_FORM,
    });
  }, 180_000);
  afterAll(() => t.drop());

  let draftId: string;

  describe('starting a draft', () => {
    it('binds the item to the nearest entry, pre-fills the form and fills 居民身份证 from the population registry (免提交)', async () => {
      const response = await call('POST', '/api/v1/applications', citizen, {
        itemCode: single.code,
        regionCode: community,
      });
      expect(response.statusCode, response.body).toBe(201);
      const body = response.json();
      draftId = body.id;
      expect(body).toMatchObject({
        status: 'draft',
        number: null,
        version: 1,
        applicantKind: 'person',
        enterprise: null,
        bundle: null,
        regionCode: community,
        channel: 'online',
        filled: ['居民身份证'],
      });
      expect(body.parts).toHaveLength(1);
      expect(body.parts[0]).toMatchObject({
        part: 1,
        item: { code: single.code },
        entry: { code: single.entryCode },
        organisation: { id: district.organisation.id },
        formData: { applicantName: citizen.name, idNumber: citizen.idNumber },
      });
      expect(body.parts[0].formSchema.properties.shopName).toBeDefined();
      const byName = Object.fromEntries(
        (body.materials as { name: string }[]).map((m) => [m.name, m]),
      ) as Record<string, Record<string, unknown>>;
      expect(byName['居民身份证']).toMatchObject({
        source: 'government',
        status: 'provided',
        exempt: true,
        registry: 'population',
        provided: {
          source: 'registry',
          file: null,
          record: { registry: 'population', data: { name: citizen.name } },
        },
      });
      const record = (
        byName['居民身份证']!.provided as { record: { key: string; data: { idNumber: string } } }
      ).record;
      expect(record.key).not.toBe(citizen.idNumber);
      expect(record.key).toMatch(/\*/);
      expect(record.data.idNumber).toMatch(/\*/);
      expect(byName['申请书']).toMatchObject({ status: 'to_be_supplied', exempt: false, required: true });
      expect(byName['经营承诺书']).toMatchObject({ tolerated: true, status: 'to_be_supplied' });
      expect(byName['经营承诺书']!.note).toMatch(/容缺/);
      // A government material the platform does not hold stays to be supplied, and the checklist says so.
      expect(byName['结婚证']).toMatchObject({
        source: 'government',
        status: 'to_be_supplied',
        registry: null,
      });
      expect(byName['结婚证']!.noteEn).toMatch(/upload/);

      // The case will carry the record itself, not a file.
      const [stored] = await t.db.query<{ record: { key: string; registry: string } }>(
        `select record from application_material where application_id = $1 and name = '居民身份证'`,
        [draftId],
      );
      expect(stored!.record).toMatchObject({ registry: 'population', key: citizen.idNumber });
      const [audited] = await t.db.query<{ actor: string }>(
        `select actor from audit_log where action = 'application.create' and entity_id = $1`,
        [draftId],
      );
      expect(audited).toEqual({ actor: citizen.accountId });
    });

    it('refuses unknown items (404), ambiguous targets (400), regions that do not offer it (422) and items not for persons (422), changing nothing', async () => {
      const before = await state();
      expectProblem(
        await call('POST', '/api/v1/applications', citizen, {
          itemCode: 'NO-SUCH-ITEM',
          regionCode: community,
        }),
        404,
      );
      expectProblem(await call('POST', '/api/v1/applications', citizen, { entryId: 999_999_999 }), 404);
      expectProblem(
        await call('POST', '/api/v1/applications', citizen, { bundleCode: 'no-such', regionCode: community }),
        404,
      );
      const none = expectProblem(await call('POST', '/api/v1/applications', citizen, {}), 400);
      expect(none.errors).toEqual([expect.objectContaining({ field: 'itemCode', rule: 'required' })]);
      const two = expectProblem(
        await call('POST', '/api/v1/applications', citizen, {
          itemCode: single.code,
          entryCode: single.entryCode,
        }),
        400,
      );
      expect(two.errors).toEqual([expect.objectContaining({ field: 'entryCode', rule: 'exclusive' })]);
      const noRegion = expectProblem(
        await call('POST', '/api/v1/applications', citizen, { itemCode: single.code }),
        400,
      );
      expect(noRegion.errors).toEqual([expect.objectContaining({ field: 'regionCode', rule: 'required' })]);
      const unknownRegion = expectProblem(
        await call('POST', '/api/v1/applications', citizen, {
          itemCode: single.code,
          regionCode: '329999999999',
        }),
        400,
      );
      expect(unknownRegion.errors).toEqual([
        expect.objectContaining({ field: 'regionCode', rule: 'exists' }),
      ]);
      const elsewhere = expectProblem(
        await call('POST', '/api/v1/applications', citizen, {
          itemCode: single.code,
          regionCode: otherDistrict,
        }),
        422,
      );
      expect(elsewhere.errors).toEqual([expect.objectContaining({ field: 'regionCode', rule: 'offered' })]);
      const audience = expectProblem(
        await call('POST', '/api/v1/applications', citizen, {
          itemCode: legalOnly.code,
          regionCode: community,
        }),
        422,
      );
      expect(audience.errors).toEqual([expect.objectContaining({ field: 'itemCode', rule: 'audience' })]);
      // Applying needs a verified real name.
      const phoneOnly = await personSession(t.app, t.db, { assurance: 1 });
      expectProblem(
        await call('POST', '/api/v1/applications', phoneOnly.authorization, {
          itemCode: single.code,
          regionCode: community,
        }),
        403,
      );
      expect(await state()).toEqual(before);
    });

    it('starts from an implementation entry by code or id', async () => {
      const byCode = await call('POST', '/api/v1/applications', citizen, {
        entryCode: single.entryCode,
        channel: 'mobile',
      });
      expect(byCode.statusCode, byCode.body).toBe(201);
      expect(byCode.json()).toMatchObject({
        regionCode: district.code,
        channel: 'mobile',
        parts: [{ entry: { code: single.entryCode } }],
      });
      const entryId = byCode.json().parts[0].entry.id as number;
      const byId = await call('POST', '/api/v1/applications', citizen, { entryId });
      expect(byId.statusCode, byId.body).toBe(201);
      for (const id of [byCode.json().id, byId.json().id]) {
        expect((await call('DELETE', `/api/v1/applications/${id}`, citizen)).statusCode).toBe(204);
      }
    });
  });

  describe('saving and resuming a draft', () => {
    it('resumes on another device: the draft is on the server', async () => {
      const phone = await secondSession(citizen);
      const saved = await call('PATCH', `/api/v1/applications/${draftId}`, citizen, {
        version: 1,
        parts: [
          {
            part: 1,
            formData: { applicantName: citizen.name, idNumber: citizen.idNumber, shopName: '老王面馆' },
          },
        ],
      });
      expect(saved.statusCode, saved.body).toBe(200);
      expect(saved.json().version).toBe(2);
      const resumed = await call('GET', `/api/v1/applications/${draftId}`, phone);
      expect(resumed.statusCode).toBe(200);
      expect(resumed.json()).toMatchObject({
        version: 2,
        parts: [{ formData: { applicantName: citizen.name, shopName: '老王面馆' } }],
      });
      const list = await call('GET', '/api/v1/applications', phone);
      expect(list.json()).toMatchObject({ total: 1, page: 1, size: 20 });
      expect(list.json().items[0]).toMatchObject({
        id: draftId,
        status: 'draft',
        parts: [{ itemCode: single.code }],
      });
    });

    it('checks only the fields present, naming parts[i].formData.<field>; a wrong value is refused, a missing one is not', async () => {
      const before = await state();
      const response = await call('PATCH', `/api/v1/applications/${draftId}`, citizen, {
        version: 2,
        parts: [{ part: 1, formData: { phone: '12345', idNumber: '110105194912310021', nickname: 'x' } }],
      });
      const problem = expectProblem(response, 400);
      expect(problem.errors!.map((e) => `${e.field}:${e.rule}`).sort()).toEqual([
        'parts[0].formData.idNumber:checkDigit',
        'parts[0].formData.nickname:additionalProperties',
        'parts[0].formData.phone:pattern',
      ]);
      for (const error of problem.errors!) expect(error.message).toMatch(/[\u4e00-\u9fff]/);
      const unknownPart = expectProblem(
        await call('PATCH', `/api/v1/applications/${draftId}`, citizen, {
          version: 2,
          parts: [{ part: 7, formData: {} }],
        }),
        400,
      );
      expect(unknownPart.errors).toEqual([
        expect.objectContaining({ field: 'parts[0].part', rule: 'exists' }),
      ]);
      expect(await state()).toEqual(before);
    });

    it('refuses a save based on a stale version (409) and keeps the newer one', async () => {
      const phone = await secondSession(citizen);
      const first = await call('PATCH', `/api/v1/applications/${draftId}`, phone, {
        version: 2,
        parts: [
          {
            part: 1,
            formData: { applicantName: citizen.name, idNumber: citizen.idNumber, shopName: '老王拉面' },
          },
        ],
      });
      expect(first.statusCode, first.body).toBe(200);
      const before = await state();
      const stale = await call('PATCH', `/api/v1/applications/${draftId}`, citizen, {
        version: 2,
        parts: [{ part: 1, formData: { shopName: '被覆盖' } }],
      });
      expect(expectProblem(stale, 409)).toMatchObject({ code: 'conflict', currentVersion: 3 });
      expect(await state()).toEqual(before);
      const now = (await call('GET', `/api/v1/applications/${draftId}`, citizen)).json();
      expect(now.parts[0].formData.shopName).toBe('老王拉面');
    });
  });

  let pdfUploadId: string;

  describe('materials', () => {
    it('uploads a PDF and a JPEG: stored under their SHA-256 and attached', async () => {
      const response = await upload(
        citizen,
        draftId,
        '申请书',
        pdf('申请书'),
        '申请书.pdf',
        'application/pdf',
      );
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({
        name: '申请书',
        status: 'provided',
        exempt: false,
        provided: { source: 'upload', file: { filename: '申请书.pdf', mediaType: MEDIA_TYPES.pdf } },
      });
      pdfUploadId = response.json().provided.file.uploadId;
      const sha = response.json().provided.file.sha256 as string;
      expect(await fileStorageFor(testConfig()).has(sha)).toBe(true);
      const photo = await upload(citizen, draftId, '经营承诺书', jpeg(), 'promise.jpg', 'image/jpeg');
      expect(photo.statusCode, photo.body).toBe(200);
      expect(photo.json().provided.file.mediaType).toBe(MEDIA_TYPES.jpeg);
      // Replacing a material keeps one row per name.
      const again = await upload(
        citizen,
        draftId,
        '经营承诺书',
        pdf('承诺'),
        '承诺书.pdf',
        'application/pdf',
      );
      expect(again.json().provided.file.filename).toBe('承诺书.pdf');
      const [{ n }] = (await t.db.query<{ n: number }>(
        `select count(*)::int as n from application_material where application_id = $1 and name = '经营承诺书'`,
        [draftId],
      )) as [{ n: number }];
      expect(n).toBe(1);
    });

    it('refuses an executable renamed .pdf (415) and an oversize file (413), storing nothing', async () => {
      const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
      const storage = fileStorageFor(testConfig());
      const { createHash } = await import('node:crypto');
      const before = await state();
      const refused = expectProblem(
        await upload(citizen, draftId, '结婚证', exe, '结婚证.pdf', 'application/pdf'),
        415,
      );
      expect(refused.errors).toEqual([expect.objectContaining({ field: 'file', rule: 'type' })]);
      expect(await storage.has(createHash('sha256').update(exe).digest('hex'))).toBe(false);
      const big = Buffer.concat([pdf(), Buffer.alloc(10 * 1024 * 1024)]);
      const oversize = expectProblem(
        await upload(citizen, draftId, '结婚证', big, 'big.pdf', 'application/pdf'),
        413,
      );
      expect(oversize.errors).toEqual([expect.objectContaining({ field: 'file', rule: 'maxBytes' })]);
      const unknown = expectProblem(
        await upload(citizen, draftId, '户口簿', pdf(), 'a.pdf', 'application/pdf'),
        404,
      );
      expect(unknown.errors).toEqual([expect.objectContaining({ field: 'name', rule: 'exists' })]);
      expect(await state()).toEqual(before);
    });

    it('lists my cloud drive and reuses my own files, never another person’s (404)', async () => {
      const drive = await call('GET', '/api/v1/drive/files?size=50', citizen);
      expect(drive.statusCode).toBe(200);
      expect(drive.json().total).toBe(3);
      expect(drive.json().items[2]).toMatchObject({
        id: pdfUploadId,
        filename: '申请书.pdf',
        mediaType: MEDIA_TYPES.pdf,
      });
      const theirs = await t.db.query<{ id: string }>(
        `insert into file_upload (sha256, filename, media_type, size, uploaded_by)
         select sha256, 'theirs.pdf', media_type, size, $1 from file_upload where id = $2 returning id`,
        [stranger.accountId, pdfUploadId],
      );
      expect(
        (await call('GET', '/api/v1/drive/files', stranger)).json().items.map((f: { id: string }) => f.id),
      ).toEqual([theirs[0]!.id]);
      const before = await state();
      expectProblem(
        await call('POST', `${materialUrl(draftId, '结婚证')}/reuse`, citizen, { uploadId: theirs[0]!.id }),
        404,
      );
      expect(await state()).toEqual(before);
      const reused = await call('POST', `${materialUrl(draftId, '结婚证')}/reuse`, citizen, {
        uploadId: pdfUploadId,
      });
      expect(reused.statusCode, reused.body).toBe(200);
      expect(reused.json()).toMatchObject({
        status: 'provided',
        provided: { source: 'drive', file: { uploadId: pdfUploadId } },
      });
      expect((await call('DELETE', materialUrl(draftId, '结婚证'), citizen)).statusCode).toBe(204);
      expect((await call('DELETE', materialUrl(draftId, '结婚证'), citizen)).statusCode).toBe(404);
    });

    it('fills again on request, leaving the applicant’s own files alone', async () => {
      await t.db.query(`delete from application_material where application_id = $1 and name = '居民身份证'`, [
        draftId,
      ]);
      const response = await call('POST', `/api/v1/applications/${draftId}/materials/fill`, citizen);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().filled).toEqual(['居民身份证']);
      expect(
        response.json().materials.find((m: { name: string }) => m.name === '申请书').provided.source,
      ).toBe('upload');
    });
  });

  describe('pre-checks and submission', () => {
    it('passes the name/ID check for the verified identity, and fails it when the form names someone else', async () => {
      const ok = await call('POST', `/api/v1/applications/${draftId}/prechecks`, citizen);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toEqual([expect.objectContaining({ check: 'name_matches_id', ok: true })]);
      const version = (await call('GET', `/api/v1/applications/${draftId}`, citizen)).json()
        .version as number;
      await call('PATCH', `/api/v1/applications/${draftId}`, citizen, {
        version,
        parts: [
          {
            part: 1,
            formData: {
              applicantName: '冒名顶替',
              idNumber: citizen.idNumber,
              phone: '13812345678',
              shopName: '老王拉面',
            },
          },
        ],
      });
      const failed = await call('POST', `/api/v1/applications/${draftId}/prechecks`, citizen);
      expect(failed.json()).toEqual([expect.objectContaining({ check: 'name_matches_id', ok: false })]);
      expect(failed.json()[0].message).toContain('冒名顶替');
    });

    it('refuses a submission whose pre-check fails (422 naming the check), changing nothing', async () => {
      const version = (await call('GET', `/api/v1/applications/${draftId}`, citizen)).json()
        .version as number;
      const before = await state();
      const problem = expectProblem(
        await call('POST', `/api/v1/applications/${draftId}/submit`, citizen, { version }),
        422,
      );
      expect(problem.errors).toEqual([
        expect.objectContaining({ field: 'prechecks.name_matches_id', rule: 'precheck' }),
      ]);
      expect(await state()).toEqual(before);
    });

    it('refuses an incomplete form (400) and a missing required material (422); 容缺 ones may be missing', async () => {
      let version = (await call('GET', `/api/v1/applications/${draftId}`, citizen)).json().version as number;
      const save = (formData: object) =>
        call('PATCH', `/api/v1/applications/${draftId}`, citizen, {
          version,
          parts: [{ part: 1, formData }],
        });
      expect(
        (await save({ applicantName: citizen.name, idNumber: citizen.idNumber, shopName: '老王拉面' }))
          .statusCode,
      ).toBe(200);
      version++;
      const before = await state();
      const incomplete = expectProblem(
        await call('POST', `/api/v1/applications/${draftId}/submit`, citizen, { version }),
        400,
      );
      expect(incomplete.errors).toEqual([
        expect.objectContaining({ field: 'parts[0].formData.phone', rule: 'required' }),
      ]);
      expect(
        (
          await save({
            applicantName: citizen.name,
            idNumber: citizen.idNumber,
            phone: '13812345678',
            shopName: '老王拉面',
          })
        ).statusCode,
      ).toBe(200);
      version++;
      await call('DELETE', materialUrl(draftId, '申请书'), citizen);
      await call('DELETE', materialUrl(draftId, '经营承诺书'), citizen);
      const missing = expectProblem(
        await call('POST', `/api/v1/applications/${draftId}/submit`, citizen, { version }),
        422,
      );
      expect(missing.errors).toEqual([
        expect.objectContaining({ field: 'materials.申请书', rule: 'required' }),
      ]);
      expect((await state()).cases).toBe(before.cases);
      const reused = await call('POST', `${materialUrl(draftId, '申请书')}/reuse`, citizen, {
        uploadId: pdfUploadId,
      });
      expect(reused.statusCode).toBe(200);
    });

    let submitted: {
      id: string;
      number: string;
      cases: { caseId: string; number: string; part: number; status: string }[];
    };

    it('submits once for one Idempotency-Key: the application number, one case, tolerated materials listed', async () => {
      const version = (await call('GET', `/api/v1/applications/${draftId}`, citizen)).json()
        .version as number;
      const before = await state();
      const send = () =>
        call(
          'POST',
          `/api/v1/applications/${draftId}/submit`,
          citizen,
          { version },
          { 'idempotency-key': `submit-${draftId}` },
        );
      const first = await send();
      expect(first.statusCode, first.body).toBe(201);
      const retry = await send();
      expect(retry.statusCode).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.json()).toEqual(first.json());
      submitted = first.json();
      expect(submitted).toMatchObject({
        id: draftId,
        status: 'submitted',
        toleratedMissing: ['经营承诺书'],
        cases: [{ part: 1, status: 'submitted' }],
      });
      expect(checkApplicationNumber(submitted.number)).toMatchObject({
        ok: true,
        info: { regionCode: community.slice(0, 6) },
      });
      expect(submitted.cases[0]!.number).toBe(submitted.number);
      const after = await state();
      expect(after.applications).toBe(before.applications);
      expect(after.cases).toBe(before.cases + 1);

      // The case carries the registry record (not a file) and the uploaded file.
      const [c] = await t.db.query<{
        materials: { name: string; source: string; record?: { registry: string }; sha256?: string }[];
        applicant_name: string;
      }>('select materials, applicant_name from cases where application_id = $1', [draftId]);
      expect(c!.applicant_name).toBe(citizen.name);
      expect(c!.materials).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            name: '居民身份证',
            source: 'registry',
            record: expect.objectContaining({ registry: 'population' }),
          }),
          expect.objectContaining({
            name: '申请书',
            source: 'drive',
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          }),
        ]),
      );
      const [audited] = await t.db.query<{ after: { number: string } }>(
        `select after from audit_log where action = 'application.submit' and entity_id = $1`,
        [draftId],
      );
      expect(audited!.after.number).toBe(submitted.number);
    });

    it('refuses a second submission (409) and any further change of the submitted application (409)', async () => {
      const before = await state();
      expectProblem(
        await call('POST', `/api/v1/applications/${draftId}/submit`, citizen, { version: 99 }),
        409,
      );
      const view = (await call('GET', `/api/v1/applications/${draftId}`, citizen)).json();
      expectProblem(
        await call('POST', `/api/v1/applications/${draftId}/submit`, citizen, { version: view.version }),
        409,
      );
      expectProblem(
        await call('PATCH', `/api/v1/applications/${draftId}`, citizen, {
          version: view.version,
          parts: [{ part: 1, formData: {} }],
        }),
        409,
      );
      expectProblem(await upload(citizen, draftId, '结婚证', pdf(), 'a.pdf', 'application/pdf'), 409);
      expectProblem(await call('DELETE', `/api/v1/applications/${draftId}`, citizen), 409);
      expect(await state()).toEqual(before);
      expect(view).toMatchObject({ status: 'submitted', number: submitted.number });
    });

    it('shows the progress with the case', async () => {
      const progress = await call('GET', `/api/v1/applications/${draftId}/progress`, citizen);
      expect(progress.statusCode, progress.body).toBe(200);
      expect(progress.json()).toMatchObject({
        id: draftId,
        number: submitted.number,
        status: 'submitted',
        cases: [
          { caseId: submitted.cases[0]!.caseId, status: 'submitted', terminal: false, itemCode: single.code },
        ],
      });
    });

    it('shows nobody else the application (404)', async () => {
      const before = await state();
      for (const [method, url] of [
        ['GET', `/api/v1/applications/${draftId}`],
        ['GET', `/api/v1/applications/${draftId}/progress`],
        ['POST', `/api/v1/applications/${draftId}/prechecks`],
        ['DELETE', `/api/v1/applications/${draftId}`],
      ] as const) {
        expectProblem(await call(method, url, stranger), 404);
      }
      expectProblem(
        await call('PATCH', `/api/v1/applications/${draftId}`, stranger, {
          version: 1,
          parts: [{ part: 1, formData: {} }],
        }),
        404,
      );
      expect((await call('GET', '/api/v1/applications', stranger)).json().total).toBe(0);
      expect(await state()).toEqual(before);
    });
  });

  describe('an enterprise agent', () => {
    let enterprise: { id: string; uscc: string; name: string };
    let agent: Caller;
    let owner: Caller;

    beforeAll(async () => {
      const [e] = await t.db.query<{
        uscc: string;
        name: string;
        regionCode: string;
        repId: string;
        repName: string;
      }>(
        `select e.uscc, e.name, e.region_code as "regionCode", p.id_number as "repId", p.name as "repName"
           from registry_enterprise e join registry_person p on p.id_number = e.legal_representative_id
          where e.status in ('存续', '在业') order by e.uscc limit 1`,
      );
      owner = await verifiedPerson({ idNumber: e!.repId, name: e!.repName });
      const [row] = await t.db.query<{ id: string }>(
        `insert into identity_enterprise (uscc, name, legal_representative_name, region_code, verified_at, created_by)
         values ($1, $2, $3, $4, now(), $5) returning id`,
        [e!.uscc, e!.name, e!.repName, e!.regionCode, owner.accountId],
      );
      enterprise = { id: row!.id, uscc: e!.uscc, name: e!.name };
      const member = async (accountId: string, role: string, itemCodes: string[] | null) =>
        (
          await t.db.query<{ id: string }>(
            `insert into identity_enterprise_member (enterprise_id, account_id, role, item_codes, expires_at, appointed_by)
             values ($1, $2, $3, $4, $5, $6) returning id`,
            [
              enterprise.id,
              accountId,
              role,
              itemCodes,
              itemCodes ? new Date(Date.now() + 30 * 86_400_000) : null,
              owner.accountId,
            ],
          )
        )[0]!.id;
      owner = await secondSession(owner, await member(owner.accountId, 'owner', null));
      const [resident] = await t.db.query<{ idNumber: string; name: string }>(
        `select p.id_number as "idNumber", p.name from registry_person p
          where not exists (select 1 from registry_enterprise e where e.legal_representative_id = p.id_number)
          order by p.id_number desc limit 1`,
      );
      const person = await verifiedPerson(resident!);
      agent = await secondSession(person, await member(person.accountId, 'agent', [legalOnly.code]));
    });

    let enterpriseDraft: string;

    it('fills 营业执照 from the legal-entity registry, and applies for the enterprise', async () => {
      const response = await call('POST', '/api/v1/applications', agent, {
        itemCode: legalOnly.code,
        regionCode: community,
      });
      expect(response.statusCode, response.body).toBe(201);
      const body = response.json();
      enterpriseDraft = body.id;
      expect(body).toMatchObject({
        applicantKind: 'enterprise',
        enterprise: enterprise,
        filled: ['营业执照'],
        parts: [
          {
            formData: {
              enterpriseName: enterprise.name,
              creditCode: enterprise.uscc,
              contactName: agent.name,
            },
          },
        ],
      });
      expect(body.materials.find((m: { name: string }) => m.name === '营业执照')).toMatchObject({
        status: 'provided',
        exempt: true,
        registry: 'legal_entity',
        provided: {
          source: 'registry',
          record: { registry: 'legal_entity', key: enterprise.uscc, data: { name: enterprise.name } },
        },
      });
      const [audited] = await t.db.query<{ actor: string; on_behalf_of: string }>(
        `select actor, on_behalf_of from audit_log where action = 'application.create' and entity_id = $1`,
        [enterpriseDraft],
      );
      expect(audited).toEqual({ actor: agent.accountId, on_behalf_of: `enterprise:${enterprise.uscc}` });
    });

    it('refuses items outside the mandate (403) and items for natural persons only (422)', async () => {
      const before = await state();
      const other = await publishTestItem({
        audience: ['legal_person'],
        materials: [],
        form: ENTERPRISE_FORM,
      });
      expectProblem(
        await call('POST', '/api/v1/applications', agent, { itemCode: other.code, regionCode: community }),
        403,
      );
      expectProblem(await call('POST', '/api/v1/applications', agent, { entryCode: other.entryCode }), 403);
      const personal = expectProblem(
        await call('POST', '/api/v1/applications', owner, { itemCode: single.code, regionCode: community }),
        422,
      );
      expect(personal.errors).toEqual([expect.objectContaining({ rule: 'audience' })]);
      expect(await state()).toEqual(before);
    });

    it('pre-checks the enterprise status (存续/在业)', async () => {
      const ok = await call('POST', `/api/v1/applications/${enterpriseDraft}/prechecks`, agent);
      expect(ok.json()).toEqual([
        expect.objectContaining({ check: 'name_matches_id', ok: true }),
        expect.objectContaining({ check: 'enterprise_active', ok: true }),
      ]);
      await t.db.query(`update registry_enterprise set status = '吊销' where uscc = $1`, [enterprise.uscc]);
      try {
        const failed = await call('POST', `/api/v1/applications/${enterpriseDraft}/prechecks`, agent);
        expect(failed.json()[1]).toMatchObject({ check: 'enterprise_active', ok: false });
        expect(failed.json()[1].message).toContain('吊销');
      } finally {
        await t.db.query(`update registry_enterprise set status = '存续' where uscc = $1`, [enterprise.uscc]);
      }
    });

    it('submits for the enterprise; the owner sees the application, the agent acting for itself does not', async () => {
      let view = (await call('GET', `/api/v1/applications/${enterpriseDraft}`, agent)).json();
      const saved = await call('PATCH', `/api/v1/applications/${enterpriseDraft}`, agent, {
        version: view.version,
        parts: [{ part: 1, formData: { ...view.parts[0].formData, contactPhone: '13912345678' } }],
      });
      expect(saved.statusCode, saved.body).toBe(200);
      expect(
        (await upload(agent, enterpriseDraft, '申请书', pdf('企业'), '申请书.pdf', 'application/pdf'))
          .statusCode,
      ).toBe(200);
      view = (await call('GET', `/api/v1/applications/${enterpriseDraft}`, agent)).json();
      const response = await call('POST', `/api/v1/applications/${enterpriseDraft}/submit`, agent, {
        version: view.version,
      });
      expect(response.statusCode, response.body).toBe(201);
      const [c] = await t.db.query<{
        applicant_kind: string;
        applicant_name: string;
        enterprise_uscc: string;
        submitted_by: string;
      }>(
        'select applicant_kind, applicant_name, enterprise_uscc, submitted_by from cases where application_id = $1',
        [enterpriseDraft],
      );
      expect(c).toEqual({
        applicant_kind: 'enterprise',
        applicant_name: enterprise.name,
        enterprise_uscc: enterprise.uscc,
        submitted_by: agent.accountId,
      });
      expect((await call('GET', `/api/v1/applications/${enterpriseDraft}`, owner)).statusCode).toBe(200);
      expect(
        (await call('GET', '/api/v1/applications', owner)).json().items.map((a: { id: string }) => a.id),
      ).toEqual([enterpriseDraft]);
      const asHimself = await secondSession(agent);
      expectProblem(await call('GET', `/api/v1/applications/${enterpriseDraft}`, asHimself), 404);
    });
  });

  describe('a 一件事 bundle', () => {
    let bundleId: string;
    let cases: { caseId: string; number: string; part: number }[];

    it('makes one part per item, shares a material both items need, and opens one case per item', async () => {
      const a = await publishTestItem({
        audience: ['natural_person'],
        materials: [
          { name: '居民身份证', source: 'government' },
          { name: '申请书', source: 'applicant' },
        ],
      });
      const b = await publishTestItem({
        audience: ['natural_person'],
        materials: [
          { name: '居民身份证', source: 'government' },
          { name: '父母户口簿', source: 'government', required: false },
        ],
      });
      await createBundle(
        t.db,
        {
          code: 'test-bundle',
          name: '测试一件事',
          lifeEvent: '其他',
          audience: 'natural_person',
          description: '两个事项一次办',
          itemCodes: [a.code, b.code],
        },
        actor,
      );
      const created = await call('POST', '/api/v1/applications', citizen, {
        bundleCode: 'test-bundle',
        regionCode: community,
      });
      expect(created.statusCode, created.body).toBe(201);
      const body = created.json();
      bundleId = body.id;
      expect(body).toMatchObject({
        title: '测试一件事',
        bundle: { code: 'test-bundle' },
        filled: ['居民身份证'],
      });
      expect(body.parts.map((p: { item: { code: string } }) => p.item.code)).toEqual([a.code, b.code]);
      expect(body.materials.find((m: { name: string }) => m.name === '居民身份证')).toMatchObject({
        items: [a.code, b.code],
        status: 'provided',
      });
      // Another person's household register is not the applicant's: the platform does not fill it.
      expect(body.materials.find((m: { name: string }) => m.name === '父母户口簿')).toMatchObject({
        status: 'to_be_supplied',
        registry: null,
      });
      const formData = {
        applicantName: citizen.name,
        idNumber: citizen.idNumber,
        phone: '13812345678',
        shopName: '一件事',
      };
      const saved = await call('PATCH', `/api/v1/applications/${bundleId}`, citizen, {
        version: 1,
        parts: [
          { part: 1, formData },
          { part: 2, formData },
        ],
      });
      expect(saved.statusCode, saved.body).toBe(200);
      expect(
        (await upload(citizen, bundleId, '申请书', pdf('一件事'), '申请书.pdf', 'application/pdf'))
          .statusCode,
      ).toBe(200);
      const submitted = await call('POST', `/api/v1/applications/${bundleId}/submit`, citizen, {
        version: 2,
      });
      expect(submitted.statusCode, submitted.body).toBe(201);
      cases = submitted.json().cases;
      const number = submitted.json().number as string;
      expect(cases.map((c) => [c.part, c.number])).toEqual([
        [1, `${number}-01`],
        [2, `${number}-02`],
      ]);
      const rows = await t.db.query<{ materials: { name: string }[] }>(
        'select materials from cases where application_id = $1 order by part',
        [bundleId],
      );
      expect(rows.map((r) => r.materials.map((m) => m.name).sort())).toEqual([
        ['居民身份证', '申请书'],
        ['居民身份证'],
      ]);
    });

    it('shows one progress view and completes when every case has ended', async () => {
      const progress = async () =>
        (await call('GET', `/api/v1/applications/${bundleId}/progress`, citizen)).json();
      expect((await progress()).cases).toHaveLength(2);

      // The applicant withdraws the first case; the application is still running.
      const withdrawn = await call('POST', `/api/v1/cases/${cases[0]!.caseId}/actions/withdraw`, citizen, {
        version: 1,
      });
      expect(withdrawn.statusCode, withdrawn.body).toBe(200);
      await t.app.outbox.drain();
      expect(await progress()).toMatchObject({ status: 'submitted', completedAt: null });

      // The department returns the second one: every case has ended.
      const [part] = await t.db.query<{ organisation_id: number }>(
        'select organisation_id from cases where id = $1',
        [cases[1]!.caseId],
      );
      const clerk = await staffSession(t.app, t.db, ['window_clerk'], {
        organisationId: part!.organisation_id,
      });
      const returned = await call(
        'POST',
        `/api/v1/cases/${cases[1]!.caseId}/actions/return`,
        clerk.authorization,
        {
          version: 1,
          reason: '申请事项不属于本机关职权范围',
        },
      );
      expect(returned.statusCode, returned.body).toBe(200);
      await t.app.outbox.drain();
      const done = await progress();
      expect(done).toMatchObject({ status: 'completed' });
      expect(done.completedAt).toEqual(expect.any(String));
      expect(done.cases.map((c: { terminal: boolean }) => c.terminal)).toEqual([true, true]);

      // Idempotent: the event again changes nothing.
      const [{ n }] = (await t.db.query<{ n: number }>(
        `select count(*)::int as n from audit_log where action = 'application.complete' and entity_id = $1`,
        [bundleId],
      )) as [{ n: number }];
      expect(n).toBe(1);
      const { completeIfAllEnded } = await import('../../src/modules/applications/index.ts');
      expect(await completeIfAllEnded(t.db, bundleId)).toBe(false);
      const [event] = await t.db.query<{ topic: string }>(
        `select topic from outbox_event where key = $1 and topic like 'application.%' order by id desc limit 1`,
        [bundleId],
      );
      expect(event!.topic).toBe('application.completed');
    });
  });

  describe('concurrent submissions and deleting drafts', () => {
    /** A draft of the single item ready to submit. */
    const readyDraft = async (): Promise<{ id: string; version: number }> => {
      const created = await call('POST', '/api/v1/applications', citizen, {
        itemCode: single.code,
        regionCode: community,
      });
      const id = created.json().id as string;
      const formData = { ...created.json().parts[0].formData, phone: '13812345678', shopName: '并发' };
      const saved = await call('PATCH', `/api/v1/applications/${id}`, citizen, {
        version: 1,
        parts: [{ part: 1, formData }],
      });
      expect(saved.statusCode, saved.body).toBe(200);
      const reused = await call('POST', `${materialUrl(id, '申请书')}/reuse`, citizen, {
        uploadId: pdfUploadId,
      });
      expect(reused.statusCode, reused.body).toBe(200);
      return { id, version: 2 };
    };

    it('lets exactly one of two concurrent submissions through, with or without the same Idempotency-Key', async () => {
      for (const key of [undefined, 'concurrent-submit']) {
        const { id, version } = await readyDraft();
        const before = await state();
        const headers: Record<string, string> = key ? { 'idempotency-key': `${key}-${id}` } : {};
        const responses = await Promise.all(
          [0, 1].map(() => call('POST', `/api/v1/applications/${id}/submit`, citizen, { version }, headers)),
        );
        const statuses = responses.map((r) => r.statusCode).sort();
        // Without a key the second finds the application submitted (409); with one it gets the
        // first answer replayed (201) or, while the first still runs, a 409.
        expect(statuses[0]).toBe(201);
        expect(key ? [201, 409] : [409]).toContain(statuses[1]);
        const numbers = new Set(responses.filter((r) => r.statusCode === 201).map((r) => r.json().number));
        expect(numbers.size).toBe(1);
        const after = await state();
        expect(after.cases).toBe(before.cases + 1);
        expect(after.applications).toBe(before.applications);
      }
    });

    it('deletes a draft, audited', async () => {
      const created = await call('POST', '/api/v1/applications', citizen, {
        itemCode: single.code,
        regionCode: community,
      });
      const id = created.json().id as string;
      expect((await call('DELETE', `/api/v1/applications/${id}`, citizen)).statusCode).toBe(204);
      expectProblem(await call('GET', `/api/v1/applications/${id}`, citizen), 404);
      const actions = await t.db.query<{ action: string }>(
        `select action from audit_log where entity = 'application' and entity_id = $1 order by id`,
        [id],
      );
      expect(actions.map((a) => a.action)).toEqual(['application.create', 'application.delete']);
    });
  });
});
