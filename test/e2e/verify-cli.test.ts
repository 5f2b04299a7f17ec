import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { formatCheckpointNote } from '../../src/modules/licenses/checkpoint.ts';
import { generateSigningKey, publicKeyPem } from '../../src/modules/licenses/signing.ts';
import { buildTestBundle, bundleOf, logStatus } from '../../src/modules/licenses/test-bundle.ts';

const run = promisify(execFile);

/**
 * `tongban verify` as a holder or a bank runs it: files on disk, no configuration. The
 * environment says production without any secret, so a verify that loaded the configuration
 * would fail, and DATA_DIR must not be created.
 */
describe('tongban verify', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongban-verify-'));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', DATA_DIR: path.join(dir, 'data') };
  for (const name of ['DATABASE_URL', 'SESSION_SECRET', 'FIELD_ENCRYPTION_KEYS', 'FIELD_INDEX_KEY'])
    delete env[name];
  const tongban = (...args: string[]) =>
    run(process.execPath, ['bin/tongban.js', 'verify', ...args], { env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  const file = (name: string, content: string | Uint8Array) => {
    const target = path.join(dir, name);
    writeFileSync(target, content);
    return target;
  };

  const { bundle, log, licence, seal, issuanceIndex } = buildTestBundle({ sealAlgorithm: 'sm2-sm3' });
  const at = '2026-06-01T00:00:00.000Z';
  const licenceJson = file('licence.json', JSON.stringify(bundle, null, 2));
  const logKey = file('log-key.pem', publicKeyPem(log.logKey.publicKey));
  const oldSize = bundle.checkpoint.treeSize;
  const oldNote = file('old.checkpoint', formatCheckpointNote(bundle.checkpoint));
  log.appendFiller(6, '2026-03-02T00:00:00.000Z');
  const newer = log.checkpoint('2026-03-02T00:00:00.000Z');
  const newJson = file('new.checkpoint.json', JSON.stringify(newer));
  const proof = file('proof.json', JSON.stringify(log.consistency(oldSize)));

  it('verifies a licence file with every check and exit code 0, without configuration or database', async () => {
    const result = await tongban(licenceJson, '--log-key', logKey, '--at', at);
    expect(result.stderr).not.toMatch(/SESSION_SECRET|FIELD_ENCRYPTION_KEYS|DATABASE/);
    expect(result.code).toBe(0);
    for (const name of ['identifier', 'checkpoint', 'sealKey', 'signature', 'issuance', 'timing', 'status']) {
      expect(result.stdout).toMatch(new RegExp(`✓ ${name} `));
    }
    expect(result.stdout).toContain(licence.id);
    expect(result.stdout).toMatch(/状态 Status: 有效 valid/);
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  }, 30_000);

  it('reads the licence.json attached to a PDF, and checks it against a newer checkpoint', async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage();
    pdf.attach(Buffer.from(JSON.stringify(bundle)), 'licence.json', { mimeType: 'application/json' });
    const licencePdf = file('licence.pdf', await pdf.save());
    const result = await tongban(
      licencePdf,
      '--log-key',
      logKey,
      '--checkpoint',
      newJson,
      '--consistency',
      proof,
      '--at',
      at,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`✓ consistency .*log of size ${newer.treeSize} extends the log of size ${oldSize}`),
    );
    expect(result.stdout).toMatch(/licence\.json attached to the PDF/);
  }, 30_000);

  it('exits 1 for changed data, a wrong log key or a revoked licence, naming the failed check', async () => {
    const changed = file(
      'changed.json',
      JSON.stringify({ ...bundle, licence: { ...bundle.licence, validUntil: '2099-12-31' } }),
    );
    const altered = await tongban(changed, '--log-key', logKey, '--at', at);
    expect(altered.code).toBe(1);
    expect(altered.stdout).toMatch(/✗ signature /);
    expect(altered.stdout).toMatch(/验证未通过 invalid/);

    const otherKey = file('other-key.pem', publicKeyPem(generateSigningKey('ed25519').publicKey));
    const wrongKey = await tongban(licenceJson, '--log-key', otherKey, '--at', at);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/✗ checkpoint /);

    const revokedAt = logStatus(log, licence.id, 'licence.revoked', '2026-04-01T00:00:00.000Z', '吊销');
    const checkpoint = log.checkpoint('2026-04-01T00:01:00.000Z');
    const revoked = file(
      'revoked.json',
      JSON.stringify(bundleOf(log, { licence, seal, issuanceIndex, statusIndices: [revokedAt], checkpoint })),
    );
    const result = await tongban(revoked, '--log-key', logKey, '--at', at);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/状态 Status: 已撤销 revoked/);
  }, 120_000);

  it('checks that a newer checkpoint extends an older one', async () => {
    const ok = await tongban(
      '--log-key',
      logKey,
      '--checkpoint',
      newJson,
      '--checkpoint',
      oldNote,
      '--consistency',
      proof,
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/✓ consistency/);
    const badProof = file('bad-proof.json', JSON.stringify({ ...log.consistency(oldSize), hashes: [] }));
    const bad = await tongban(
      '--log-key',
      logKey,
      '--checkpoint',
      oldNote,
      '--checkpoint',
      newJson,
      '--consistency',
      badProof,
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✗ consistency/);
  }, 30_000);

  it('checks an identifier alone', async () => {
    const good = await tongban(licence.id);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/✓ identifier .*MOD 37,36/);
    const mistyped = licence.id.slice(0, -1) + (licence.id.endsWith('0') ? '1' : '0');
    const bad = await tongban(mistyped);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✗ identifier .*check character/);
  }, 30_000);

  it('exits 2 on usage errors', async () => {
    for (const args of [
      [licenceJson],
      [licenceJson, '--log-key', path.join(dir, 'missing.pem')],
      [path.join(dir, 'missing.json'), '--log-key', logKey],
      [licenceJson, '--log-key', licenceJson],
      [licenceJson, '--log-key', logKey, '--checkpoint', licenceJson],
      [licenceJson, '--log-key', logKey, '--bogus'],
      [licenceJson, '--log-key', logKey, '--consistency', licenceJson],
      ['--log-key', logKey, '--checkpoint', oldNote],
    ]) {
      const result = await tongban(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^verify: [\s\S]*Usage: tongban/m);
    }
  }, 120_000);
});
