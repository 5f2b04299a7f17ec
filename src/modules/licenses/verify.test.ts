import fc from 'fast-check';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import type { LicenceBundle, LicenceData } from './formats.ts';
import { generateSigningKey, SIGNATURE_ALGORITHMS } from './signing.ts';
import {
  addTestSeal,
  buildTestBundle,
  bundleOf,
  logIssuance,
  logStatus,
  sealLicence,
  testLicenceData,
  TestLog,
} from './test-bundle.ts';
import {
  bundleFromPdf,
  type BundleVerification,
  verifyBundle,
  verifyCheckpointConsistency,
} from './verify.ts';

const CHECK_NAMES = [
  'shape',
  'identifier',
  'checkpoint',
  'sealKey',
  'signature',
  'issuance',
  'timing',
  'consistency',
  'status',
];

const failed = (result: BundleVerification) => result.checks.filter((c) => !c.ok).map((c) => c.name);
const detail = (result: BundleVerification, name: string) =>
  result.checks.find((c) => c.name === name)?.detail;

describe('a licence file made as the platform makes it', () => {
  it.each(SIGNATURE_ALGORITHMS.flatMap((seal) => SIGNATURE_ALGORITHMS.map((log) => [seal, log] as const)))(
    'verifies with a %s seal and a %s log key',
    (sealAlgorithm, logAlgorithm) => {
      const { bundle, log, now, issuanceIndex } = buildTestBundle({ sealAlgorithm, logAlgorithm });
      const result = verifyBundle(JSON.parse(JSON.stringify(bundle)), { logKey: log.logKey.publicKey, now });
      expect(result.checks.map((c) => c.name)).toEqual(CHECK_NAMES);
      expect(failed(result)).toEqual([]);
      expect(result).toMatchObject({
        ok: true,
        status: 'valid',
        licenceId: bundle.licence.id,
        leafIndex: issuanceIndex,
      });
    },
  );

  it('fails the checkpoint (and so the verdict) under another log key', () => {
    const { bundle, now } = buildTestBundle();
    const result = verifyBundle(bundle, { logKey: generateSigningKey('ed25519').publicKey, now });
    expect(failed(result)).toEqual(['checkpoint']);
    expect(result).toMatchObject({ ok: false, status: 'invalid' });
  });
});

