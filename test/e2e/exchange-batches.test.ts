import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/kernel/chain.ts';
import type { App } from '../../src/kernel/http.ts';
import {
  checkResidentId,
  createRng,
  generateResidentId,
  generateUscc,
} from '../../src/kernel/identifiers/index.ts';
import { createApp } from '../../src/main.ts';
import { ingestBatch, readCsvRecords } from '../../src/modules/exchange/batches.ts';
import { testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { anyOrganisation, staffSession } from '../helpers/identity.ts';

/**
 * Bulk exchange end to end (issue 6 item 6): a provider uploads CSV and NDJSON batches;
 * bad rows are reported with their reason while the good ones are upserted; a body that
 * does not match its checksum changes nothing; staff of another department are refused;
 * each batch is chained and its changed keys published for the change feed.
 */
describe('bulk exchange', () => {
  let t: TestDatabase;
  let app: App;
  let provider: string;
  let providerId: number;
  let other: string;
  const rng = createRng(6);
  const used = new Set<string>();

  type Person = {
    idNumber: string;
    name: string;
    sex: string;
    birthDate: string;
    regionCode: string;
    phone: string | null;
  };
  const person = (i: number): Person => {
    let idNumber: string;
    do idNumber = generateResidentId(rng);
    while (used.has(idNumber));
    used.add(idNumber);
    const info = checkResidentId(idNumber);
    if (!info.ok) throw new Error('generated an invalid ID number');
    return {
      idNumber,
      name: `居民${i}`,
      sex: info.info.sex === 'male' ? 'M' : 'F',
      birthDate: info.info.birthDate,
      regionCode: `${idNumber.slice(0, 6)}000000`,
      phone: i % 2 ? `139${String(i).padStart(8, '0')}` : null,
    };
  };
  const FIELDS = ['idNumber', 'name', 'sex', 'birthDate', 'regionCode', 'phone'] as const;
  const cell = (value: unknown) => {
    const text = String(value ?? '');
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const csv = (rows: Record<string, unknown>[], fields: readonly string[] = FIELDS) =>
    [fields.join(','), ...rows.map((r) => fields.map((f) => cell(r[f])).join(','))].join('\r\n') + '\r\n';
  const ndjson = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const sha = (body: string) => createHash('sha256').update(body).digest('hex');

  const upload = (
    authorization: string,
    resource: string,
    body: string,
    type: 'text/csv' | 'application/x-ndjson' = 'text/csv',
    checksum = sha(body),
  ) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/exchange/batches?resource=${resource}`,
      headers: { authorization, 'content-type': `${type}; charset=utf-8`, 'x-content-sha256': checksum },
      payload: body,
    });
  const get = (authorization: string, url: string) =>
    app.inject({ method: 'GET', url, headers: { authorization } });
  const stored = (ids: string[]) =>
    t.db.query<{ id_number: string; name: string; phone: string | null; updated_at: Date }>(
      `select id_number, name, phone, updated_at from registry_person where id_number = any($1) order by id_number`,
      [ids],
    );
  const changedKeys = async (batchId: string) =>
    (
      await t.db.query<{ payload: { resource: string; batchId: string; keys: string[] } }>(
        `select payload from outbox_event where topic = 'exchange.records.changed' order by id`,
      )
    ).filter((e) => e.payload.batchId === batchId);

  beforeAll(async () => {
    t = await createTestDatabase();
    app = await createApp(testConfig(), t.db);
    await app.ready();
    const providerOrganisation = await anyOrganisation(t.db);
    providerId = providerOrganisation.id;
    const [second] = await t.db.query<{ id: number }>(
      `insert into organisation (name, short_name, uscc, region_code, kind)
       values ('测试省另一局', '另一局', $1, $2, 'department') returning id`,
      [generateUscc(createRng(8), { authority: '1', category: '1' }), providerOrganisation.regionCode],
    );
    await t.db.query(`update exchange_resource set provider_organisation_id = $1`, [providerId]);
    const scope = { regionCodes: [providerOrganisation.regionCode] };
    provider = (
      await staffSession(app, t.db, ['department_head'], {
        ...scope,
        organisationId: providerId,
        organisationIds: [providerId],
      })
    ).authorization;
    other = (
      await staffSession(app, t.db, ['department_head'], {
        ...scope,
        organisationId: second!.id,
        organisationIds: [second!.id],
      })
    ).authorization;
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  let people: Person[] = [];
  let firstBatch: string;

  it('ingests every good row of a CSV batch with 1 % bad rows and reports each bad row with its reason', async () => {
    people = Array.from({ length: 300 }, (_, i) => person(i));
    const rows: Record<string, unknown>[] = people.map((p) => ({ ...p }));
    const last = rows[17]!.idNumber as string;
    rows[17]!.idNumber = last.slice(0, 17) + (last[17] === '0' ? '1' : '0'); // wrong check digit
    rows[120]!.birthDate = '1990-02-30'; // no such date
    rows[250]!.name = ''; // missing name
    const response = await upload(provider, 'population.person', csv(rows));
    expect(response.statusCode, response.body).toBe(201);
    const batch = response.json();
    firstBatch = batch.id;
    expect(batch).toMatchObject({
      resource: 'population.person',
      organisationId: providerId,
      format: 'csv',
      status: 'completed',
      rowsTotal: 300,
      rowsGood: 297,
      rowsBad: 3,
    });

    const good = people.filter((_, i) => ![17, 120, 250].includes(i));
    const inRegistry = await stored(people.map((p) => p.idNumber));
    expect(inRegistry.map((r) => r.id_number)).toEqual(good.map((p) => p.idNumber).sort());
    expect(inRegistry.find((r) => r.id_number === good[0]!.idNumber)!.name).toBe(good[0]!.name);

    const errors = await get(provider, `/api/v1/exchange/batches/${batch.id}/errors`);
    expect(errors.statusCode, errors.body).toBe(200);
    expect(errors.json().total).toBe(3);
    expect(
      errors.json().items.map((e: { row: number; field: string; rule: string }) => [e.row, e.field, e.rule]),
    ).toEqual([
      [18, 'idNumber', 'checkDigit'],
      [121, 'birthDate', 'date'],
      [251, 'name', 'required'],
    ]);
    for (const e of errors.json().items) {
      expect(e.message).toMatch(/[\u4e00-\u9fff]/);
      expect(e.messageEn).toMatch(/[a-z]/);
    }

    // One chain entry with the counts; the changed keys on the feed.
    const chain = await t.db.query<{ action: string; actor: string; data: Record<string, unknown> }>(
      `select action, actor, data from chain_entry where chain = 'exchange-batch:population.person' order by seq`,
    );
    expect(chain).toHaveLength(1);
    expect(chain[0]).toMatchObject({
      action: 'exchange.batch.ingested',
      data: { batchId: batch.id, sha256: batch.sha256, rowsTotal: 300, rowsGood: 297, rowsBad: 3 },
    });
    expect((await verifyChain(t.db, 'exchange-batch:population.person')).ok).toBe(true);
    const events = await changedKeys(batch.id);
    expect(events.flatMap((e) => e.payload.keys).sort()).toEqual(good.map((p) => p.idNumber).sort());
  });

  it('refuses a body that does not match its checksum and changes nothing', async () => {
    const before = await stored(people.map((p) => p.idNumber));
    const renamed = people.map((p) => ({ ...p, name: `${p.name}改` }));
    const body = csv(renamed);
    const response = await upload(provider, 'population.person', body, 'text/csv', sha(`${body}x`));
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toMatch(/SHA-256/);
    expect(await stored(people.map((p) => p.idNumber))).toEqual(before);
    const batch = await get(provider, `/api/v1/exchange/batches/${response.json().batchId}`);
    expect(batch.json()).toMatchObject({ status: 'rejected', rowsGood: 0 });
    expect(await changedKeys(response.json().batchId)).toEqual([]);
  });

  it('refuses an upload by staff of another department and hides the provider batches from them', async () => {
    const body = csv([person(1000)]);
    const response = await upload(other, 'population.person', body);
    expect(response.statusCode).toBe(403);
    expect((await get(other, '/api/v1/exchange/batches')).json().total).toBe(0);
    expect((await get(other, `/api/v1/exchange/batches/${firstBatch}`)).statusCode).toBe(404);
    expect((await get(other, `/api/v1/exchange/batches/${firstBatch}/errors`)).statusCode).toBe(404);
  });

  it('updates rows on a re-upload as NDJSON (updated_at moves)', async () => {
    const subset = people.slice(0, 10);
    const before = await stored(subset.map((p) => p.idNumber));
    const changed = subset.map((p) => ({ ...p, name: `${p.name}新`, phone: '13800000000' }));
    const response = await upload(provider, 'population.person', ndjson(changed), 'application/x-ndjson');
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ format: 'ndjson', rowsTotal: 10, rowsGood: 10, rowsBad: 0 });
    const after = await stored(subset.map((p) => p.idNumber));
    expect(after.map((r) => [r.name, r.phone])).toEqual(before.map((r) => [`${r.name}新`, '13800000000']));
    after.forEach((r, i) => expect(r.updated_at.getTime()).toBeGreaterThan(before[i]!.updated_at.getTime()));

    const list = (await get(provider, '/api/v1/exchange/batches?resource=population.person')).json();
    expect(list.items.map((b: { id: string }) => b.id)).toContain(response.json().id);
    expect(list.items[0].id).toBe(response.json().id); // newest first
  });

  it('reports NDJSON rows that cannot be read or carry unknown fields, and refuses a CSV header without a required column', async () => {
    const p = person(2000);
    const body = `${JSON.stringify(p)}\nnot json\n${JSON.stringify({ ...person(2001), nickname: 'x' })}\n[1]\n`;
    const response = await upload(provider, 'population.person', body, 'application/x-ndjson');
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ rowsTotal: 4, rowsGood: 1, rowsBad: 3 });
    const errors = (await get(provider, `/api/v1/exchange/batches/${response.json().id}/errors`)).json();
    expect(
      errors.items.map((e: { row: number; field: string; rule: string }) => [e.row, e.field, e.rule]),
    ).toEqual([
      [2, '*', 'type'],
      [3, 'nickname', 'additionalProperties'],
      [4, '*', 'type'],
    ]);

    const headerless = csv([person(2002)], ['idNumber', 'sex', 'birthDate', 'regionCode']);
    const refused = await upload(provider, 'population.person', headerless);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual([
      expect.objectContaining({ field: 'header.name', rule: 'required' }),
    ]);
    expect((await get(provider, `/api/v1/exchange/batches/${refused.json().batchId}`)).json().status).toBe(
      'rejected',
    );
  });

  it('checks a person row against its ID number; unreadable CSV is 400 and a wrong media type 415', async () => {
    const p = person(3000);
    const response = await upload(
      provider,
      'population.person',
      csv([{ ...p, sex: p.sex === 'M' ? 'F' : 'M' }]),
    );
    expect(response.json()).toMatchObject({ rowsGood: 0, rowsBad: 1 });
    const errors = (await get(provider, `/api/v1/exchange/batches/${response.json().id}/errors`)).json();
    expect(errors.items[0]).toMatchObject({ row: 1, field: 'sex', rule: 'mismatch' });

    const unreadable = await upload(provider, 'population.person', `${FIELDS.join(',')}\n"unclosed,1\n`);
    expect(unreadable.statusCode).toBe(400);
    expect(unreadable.json().detail).toMatch(/CSV cannot be read/);

    const wrongType = await app.inject({
      method: 'POST',
      url: '/api/v1/exchange/batches?resource=population.person',
      headers: { authorization: provider, 'content-type': 'application/json', 'x-content-sha256': sha('{}') },
      payload: '{}',
    });
    expect(wrongType.statusCode).toBe(415);
  });

  it('loads enterprises (refusing a legal representative not in the population registry) and credit records by their key', async () => {
    const rngE = createRng(61);
    const enterprise = (legalRepresentativeId: string | undefined) => ({
      uscc: generateUscc(rngE),
      name: '示例市瑞丰餐饮有限公司',
      type: '有限责任公司',
      legalRepresentativeId,
      legalRepresentativeName: '张三',
      regionCode: '110101000000',
      registeredCapitalCny: 500000.5,
      establishedOn: '2019-05-20',
      status: '存续',
    });
    const enterprises = [
      enterprise(people[0]!.idNumber),
      enterprise(person(4000).idNumber),
      enterprise(undefined),
    ];
    const response = await upload(
      provider,
      'legal_entity.enterprise',
      ndjson(enterprises),
      'application/x-ndjson',
    );
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ rowsTotal: 3, rowsGood: 2, rowsBad: 1 });
    const errors = (await get(provider, `/api/v1/exchange/batches/${response.json().id}/errors`)).json();
    expect(errors.items).toEqual([
      expect.objectContaining({ row: 2, field: 'legalRepresentativeId', rule: 'reference' }),
    ]);
    const [{ n }] = (await t.db.query<{ n: number }>(
      `select count(*)::int as n from registry_enterprise where uscc = any($1)`,
      [enterprises.map((e) => e.uscc)],
    )) as [{ n: number }];
    expect(n).toBe(2);
    const keys = (await changedKeys(response.json().id)).flatMap((e) => e.payload.keys);
    expect(keys.sort()).toEqual([enterprises[0]!.uscc, enterprises[2]!.uscc].sort());

    const credit = (title: string) => ({
      recordKey: '（2026）示执字第1号',
      subjectKind: 'person',
      subjectKey: people[1]!.idNumber,
      kind: 'dishonest_debtor',
      title,
      authority: '示例市人民法院',
      decidedOn: '2026-01-10',
      validUntil: '2029-01-09',
      details: JSON.stringify({ caseNumber: '（2026）示执字第1号' }),
    });
    const fields = Object.keys(credit(''));
    const bad = { ...credit('x'), recordKey: 'k2', kind: 'abnormal_operation' };
    expect(
      (await upload(provider, 'credit.record', csv([credit('拒不履行'), bad], fields))).json(),
    ).toMatchObject({
      rowsGood: 1,
      rowsBad: 1,
    });
    expect(
      (await upload(provider, 'credit.record', csv([credit('拒不履行给付义务')], fields))).statusCode,
    ).toBe(201);
    const records = await t.db.query<{ title: string; details: unknown }>(
      `select title, details from registry_credit where record_key = '（2026）示执字第1号'`,
    );
    expect(records).toEqual([{ title: '拒不履行给付义务', details: { caseNumber: '（2026）示执字第1号' } }]);
  });

  it('streams a batch in chunks through the service: the last of repeated records wins, keys ≤ 1,000 per event', async () => {
    const many = Array.from({ length: 2300 }, (_, i) => person(10_000 + i));
    const rows = [...many, { ...many[5]!, name: '最后一次' }];
    const body = csv(rows);
    const bytes = Buffer.from(body);
    const batch = await ingestBatch(
      t.db,
      {
        resource: 'population.person',
        format: 'csv',
        sha256: sha(body),
        body: Readable.from([bytes.subarray(0, 1001), bytes.subarray(1001)]), // split inside a character
        uploadedBy: 'test',
        organisationIds: null,
      },
      // Two chunks, the first larger than one event holds, so its keys are split.
      { chunkRows: 1500 },
    );
    expect(batch).toMatchObject({ status: 'completed', rowsTotal: 2301, rowsGood: 2301, rowsBad: 0 });
    const [renamed] = await stored([many[5]!.idNumber]);
    expect(renamed!.name).toBe('最后一次');
    const events = await changedKeys(batch.id);
    expect(events.every((e) => e.payload.keys.length <= 1000)).toBe(true);
    expect(new Set(events.flatMap((e) => e.payload.keys)).size).toBe(2300);
  });
});

