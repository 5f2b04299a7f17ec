import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/modules/licenses/canonical.ts';
import { parseCheckpointNote, verifyCheckpoint } from '../../src/modules/licenses/checkpoint.ts';
import { licenceDataHash, type LicenceBundle, type LicenceData } from '../../src/modules/licenses/formats.ts';
import { remindExpiring } from '../../src/modules/licenses/reminders.ts';
import { expireLicences, getLicence, issueLicences } from '../../src/modules/licenses/service.ts';
import { verifyConsistency } from '../../src/modules/licenses/merkle.ts';
import { importPublicKey } from '../../src/modules/licenses/signing.ts';
import { ministryUscc } from '../../src/modules/licenses/types.ts';
import { verifyBundle } from '../../src/modules/licenses/verify.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { fileCase, publishParallelItem, type ParallelItem } from '../helpers/cases.ts';
import { personSession, staffSession, verifiedPersonSession } from '../helpers/identity.ts';

const run = promisify(execFile);

/**
 * E-licences end to end (issue 5): a case decision issues a sealed licence; the QR page and
 * the public API verify it; the licence file verifies offline; tampering, back-dating and
 * removing a log entry are detected; revocation, rotation, expiry and reminders.
 */
describe('licences', () => {
  let t: TestApp;
  let item: ParallelItem;
  let holder: { accountId: string; authorization: string; idNumber: string; name: string };
  let clerk: string;
  let head: string;
  let approver: string;
  let housingApprover: string;
  let sealAdmin: string;
  let licenceId: string;

  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, authorization?: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: authorization ? { authorization } : {},
      payload: payload as object,
    });

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    item = await publishParallelItem(t.db, {
      audience: ['natural_person'],
      resultLicence: '出租汽车驾驶员从业资格证',
    });
    const [resident] = await t.db.query<{ idNumber: string; name: string }>(
      `select id_number as "idNumber", name from registry_person order by id_number limit 1`,
    );
    const person = await verifiedPersonSession(t.app, t.db, resident!);
    holder = { ...person, ...resident! };
    const lead = { organisationId: item.lead.id, regionCodes: [item.regionCode] };
    clerk = (await staffSession(t.app, t.db, ['window_clerk'], lead)).authorization;
    head = (await staffSession(t.app, t.db, ['department_head'], lead)).authorization;
    approver = (await staffSession(t.app, t.db, ['approver'], lead)).authorization;
    housingApprover = (
      await staffSession(t.app, t.db, ['approver'], {
        organisationId: item.branches[1]!.organisationId,
        regionCodes: [item.regionCode],
        organisationIds: [item.branches[1]!.organisationId],
      })
    ).authorization;
    sealAdmin = (
      await staffSession(t.app, t.db, ['system_admin'], {
        organisationId: item.lead.id,
        regionCodes: [item.regionCode],
      })
    ).authorization;
  }, 180_000);
  afterAll(() => t.drop());

  async function step(
    id: string,
    action: string,
    authorization: string,
    extra: Record<string, unknown> = {},
  ) {
    const current = await inject('GET', `/api/v1/cases/${id}`, clerk);
    const res = await inject('POST', `/api/v1/cases/${id}/actions/${action}`, authorization, {
      version: current.json().version,
      ...extra,
    });
    expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
  }

  const verification = async (id: string) => {
    const res = await inject('GET', `/api/v1/licenses/${encodeURIComponent(id)}/verification`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const bundleOf = async (id: string): Promise<LicenceBundle> => {
    const res = await inject(
      'GET',
      `/api/v1/licenses/${encodeURIComponent(id)}/bundle`,
      holder.authorization,
    );
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const logKey = () => t.app.licenses.log.publicKey;

  it('a case decision issues a sealed, logged licence that its QR page verifies without login', async () => {
    const caseId = await fileCase(t.db, item, holder.accountId);
    await step(caseId, 'receive', clerk);
    await step(caseId, 'accept', clerk);
    await step(caseId, 'review_approve', approver, { branch: 'market' });
    await step(caseId, 'review_approve', housingApprover);
    await step(caseId, 'decide_approve', head);
    await step(caseId, 'complete', clerk);
    await t.app.outbox.drain();
    await t.app.outbox.drain(); // a redelivery issues nothing more

    const issued = await t.db.query<{ id: string; status: string }>(
      `select id, status from licence where source_case_id = $1`,
      [caseId],
    );
    expect(issued).toHaveLength(1);
    licenceId = issued[0]!.id;
    expect(licenceId).toMatch(/^1\.2\.156\.3005\.2\.[0-9A-Z]{21}\.[0-9A-Z]{18}\.\d{11}\.001\.[0-9A-Z]$/);

    const v = await verification(licenceId);
    expect(v).toMatchObject({
      valid: true,
      status: 'valid',
      licenceType: { name: '出租汽车驾驶员从业资格证' },
    });
    expect(v.signature).toMatchObject({ valid: true, algorithm: 'sm2-sm3' });
    expect(v.log.included).toBe(true);
    expect(v.holder.name).not.toBe(holder.name); // masked
    expect(v.holder.identifier).toMatch(/\*/);
    expect(verifyCheckpoint(v.log.checkpoint, logKey())).toBe(true);

    const page = await inject('GET', `/verify/licenses/${encodeURIComponent(licenceId)}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('证照真实有效');

    // Both verifications are in the holder's access log.
    const [counted] = await t.db.query<{ n: string }>(
      `select count(*) as n from licence_access where licence_id = $1 and kind = 'verification'`,
      [licenceId],
    );
    expect(Number(counted!.n)).toBe(2);
  });

  it('the licence file verifies offline; changing any byte of the data is detected', async () => {
    const bundle = await bundleOf(licenceId);
    const ok = verifyBundle(bundle, { logKey: logKey() });
    expect(ok.ok, JSON.stringify(ok.checks)).toBe(true);
    expect(ok.status).toBe('valid');

    const text = canonicalJson(bundle.licence);
    for (const position of [10, Math.floor(text.length / 2), text.length - 10]) {
      const replacement = text[position] === 'A' ? 'B' : 'A';
      const altered = `${text.slice(0, position)}${replacement}${text.slice(position + 1)}`;
      let licence: LicenceData;
      try {
        licence = JSON.parse(altered) as LicenceData;
      } catch {
        continue; // a byte that breaks the JSON is caught by the shape check, covered below
      }
      const result = verifyBundle({ ...bundle, licence }, { logKey: logKey() });
      expect(result.ok).toBe(false);
    }
    const garbage = verifyBundle(
      { ...bundle, licence: { ...bundle.licence, face: 'x' } },
      { logKey: logKey() },
    );
    expect(garbage.ok).toBe(false);

    // The same through the PDF the holder downloads: the file carries the licence.json it verifies from.
    const pdf = await inject(
      'GET',
      `/api/v1/licenses/${encodeURIComponent(licenceId)}/pdf`,
      holder.authorization,
    );
    expect(pdf.statusCode, pdf.body.slice(0, 200)).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const again = await inject(
      'GET',
      `/api/v1/licenses/${encodeURIComponent(licenceId)}/pdf`,
      holder.authorization,
    );
    expect(again.rawPayload.equals(pdf.rawPayload)).toBe(true); // rendered once, then kept
    // The command a bank or a court runs, offline, on the downloaded PDF, the log's key and a checkpoint.
    const dir = mkdtempSync(path.join(tmpdir(), 'tongban-licence-'));
    const put = (name: string, content: string | Uint8Array) => {
      writeFileSync(path.join(dir, name), content);
      return path.join(dir, name);
    };
    const keyPem = (await inject('GET', '/api/v1/licence-log/key.pem')).body;
    const note = (await inject('GET', '/api/v1/licence-log/checkpoint?format=note')).body;
    const verified = await run(process.execPath, [
      'bin/tongban.js',
      'verify',
      put('licence.pdf', pdf.rawPayload),
      '--log-key',
      put('log-key.pem', keyPem),
      '--checkpoint',
      put('checkpoint.txt', note),
    ]).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/valid/);
    // Someone else gets nothing.
    const stranger = await personSession(t.app, t.db, { assurance: 2 });
    expect(
      (await inject('GET', `/api/v1/licenses/${encodeURIComponent(licenceId)}/pdf`, stranger.authorization))
        .statusCode,
    ).toBe(404);
  });

  it('data changed in the database fails the seal signature in the public verification', async () => {
    const [issued] = await issueLicences(
      t.app.licenses,
      [
        {
          type: '出租汽车驾驶员从业资格证',
          organisationId: item.lead.id,
          holder: { kind: 'person', name: holder.name, identifier: holder.idNumber },
          face: { name: holder.name, idNumber: holder.idNumber, category: '巡游出租汽车' },
        },
      ],
      'test',
    );
    const cipher = t.app.licenses.cipher;
    const forged = { ...issued!.data, face: { ...issued!.data.face, category: '网络预约出租汽车' } };
    await t.db.query(`update licence set data = $2 where id = $1`, [
      issued!.id,
      cipher.encrypt(canonicalJson(forged), 'licenceData'),
    ]);
    const v = await verification(issued!.id);
    expect(v.valid).toBe(false);
    expect(v.signature.valid).toBe(false);
  });

  it('a back-dated licence is detected: its log time contradicts its signing time and earlier checkpoints', async () => {
    const deps = t.app.licenses;
    const bundle = await bundleOf(licenceId);
    // An insider with the seal key signs a licence dated two days ago and gets it logged now.
    const [key] = await t.db.query<{ key_id: string; algorithm: 'sm2-sm3'; private_key: string }>(
      `select key_id, algorithm, private_key from seal_key where key_id = $1`,
      [bundle.signature.keyId],
    );
    const signedAt = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const data: LicenceData = {
      ...bundle.licence,
      signedAt,
      face: { ...bundle.licence.face, category: '倒签' },
    };
    const signature = deps.signer
      .sign(
        { keyId: key!.key_id, algorithm: key!.algorithm, encryptedPrivateKey: key!.private_key },
        'sealKey',
        Buffer.from(canonicalJson(data)),
      )
      .toString('base64');
    const before = await deps.log.checkpoint(t.db);
    const [appended] = await t.db.transaction((tx) =>
      deps.log.append(tx, [
        {
          subject: data.id,
          entry: {
            kind: 'licence.issued',
            licenceId: data.id,
            dataHash: licenceDataHash(data),
            sealKeyId: key!.key_id,
            signedAt,
          },
        },
      ]),
    );
    const checkpoint = await deps.log.checkpoint(t.db);
    const proof = await deps.log.inclusionProof(t.db, appended!.index, checkpoint.treeSize);
    const sealProof = await deps.log.inclusionProof(
      t.db,
      bundle.sealKey.proof.leafIndex,
      checkpoint.treeSize,
    );
    const forged: LicenceBundle = {
      ...bundle,
      licence: data,
      signature: { ...bundle.signature, value: signature },
      issuance: { entry: appended!.entry, proof },
      sealKey: { entry: bundle.sealKey.entry, proof: sealProof },
      statusEntries: [],
      checkpoint,
    };
    const result = verifyBundle(forged, { logKey: logKey(), checkpoints: [before] });
    expect(result.ok).toBe(false);
    expect(result.checks.find((c) => c.name === 'signature')?.ok).toBe(true);
    expect(result.checks.find((c) => c.name === 'timing')?.ok).toBe(false);
  });

  it('consistency proofs hold between checkpoints over HTTP, and a removed log entry is detected', async () => {
    const first = await t.app.licenses.log.checkpoint(t.db);
    await issueLicences(
      t.app.licenses,
      Array.from({ length: 5 }, () => ({
        type: '出租汽车驾驶员从业资格证',
        organisationId: item.lead.id,
        holder: { kind: 'person' as const, name: holder.name, identifier: holder.idNumber },
        face: { name: holder.name, idNumber: holder.idNumber },
      })),
      'test',
    );
    const created = await inject('POST', '/api/v1/licence-log/checkpoints', head);
    expect(created.statusCode, created.body).toBe(201);
    const second = created.json();
    const note = await inject('GET', '/api/v1/licence-log/checkpoint?format=note');
    expect(parseCheckpointNote(note.body)).toEqual(second);
    const proof = (
      await inject(
        'GET',
        `/api/v1/licence-log/proofs/consistency?from=${first.treeSize}&to=${second.treeSize}`,
      )
    ).json();
    const root = (cp: { rootHash: string }) => Buffer.from(cp.rootHash, 'base64');
    const hashes = proof.hashes.map((h: string) => Buffer.from(h, 'base64'));
    expect(verifyConsistency(first.treeSize, second.treeSize, root(first), root(second), hashes)).toBe(true);
    const keyPem = (await inject('GET', '/api/v1/licence-log/key.pem')).body;
    expect(
      verifyCheckpoint(
        second,
        importPublicKey(
          second.algorithm,
          Buffer.from(keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64'),
        ),
      ),
    ).toBe(true);

    expect((await t.app.licenses.log.audit(t.db)).ok).toBe(true);
    // The table refuses deletion; an owner who switches the guard off is caught by the audit.
    await expect(
      t.db.query(`delete from transparency_log_entry where log_name = 'licences' and idx = 1`),
    ).rejects.toThrow(/append-only/);
    await t.db.query(`alter table transparency_log_entry disable trigger transparency_log_entry_append_only`);
    const [removed] = await t.db.query(
      `select * from transparency_log_entry where log_name = 'licences' and idx = 1`,
    );
    try {
      await t.db.query(`delete from transparency_log_entry where log_name = 'licences' and idx = 1`);
      const audit = await t.app.licenses.log.audit(t.db);
      expect(audit.ok).toBe(false);
      expect(audit.problems.join('\n')).toMatch(/entry 1 is missing/);
      expect(audit.problems.join('\n')).toMatch(/another root hash/);
    } finally {
      await t.db.query(
        `insert into transparency_log_entry select * from json_populate_record(null::transparency_log_entry, $1::json)`,
        [
          JSON.stringify({
            ...removed,
            leaf_hash: `\\x${Buffer.from(removed!.leaf_hash as Uint8Array).toString('hex')}`,
          }),
        ],
      );
      await t.db.query(
        `alter table transparency_log_entry enable trigger transparency_log_entry_append_only`,
      );
    }
    expect((await t.app.licenses.log.audit(t.db)).ok).toBe(true); // put back, it verifies again
  });

  it('a revoked licence verifies as revoked, online and offline', async () => {
    const [issued] = await issueLicences(
      t.app.licenses,
      [
        {
          type: '出租汽车驾驶员从业资格证',
          organisationId: item.lead.id,
          holder: { kind: 'person', name: holder.name, identifier: holder.idNumber, sub: holder.accountId },
          face: { name: holder.name, idNumber: holder.idNumber },
        },
      ],
      'test',
    );
    const id = encodeURIComponent(issued!.id);
    const denied = await inject('POST', `/api/v1/licenses/${id}/actions/revoke`, clerk, {
      reason: '以欺骗手段取得',
    });
    expect(denied.statusCode).toBe(403);
    const revoked = await inject('POST', `/api/v1/licenses/${id}/actions/revoke`, head, {
      reason: '以欺骗手段取得',
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(
      (await inject('POST', `/api/v1/licenses/${id}/actions/reinstate`, head, { reason: '恢复' })).statusCode,
    ).toBe(409);
    const v = await verification(issued!.id);
    expect(v).toMatchObject({ valid: false, status: 'revoked', statusReason: '以欺骗手段取得' });
    expect(v.signature.valid).toBe(true);
    const offline = verifyBundle(await bundleOf(issued!.id), { logKey: logKey() });
    expect(offline.status).toBe('revoked');
    expect(offline.ok).toBe(false);
  });

  it('seal rotation keeps old signatures valid; a seal revoked from a date invalidates later signatures only', async () => {
    const deps = t.app.licenses;
    const issue = async () =>
      (
        await issueLicences(
          deps,
          [
            {
              type: '出租汽车驾驶员从业资格证',
              organisationId: item.lead.id,
              holder: { kind: 'person', name: holder.name, identifier: holder.idNumber },
              face: { name: holder.name, idNumber: holder.idNumber },
            },
          ],
          'test',
        )
      )[0]!;
    const old = await issue();
    const seals = (await inject('GET', '/api/v1/seals', sealAdmin)).json();
    const seal = seals.find((s: { keys: { keyId: string }[] }) =>
      s.keys.some((k) => k.keyId === old.signature.keyId),
    );
    const rotated = await inject('POST', `/api/v1/seals/${seal.code}/rotate`, sealAdmin, {
      algorithm: 'sm2-sm3',
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const fresh = await issue();
    expect(fresh.signature.keyId).not.toBe(old.signature.keyId);
    expect((await verification(old.id)).valid).toBe(true);
    expect((await verification(fresh.id)).valid).toBe(true);

    // Revoked from just before the fresh licence was signed: the old one stands, the fresh one does not.
    const from = new Date(new Date(fresh.data.signedAt).getTime() - 1).toISOString();
    const revoked = await inject('POST', `/api/v1/seals/${seal.code}/revoke`, sealAdmin, {
      from,
      reason: '印章遗失',
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect((await verification(old.id)).valid).toBe(true);
    const after = await verification(fresh.id);
    expect(after.valid).toBe(false);
    expect(after.signature.problem).toMatch(/revoked/);
    // New licences get a new seal.
    const next = await issue();
    expect((await verification(next.id)).valid).toBe(true);
  });

  it('expiry: the holder is reminded once before it, and the licence expires after it, logged', async () => {
    const deps = t.app.licenses;
    const today = new Date();
    const [issued] = await issueLicences(
      deps,
      [
        {
          type: '出租汽车驾驶员从业资格证',
          organisationId: item.lead.id,
          holder: { kind: 'person', name: holder.name, identifier: holder.idNumber, sub: holder.accountId },
          face: { name: holder.name, idNumber: holder.idNumber },
          validFrom: '2020-01-01',
          issueDate: '2020-01-01',
          validUntil: new Date(today.getTime() + 10 * 86_400_000).toISOString().slice(0, 10),
        },
      ],
      'test',
    );
    expect(await remindExpiring(deps, 30)).toBeGreaterThanOrEqual(1);
    expect(await remindExpiring(deps, 30)).toBe(0);
    await t.app.outbox.drain();
    const messages = await t.db.query<{ kind: string; title_zh: string }>(
      `select kind, title_zh from inbox_message where recipient_sub = $1 and kind = 'licence.expiring'`,
      [holder.accountId],
    );
    expect(messages.length).toBeGreaterThanOrEqual(1);
    expect(messages[0]!.title_zh).toMatch(/出租汽车驾驶员从业资格证将于\d+天后到期/);

    expect(await expireLicences(deps, new Date(today.getTime() + 12 * 86_400_000))).toBeGreaterThanOrEqual(1);
    const stored = await getLicence(deps, t.db, issued!.id);
    expect(stored.status).toBe('expired');
    const entries = await deps.log.entriesAbout(t.db, issued!.id);
    expect(entries.map((e) => e.entry.kind)).toEqual(['licence.issued', 'licence.expired']);
  });

  it('a catalog administrator adds a licence type that can then be issued; seals show their impression', async () => {
    const catalogAdmin = (
      await staffSession(t.app, t.db, ['catalog_admin'], {
        organisationId: item.lead.id,
        regionCodes: [item.regionCode],
      })
    ).authorization;
    const code = `${ministryUscc('00013399')}001`;
    const type = {
      name: '测试许可证',
      holderKind: 'person',
      authority: '市场监督管理局',
      faceFields: [
        { key: 'name', label: '姓名', source: 'holder.name', required: true },
        { key: 'scope', label: '许可范围', source: 'form.scope', required: false },
      ],
      validityYears: 3,
      template: 'card',
    };
    expect((await inject('PUT', `/api/v1/licence-types/${code}`, clerk, type)).statusCode).toBe(403);
    const saved = await inject('PUT', `/api/v1/licence-types/${code}`, catalogAdmin, type);
    expect(saved.statusCode, saved.body).toBe(200);
    const badCode = `${code.slice(0, 17)}${code[17] === '0' ? '1' : '0'}001`;
    const refused = await inject('PUT', `/api/v1/licence-types/${badCode}`, catalogAdmin, type);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].field).toBe('code');
    const twice = await inject('PUT', `/api/v1/licence-types/${code}`, catalogAdmin, {
      ...type,
      faceFields: [type.faceFields[0], type.faceFields[0]],
    });
    expect(twice.json().errors.map((e: { field: string }) => e.field)).toEqual(['faceFields[1].key']);
    const types = (await inject('GET', '/api/v1/licence-types')).json() as { code: string }[];
    expect(types.map((x) => x.code)).toContain(code);

    const issued = await inject('POST', '/api/v1/licenses', head, {
      type: '测试许可证',
      organisationId: item.lead.id,
      holder: { kind: 'person', name: holder.name, identifier: holder.idNumber },
      face: { name: holder.name, scope: '测试' },
      issueDate: '2026-01-05',
    });
    expect(issued.statusCode, issued.body).toBe(201);
    expect(issued.json().data).toMatchObject({ validFrom: '2026-01-05', validUntil: '2029-01-04' });
    const v = await verification(issued.json().id);
    expect(v.valid).toBe(true);
    const image = await inject('GET', `/api/v1/seals/${v.signature.sealCode}/image.svg`);
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(image.body).toContain('<svg');
  });

  it('a change issues a new version that supersedes the old one, both sealed and logged', async () => {
    const [first] = await issueLicences(
      t.app.licenses,
      [
        {
          type: '出租汽车驾驶员从业资格证',
          organisationId: item.lead.id,
          holder: { kind: 'person', name: holder.name, identifier: holder.idNumber },
          face: { name: holder.name, idNumber: holder.idNumber, category: '巡游出租汽车' },
        },
      ],
      'test',
    );
    const changed = await inject('POST', `/api/v1/licenses/${encodeURIComponent(first!.id)}/versions`, head, {
      face: { category: '网络预约出租汽车' },
    });
    expect(changed.statusCode, changed.body).toBe(201);
    const second = changed.json();
    expect(second.id).toBe(first!.id.replace(/\.001\.[0-9A-Z]$/, '.002.') + second.id.slice(-1));
    expect(second.data).toMatchObject({ supersedes: first!.id, face: { category: '网络预约出租汽车' } });
    expect(await verification(first!.id)).toMatchObject({
      valid: false,
      status: 'superseded',
      supersededBy: second.id,
    });
    expect(await verification(second.id)).toMatchObject({ valid: true, status: 'valid', version: 2 });
    expect(verifyBundle(await bundleOf(first!.id), { logKey: logKey() }).status).toBe('superseded');
    // An old version cannot be changed again.
    const again = await inject('POST', `/api/v1/licenses/${encodeURIComponent(first!.id)}/versions`, head, {
      face: { category: '巡游出租汽车' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('the checkpoint job signs a checkpoint only when the log grew', async () => {
    const job = t.app.jobs.find((j) => j.name === 'licences.checkpoint')!;
    const before = (await job.run()) as { treeSize: number };
    expect(((await job.run()) as { treeSize: number }).treeSize).toBe(before.treeSize);
    const audit = await t.app.licenses.log.audit(t.db);
    expect(audit).toMatchObject({ ok: true, size: before.treeSize });
    expect(audit.checkpoints).toBeGreaterThan(3);
  });

  it('bad input gets a problem naming the field and the rule', async () => {
    const bad = await inject('POST', '/api/v1/licenses', head, {
      type: '出租汽车驾驶员从业资格证',
      organisationId: item.lead.id,
      holder: { kind: 'person', name: '张三', identifier: '110105194912310021' },
      face: {},
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain('holder.identifier');
    const unknownType = await inject('POST', '/api/v1/licenses', head, {
      type: '不存在的证',
      organisationId: item.lead.id,
      holder: { kind: 'person', name: '张三', identifier: holder.idNumber },
      face: {},
    });
    expect(unknownType.statusCode).toBe(400);
    const malformed = await inject('GET', '/api/v1/licenses/1.2.156.3005.2.X/verification');
    expect(malformed.statusCode).toBe(400);
    const wrongCheck = licenceId.slice(0, -1) + (licenceId.endsWith('0') ? '1' : '0');
    expect(
      (await inject('GET', `/api/v1/licenses/${encodeURIComponent(wrongCheck)}/verification`)).statusCode,
    ).toBe(400);
    expect((await inject('GET', '/verify/licenses/nonsense')).statusCode).toBe(404);
    const consistency = await inject('GET', '/api/v1/licence-log/proofs/consistency?from=999999');
    expect(consistency.statusCode).toBe(400);
  });
});