describe('changed licence data', () => {
  const { bundle, log, now } = buildTestBundle();
  const logKey = log.logKey.publicKey;
  const text = JSON.stringify(bundle);
  const licenceText = JSON.stringify(bundle.licence);
  const licenceStart = text.indexOf(licenceText);

  it('any character of the licence changed in the file: the verdict is no longer valid', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: licenceText.length - 1 }),
        fc.integer({ min: 0x20, max: 0x7e }),
        (offset, code) => {
          const position = licenceStart + offset;
          fc.pre(text.charCodeAt(position) !== code);
          let changed: unknown;
          try {
            changed = JSON.parse(
              text.slice(0, position) + String.fromCharCode(code) + text.slice(position + 1),
            );
          } catch {
            fc.pre(false); // no longer JSON: the file is rejected before verification
          }
          const result = verifyBundle(changed, { logKey, now });
          expect(result.ok).toBe(false);
          expect(result.status).toBe('invalid');
          // Either the data no longer has the format, or the seal signature no longer matches it.
          expect(failed(result).some((name) => name === 'shape' || name === 'signature')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  /** Every string field of the licence, as a path. */
  const stringPaths = (value: unknown, path: string[] = []): string[][] =>
    typeof value === 'string'
      ? [path]
      : value && typeof value === 'object'
        ? Object.entries(value).flatMap(([key, inner]) => stringPaths(inner, [...path, key]))
        : [];
  const paths = stringPaths(bundle.licence).filter(([field]) => field !== 'format');

  it('any field set to another well-formed value: the seal signature and the logged hash fail', () => {
    const wellFormed = (path: string[]) =>
      ['issueDate', 'validFrom', 'validUntil'].includes(path[0]!)
        ? fc.constantFrom('2026-03-02', '2027-01-01', '2030-12-31')
        : path[0] === 'signedAt'
          ? fc.constantFrom('2026-03-01T02:00:01.000Z', '2026-03-01T01:59:59.000Z')
          : path[0] === 'holder' && path[1] === 'kind'
            ? fc.constant('person')
            : fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(
        fc.constantFrom(...paths).chain((path) => fc.tuple(fc.constant(path), wellFormed(path))),
        ([path, value]) => {
          const licence = structuredClone(bundle.licence) as unknown as Record<
            string,
            Record<string, string>
          >;
          const [first, second] = path as [string, string?];
          const before = second === undefined ? licence[first] : licence[first]![second];
          fc.pre(before !== value);
          if (second === undefined) (licence as unknown as Record<string, string>)[first] = value;
          else licence[first]![second] = value;
          const result = verifyBundle({ ...bundle, licence }, { logKey, now });
          expect(result.ok).toBe(false);
          expect(failed(result)).toEqual(expect.arrayContaining(['signature', 'issuance']));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('an added or removed face field fails the signature', () => {
    const added = { ...bundle.licence, face: { ...bundle.licence.face, 备注: '' } };
    const { 经营项目: _removed, ...rest } = bundle.licence.face;
    const removed = { ...bundle.licence, face: rest };
    for (const licence of [added, removed]) {
      expect(failed(verifyBundle({ ...bundle, licence }, { logKey, now }))).toEqual([
        'signature',
        'issuance',
      ]);
    }
  });

  it('a field the format does not know is refused, even if signed', () => {
    const result = verifyBundle({ ...bundle, licence: { ...bundle.licence, note: 'x' } }, { logKey, now });
    expect(failed(result)).toEqual(['shape']);
    expect(detail(result, 'shape')).toMatch(/licence\.note is not a field/);
  });
});

describe('back-dating', () => {
  it('a licence re-signed with an earlier signedAt and logged now fails timing', () => {
    const log = new TestLog();
    const licence = testLicenceData({ signedAt: '2026-02-27T02:00:00.000Z' });
    const seal = addTestSeal(log, {
      loggedAt: '2026-02-01T00:00:00.000Z',
      organisationUscc: licence.issuer.uscc,
    });
    const issuanceIndex = logIssuance(log, seal, licence, '2026-03-01T02:00:05.000Z');
    const checkpoint = log.checkpoint('2026-03-01T02:01:00.000Z');
    const bundle = bundleOf(log, {
      licence,
      seal,
      issuanceIndex,
      checkpoint,
    });
    const result = verifyBundle(bundle, { logKey: log.logKey.publicKey, now: new Date('2026-06-01') });
    expect(failed(result)).toEqual(['timing']);
    expect(detail(result, 'timing')).toMatch(/logged 2\.0 d after it was signed .*back-dated/);
    // The accepted delay is the verifier's choice.
    const lenient = verifyBundle(bundle, {
      logKey: log.logKey.publicKey,
      now: new Date('2026-06-01'),
      maxSequencingDelayMs: 3 * 86_400_000,
    });
    expect(lenient.ok).toBe(true);
  });

  /** The log operator appends an entry after a checkpoint but gives it an earlier loggedAt. */
  function backDatedByTheLog() {
    const log = new TestLog();
    const licence = testLicenceData({ signedAt: '2026-03-01T02:00:00.000Z' });
    const seal = addTestSeal(log, {
      loggedAt: '2026-02-01T00:00:00.000Z',
      organisationUscc: licence.issuer.uscc,
    });
    log.appendFiller(6, '2026-03-01T03:00:00.000Z');
    const before = log.checkpoint('2026-03-01T03:00:00.000Z');
    const issuanceIndex = logIssuance(log, seal, licence, '2026-03-01T02:00:05.000Z');
    const checkpoint = log.checkpoint('2026-03-01T03:10:00.000Z');
    const bundle = bundleOf(log, {
      licence,
      seal,
      issuanceIndex,
      checkpoint,
    });
    return { log, before, bundle };
  }

  it('an entry missing from a checkpoint made after its loggedAt fails timing', () => {
    const { log, before, bundle } = backDatedByTheLog();
    const options = { logKey: log.logKey.publicKey, now: new Date('2026-06-01') };
    expect(verifyBundle(bundle, options).ok).toBe(true); // undetectable without the earlier checkpoint
    const result = verifyBundle(bundle, { ...options, checkpoints: [before] });
    expect(failed(result)).toEqual(['timing']);
    expect(detail(result, 'timing')).toMatch(
      /checkpoint of 7 entries made 2026-03-01T03:00:00.000Z .*back-dated/,
    );
  });

  it('an entry inside a checkpoint made before its loggedAt fails timing', () => {
    const { bundle, log, now } = buildTestBundle();
    const early = log.checkpoint('2026-03-01T01:00:00.000Z'); // contains the issuance logged at 02:00:05
    const result = verifyBundle(bundle, { logKey: log.logKey.publicKey, now, checkpoints: [early] });
    expect(failed(result)).toEqual(['timing']);
    expect(detail(result, 'timing')).toMatch(/contains the issuance, which claims to be logged later/);
  });

  it('checkpoints with consistent times pass; a checkpoint with a bad signature fails', () => {
    const { bundle, log, now, issuanceIndex } = buildTestBundle();
    const earlier = log.checkpoint('2026-03-01T02:00:04.000Z', issuanceIndex);
    const later = log.checkpoint('2026-03-02T00:00:00.000Z');
    const options = { logKey: log.logKey.publicKey, now };
    expect(verifyBundle(bundle, { ...options, checkpoints: [earlier, later] }).ok).toBe(true);
    const forged = { ...earlier, timestamp: '2026-03-01T02:00:00.000Z' };
    const result = verifyBundle(bundle, { ...options, checkpoints: [forged] });
    expect(failed(result)).toEqual(['timing']);
    expect(detail(result, 'timing')).toMatch(/not signed by the log key/);
  });

  it('a seal key logged after the licence fails timing', () => {
    const licence = testLicenceData();
    const scratch = new TestLog();
    const seal = addTestSeal(scratch, {
      loggedAt: '2026-03-01T02:00:10.000Z',
      organisationUscc: licence.issuer.uscc,
    });
    const log = new TestLog();
    const issuanceIndex = logIssuance(log, seal, licence, '2026-03-01T02:00:05.000Z');
    const sealIndex = log.append(scratch.entries[seal.leafIndex]!);
    const bundle = bundleOf(log, {
      licence,
      seal,
      issuanceIndex,
      sealIndex,
      checkpoint: log.checkpoint('2026-03-01T02:01:00.000Z'),
    });
    const result = verifyBundle(bundle, { logKey: log.logKey.publicKey, now: new Date('2026-06-01') });
    expect(failed(result)).toEqual(['timing']);
    expect(detail(result, 'timing')).toMatch(/seal key was logged after the licence/);
  });
});

describe('status', () => {
  /** A licence file with status entries logged after the issuance. */
  function withStatus(entries: { kind: Parameters<typeof logStatus>[2]; at: string; reason?: string }[]) {
    const { log, licence, seal, issuanceIndex } = buildTestBundle();
    const statusIndices = entries.map((e) => logStatus(log, licence.id, e.kind, e.at, e.reason ?? null));
    const checkpoint = log.checkpoint('2026-05-01T00:00:00.000Z');
    const bundle = bundleOf(log, {
      licence,
      seal,
      issuanceIndex,
      statusIndices,
      checkpoint,
    });
    return {
      bundle,
      log,
      options: { logKey: log.logKey.publicKey, now: new Date('2026-06-01T00:00:00.000Z') },
    };
  }

  it('a revoked licence verifies as revoked, not valid', () => {
    const { bundle, options } = withStatus([
      { kind: 'licence.revoked', at: '2026-04-01T00:00:00.000Z', reason: '以欺骗手段取得' },
    ]);
    const result = verifyBundle(bundle, options);
    expect(failed(result)).toEqual([]);
    expect(result).toMatchObject({ ok: false, status: 'revoked' });
    expect(detail(result, 'status')).toMatch(/revoked 2026-04-01T00:00:00.000Z \(以欺骗手段取得\)/);
  });

  it.each([
    [['licence.suspended'], 'suspended'],
    [['licence.suspended', 'licence.reinstated'], 'valid'],
    [['licence.reinstated'], 'valid'],
    [['licence.superseded'], 'superseded'],
    [['licence.expired', 'licence.reinstated'], 'expired'],
    [['licence.superseded', 'licence.revoked'], 'revoked'],
    [['licence.revoked', 'licence.reinstated'], 'revoked'],
  ] as const)('entries %j give %s', (kinds, status) => {
    const { bundle, options } = withStatus(
      kinds.map((kind, i) => ({ kind, at: `2026-04-0${i + 1}T00:00:00.000Z` })),
    );
    const result = verifyBundle(bundle, options);
    expect(failed(result)).toEqual([]);
    expect(result.status).toBe(status);
    expect(result.ok).toBe(status === 'valid');
  });

  it('applies entries in log order, whatever their order in the file', () => {
    const { bundle, options } = withStatus([
      { kind: 'licence.suspended', at: '2026-04-01T00:00:00.000Z' },
      { kind: 'licence.reinstated', at: '2026-04-02T00:00:00.000Z' },
    ]);
    const shuffled = { ...bundle, statusEntries: [...bundle.statusEntries].reverse() };
    expect(verifyBundle(shuffled, options).status).toBe('valid');
  });

  it('an entry that takes effect later does not apply yet', () => {
    const { bundle, options } = withStatus([{ kind: 'licence.revoked', at: '2026-07-01T00:00:00.000Z' }]);
    expect(verifyBundle(bundle, options).status).toBe('valid');
    expect(verifyBundle(bundle, { ...options, now: new Date('2026-07-02') }).status).toBe('revoked');
  });

  it('an entry about another licence, or not in the log, fails the status check', () => {
    const { bundle, log, options } = withStatus([
      { kind: 'licence.revoked', at: '2026-04-01T00:00:00.000Z' },
    ]);
    const item = bundle.statusEntries[0]!;
    const other = { ...bundle, statusEntries: [{ ...item, entry: { ...item.entry, licenceId: 'another' } }] };
    expect(failed(verifyBundle(other, options))).toEqual(['status']);
    const moved = { ...bundle, statusEntries: [{ ...item, proof: log.proof(2, log.size) }] };
    const result = verifyBundle(moved, options);
    expect(failed(result)).toEqual(['status']);
    expect(result.status).toBe('invalid');
  });

  it('dates: not yet valid before validFrom, expired after validUntil as a China date (UTC+8)', () => {
    const { bundle, log } = buildTestBundle({
      licence: { validFrom: '2026-03-01', validUntil: '2031-02-28' },
    });
    const at = (instant: string) =>
      verifyBundle(bundle, { logKey: log.logKey.publicKey, now: new Date(instant) });
    expect(at('2026-02-28T15:59:59.000Z').status).toBe('not_yet_valid');
    expect(at('2026-02-28T16:00:00.000Z').status).toBe('valid');
    expect(at('2031-02-28T15:59:59.000Z').status).toBe('valid');
    expect(at('2031-02-28T16:00:00.000Z')).toMatchObject({ status: 'expired', ok: false });
    const longTerm = buildTestBundle({ licence: { validUntil: null } });
    expect(
      verifyBundle(longTerm.bundle, { logKey: longTerm.log.logKey.publicKey, now: new Date('2099-01-01') })
        .status,
    ).toBe('valid');
  });
});

describe('the log and its checkpoints', () => {
  it('a proof that a newer checkpoint extends the bundle’s is checked; one from a log without the entry fails', () => {
    const { bundle, log, now, issuanceIndex } = buildTestBundle();
    const logKey = log.logKey.publicKey;
    const n = bundle.checkpoint.treeSize;
    log.appendFiller(10, '2026-03-02T00:00:00.000Z');
    const newer = log.checkpoint('2026-03-02T00:00:00.000Z');
    const honest = verifyBundle(bundle, {
      logKey,
      now,
      checkpoints: [newer],
      consistency: { from: bundle.checkpoint, to: newer, proof: log.consistency(n) },
    });
    expect(failed(honest)).toEqual([]);
    expect(detail(honest, 'consistency')).toMatch(
      new RegExp(`log of size ${newer.treeSize} extends the log of size ${n}`),
    );

    // The operator rebuilds the log without the issuance and signs it with the same key.
    const forged = new TestLog(log.logKey);
    log.entries.filter((_, i) => i !== issuanceIndex).forEach((entry) => forged.append(entry));
    forged.append(log.entries[0]!);
    const forgedCheckpoint = forged.checkpoint('2026-03-02T00:00:00.000Z');
    const result = verifyBundle(bundle, {
      logKey,
      now,
      consistency: { from: bundle.checkpoint, to: forgedCheckpoint, proof: forged.consistency(n) },
    });
    expect(failed(result)).toEqual(['consistency']);
    expect(detail(result, 'consistency')).toMatch(/does not verify: the log was rewritten/);
  });

  it('without a proof, a newer checkpoint is reported as not comparable, not as a failure', () => {
    const { bundle, log, now } = buildTestBundle();
    log.appendFiller(3, '2026-03-02T00:00:00.000Z');
    const result = verifyBundle(bundle, {
      logKey: log.logKey.publicKey,
      now,
      checkpoints: [log.checkpoint('2026-03-02T00:00:00.000Z')],
    });
    expect(result.ok).toBe(true);
    expect(detail(result, 'consistency')).toMatch(/cannot be compared offline without a consistency proof/);
  });

  it('two signed checkpoints of the same size with different roots (a split view) fail', () => {
    const { bundle, log, now } = buildTestBundle();
    const fork = new TestLog(log.logKey);
    log.entries.slice(0, -1).forEach((entry) => fork.append(entry));
    fork.appendFiller(1, '2026-03-01T02:00:30.000Z');
    const other = fork.checkpoint('2026-03-01T02:01:05.000Z');
    expect(other.treeSize).toBe(bundle.checkpoint.treeSize);
    const result = verifyBundle(bundle, { logKey: log.logKey.publicKey, now, checkpoints: [other] });
    expect(failed(result)).toEqual(['consistency']);
    expect(detail(result, 'consistency')).toMatch(/different roots/);
  });

  it('verifyCheckpointConsistency checks signatures, sizes and the proof', () => {
    const log = new TestLog('sm2-sm3');
    log.appendFiller(11, '2026-03-01T00:00:00.000Z');
    const older = log.checkpoint('2026-03-01T00:00:00.000Z', 6);
    const newer = log.checkpoint('2026-03-01T01:00:00.000Z');
    const logKey = log.logKey.publicKey;
    const proof = log.consistency(6);
    expect(verifyCheckpointConsistency(older, newer, proof, logKey)).toEqual({
      ok: true,
      detail: 'the log of size 11 extends the log of size 6',
    });
    expect(verifyCheckpointConsistency(older, newer, proof.hashes, logKey).ok).toBe(true);
    expect(verifyCheckpointConsistency(newer, older, proof, logKey).detail).toMatch(/larger/);
    expect(verifyCheckpointConsistency(older, newer, { ...proof, oldSize: 5 }, logKey).detail).toMatch(
      /from 5 to 11/,
    );
    expect(
      verifyCheckpointConsistency(older, newer, proof, generateSigningKey('sm2-sm3').publicKey).detail,
    ).toMatch(/not signed by the log key/);
    const tampered = { ...proof, hashes: [...proof.hashes].reverse() };
    expect(verifyCheckpointConsistency(older, newer, tampered, logKey).ok).toBe(false);
    expect(verifyCheckpointConsistency(older, newer, { ...proof, hashes: ['x'] }, logKey).ok).toBe(false);
    expect(verifyCheckpointConsistency(null as never, newer, proof, logKey).ok).toBe(false);
  });
});

describe('seal key and identifier', () => {
  it('a seal of another organisation than the issuer fails', () => {
    const log = new TestLog();
    const licence = testLicenceData();
    const seal = addTestSeal(log, {
      loggedAt: '2026-02-01T00:00:00.000Z',
      organisationUscc: '91330100MA2B3C4D5E',
    });
    const issuanceIndex = logIssuance(log, seal, licence, '2026-03-01T02:00:05.000Z');
    const bundle = bundleOf(log, {
      licence,
      seal,
      issuanceIndex,
      checkpoint: log.checkpoint('2026-03-01T02:01:00.000Z'),
    });
    const result = verifyBundle(bundle, { logKey: log.logKey.publicKey, now: new Date('2026-06-01') });
    expect(failed(result)).toEqual(['sealKey']);
    expect(detail(result, 'sealKey')).toMatch(/seal belongs to 91330100MA2B3C4D5E/);
  });

  it('a signature by an unlogged key fails the seal key, signature and issuance checks', () => {
    const { bundle, log, now, licence } = buildTestBundle();
    const rogue = addTestSeal(new TestLog(), {
      loggedAt: '2026-02-01T00:00:00.000Z',
      organisationUscc: licence.issuer.uscc,
    });
    const result = verifyBundle(
      { ...bundle, signature: sealLicence(rogue, licence) },
      { logKey: log.logKey.publicKey, now },
    );
    expect(failed(result)).toEqual(['sealKey', 'signature', 'issuance']);
  });

  it('an identifier with a wrong check character or naming another issuer fails', () => {
    const { bundle, log, now } = buildTestBundle();
    const id = bundle.licence.id;
    const mistyped: LicenceData = { ...bundle.licence, id: id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A') };
    expect(
      failed(verifyBundle({ ...bundle, licence: mistyped }, { logKey: log.logKey.publicKey, now })),
    ).toContain('identifier');
    const otherIssuer: LicenceData = {
      ...bundle.licence,
      issuer: { ...bundle.licence.issuer, uscc: '91330100MA2B3C4D5E' },
    };
    const result = verifyBundle({ ...bundle, licence: otherIssuer }, { logKey: log.logKey.publicKey, now });
    expect(detail(result, 'identifier')).toMatch(/the identifier names issuer/);
  });
});

describe('garbage', () => {
  const { bundle, log, now } = buildTestBundle();
  const options = { logKey: log.logKey.publicKey, now };

  it('anything at all gives ok false and never throws', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const result = verifyBundle(value, options);
        expect(result).toMatchObject({ ok: false, status: 'invalid' });
      }),
    );
  });

  it('a bundle missing any one field, or with any one field replaced by junk, gives ok false', () => {
    const paths: string[][] = [];
    const walk = (value: unknown, path: string[]) => {
      if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          paths.push([...path, key]);
          walk(inner, [...path, key]);
        }
      }
    };
    walk(bundle, []);
    const junk = [undefined, null, 0, -1, 1.5, '', 'x', [], {}, true];
    for (const path of paths) {
      for (const value of junk) {
        const copy = structuredClone(bundle) as unknown as Record<string, unknown>;
        let target = copy;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        const last = path[path.length - 1]!;
        if (JSON.stringify(target[last]) === JSON.stringify(value)) continue;
        if (value === undefined) delete target[last];
        else target[last] = value;
        const result = verifyBundle(copy, options);
        if (result.ok) throw new Error(`accepted with ${path.join('.')} = ${JSON.stringify(value)}`);
      }
    }
    expect(paths.length).toBeGreaterThan(40);
  });

  it('a missing log key gives a failed checkpoint, not an exception', () => {
    expect(verifyBundle(bundle, { logKey: undefined as never, now }).ok).toBe(false);
  });
});

describe('bundleFromPdf', () => {
  const { bundle } = buildTestBundle();

  async function pdfWith(attachments: Record<string, unknown>): Promise<Uint8Array> {
    const pdf = await PDFDocument.create();
    pdf.addPage();
    for (const [name, value] of Object.entries(attachments)) {
      pdf.attach(Buffer.from(JSON.stringify(value)), name, { mimeType: 'application/json' });
    }
    return pdf.save();
  }

  it('reads back the licence.json attached by pdf-lib', async () => {
    const bytes = await pdfWith({ 'seal.png': { not: 'this' }, 'licence.json': bundle });
    expect((await bundleFromPdf(bytes)) as LicenceBundle).toEqual(bundle);
  });

  it('says what is missing', async () => {
    await expect(bundleFromPdf(await pdfWith({}))).rejects.toThrow(/no attached files/);
    await expect(bundleFromPdf(await pdfWith({ 'other.json': {} }))).rejects.toThrow(
      /no licence.json attachment/,
    );
    await expect(bundleFromPdf(Buffer.from('not a pdf'))).rejects.toThrow(
      /not a readable PDF|no attached files/,
    );
  });
});