describe('CSV records', () => {
  it('reads back whatever csv-stringify writes, however the text is split into pieces', () => {
    const record = fc.array(fc.string({ unit: fc.constantFrom('a', '中', ',', '"', '\n', '\r', ' ') }), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), fc.nat(), fc.boolean(), (records, cut, crlf) => {
        // A record of one empty field is an empty line, which is skipped.
        const expected = records.filter((r) => !(r.length === 1 && r[0] === ''));
        const text = stringify(expected, { record_delimiter: crlf ? '\r\n' : '\n', quoted_match: /[\r\n]/ });
        const at = text.length ? cut % (text.length + 1) : 0;
        const head = readCsvRecords(text.slice(0, at), false);
        const tail = readCsvRecords(text.slice(0, at).slice(head.rest) + text.slice(at), true);
        expect([...head.records, ...tail.records]).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a stray quote and an unclosed quoted field', () => {
    expect(() => readCsvRecords('a,b"c\n', true)).toThrow(/quote/);
    expect(() => readCsvRecords('a,"b"c\n', true)).toThrow(/quote/);
    expect(() => readCsvRecords('a,"b\n', true)).toThrow(/not closed/);
    expect(readCsvRecords('a,"b\n', false)).toEqual({ records: [], rest: 0 });
  });
});
