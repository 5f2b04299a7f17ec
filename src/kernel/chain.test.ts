import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import {
  appendToChain,
  canonicalJson,
  chainEntryHash,
  GENESIS_HASH,
  readChain,
  verifyAllChains,
  verifyChain,
  type ChainEntryInput,
} from './chain.ts';
import type { Database } from './db.ts';

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database.drop();
});

const entry = (n: number): ChainEntryInput => ({
  actor: `acc-${n}`,
  action: 'case.field_changed',
  data: { before: { amount: n - 1 }, after: { amount: n } },
});

/** Appends `count` entries to `chain`, each in its own committed transaction. */
async function fill(chain: string, count: number): Promise<void> {
  for (let n = 1; n <= count; n++) await db.transaction((tx) => appendToChain(tx, chain, entry(n)));
}

/** Runs SQL that tampers with the append-only table (an attacker able to disable its trigger). */
async function tamper(sql: string, params: unknown[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('alter table chain_entry disable trigger chain_entry_append_only');
    await tx.query(sql, params);
    await tx.query('alter table chain_entry enable trigger chain_entry_append_only');
  });
}

describe('canonicalJson', () => {
  it('sorts keys at every level, whatever their insertion order, and writes no whitespace', () => {
    const a = canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } });
    const b = canonicalJson({ a: { c: 'x', d: [3, { y: null, z: true }] }, b: 1 });
    expect(a).toBe(b);
    expect(a).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('writes strings and numbers as RFC 8785 does and sorts keys by UTF-16 code units', () => {
    expect(canonicalJson({ '\u00e9': 1, z: 2, A: 3, 办: '一网通办\n"q"' })).toBe(
      '{"A":3,"z":2,"\u00e9":1,"办":"一网通办\\n\\"q\\""}',
    );
    expect(canonicalJson([1e21, 0.1, -0, 1.5e-7, 100])).toBe('[1e+21,0.1,0,1.5e-7,100]');
    expect(canonicalJson({ keep: 1, drop: undefined })).toBe('{"keep":1}');
  });

  it('refuses values that are not JSON data instead of hashing them as something else', () => {
    expect(() => canonicalJson(new Date(0))).toThrow(TypeError);
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson([undefined])).toThrow(TypeError);
    expect(() => canonicalJson(10n)).toThrow(TypeError);
    expect(() => canonicalJson(new Map())).toThrow(TypeError);
  });

  it('hashes an entry exactly as documented, so an outside verifier can reproduce it', () => {
    const text =
      GENESIS_HASH +
      '{"action":"case.submitted","actor":"acc-1","at":"2026-03-01T02:03:04.005Z","chain":"case:1",' +
      '"data":{"after":{"status":"submitted"},"before":null},"onBehalfOf":null,"seq":1}';
    const expected = createHash('sha256').update(text, 'utf8').digest('hex');
    const hash = chainEntryHash(GENESIS_HASH, {
      chain: 'case:1',
      seq: 1,
      at: new Date('2026-03-01T10:03:04.005+08:00'),
      actor: 'acc-1',
      onBehalfOf: null,
      action: 'case.submitted',
      data: { before: null, after: { status: 'submitted' } },
    });
    expect(hash).toBe(expected);
  });
});

describe('appendToChain and verifyChain', () => {
  it('appends entries with seq 1, 2, 3 linked by their hashes, and verifies them', async () => {
    const at = new Date('2026-03-02T01:02:03.456Z');
    const first = await db.transaction((tx) =>
      appendToChain(tx, 'case:append', {
        actor: 'acc-7',
        onBehalfOf: 'ent-9',
        action: 'case.submitted',
        data: { before: null, after: { status: 'submitted', when: new Date('2026-03-02T00:00:00Z') } },
        at,
      }),
    );
    expect(first.seq).toBe(1);
    expect(first.at).toEqual(at);
    const second = await db.transaction((tx) => appendToChain(tx, 'case:append', entry(2)));
    const third = await db.transaction((tx) => appendToChain(tx, 'case:append', entry(3)));
    expect([second.seq, third.seq]).toEqual([2, 3]);

    const entries = await readChain(db, 'case:append');
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0]).toMatchObject({
      actor: 'acc-7',
      onBehalfOf: 'ent-9',
      action: 'case.submitted',
      at,
      prevHash: GENESIS_HASH,
      hash: first.hash,
      // Dates in the data are stored (and hashed) as their JSON strings.
      data: { before: null, after: { status: 'submitted', when: '2026-03-02T00:00:00.000Z' } },
    });
    expect(entries[1]!.prevHash).toBe(first.hash);
    expect(entries[2]!.prevHash).toBe(second.hash);
    expect(entries[1]!.onBehalfOf).toBeNull();
    // The default time comes from the database clock, at millisecond precision, in seq order.
    expect(entries[2]!.at.getTime()).toBeGreaterThanOrEqual(entries[1]!.at.getTime());
    for (const e of entries) expect(chainEntryHash(e.prevHash, e)).toBe(e.hash);

    expect(await verifyChain(db, 'case:append')).toEqual({
      ok: true,
      length: 3,
      head: { seq: 3, hash: third.hash },
    });
    expect(await readChain(db, 'case:append', { afterSeq: 1, limit: 1 })).toMatchObject([{ seq: 2 }]);
  });

  it('treats an unknown chain as an intact empty one', async () => {
    expect(await verifyChain(db, 'case:nothing')).toEqual({
      ok: true,
      length: 0,
      head: { seq: 0, hash: GENESIS_HASH },
    });
  });

  it('verifies inside a caller transaction too, and across several read batches', async () => {
    await fill('case:batches', 7);
    expect(await db.transaction((tx) => verifyChain(tx, 'case:batches', { batchSize: 3 }))).toMatchObject({
      ok: true,
      length: 7,
    });
    await tamper(`update chain_entry set actor = 'mallory' where chain = $1 and seq = 7`, ['case:batches']);
    expect(await verifyChain(db, 'case:batches', { batchSize: 3 })).toMatchObject({
      ok: false,
      seq: 7,
      problem: 'hash_mismatch',
    });
  });

  it('leaves nothing behind when the appending transaction rolls back', async () => {
    await fill('case:rollback', 1);
    await expect(
      db.transaction(async (tx) => {
        await appendToChain(tx, 'case:rollback', entry(2));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await verifyChain(db, 'case:rollback')).toMatchObject({ ok: true, length: 1 });
    const next = await db.transaction((tx) => appendToChain(tx, 'case:rollback', entry(2)));
    expect(next.seq).toBe(2);
  });

  it('refuses to run outside a transaction and refuses malformed chain names', async () => {
    await expect(appendToChain(db, 'case:x', entry(1))).rejects.toThrow(/inside db\.transaction/);
    for (const bad of ['case', 'Case:1', 'case:', 'case:a b', `case:${'x'.repeat(200)}`]) {
      await expect(db.transaction((tx) => appendToChain(tx, bad, entry(1)))).rejects.toThrow(TypeError);
    }
  });

  it('refuses updating, deleting and truncating entries (append-only)', async () => {
    await fill('case:guarded', 2);
    await expect(db.query(`update chain_entry set actor = 'x' where chain = 'case:guarded'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query(`delete from chain_entry where chain = 'case:guarded'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('truncate chain_entry')).rejects.toThrow(/append-only/);
    expect(await verifyChain(db, 'case:guarded')).toMatchObject({ ok: true, length: 2 });
  });
});

describe('tampering is detected', () => {
  it('editing an entry by SQL gives hash_mismatch at that seq', async () => {
    await fill('case:edited', 5);
    await tamper(
      `update chain_entry set data = jsonb_set(data, '{after,amount}', '999') where chain = $1 and seq = 3`,
      ['case:edited'],
    );
    expect(await verifyChain(db, 'case:edited')).toMatchObject({
      ok: false,
      seq: 3,
      problem: 'hash_mismatch',
    });
  });

  it('editing an entry and recomputing its hash still breaks the link from the next entry', async () => {
    await fill('case:rehashed', 4);
    const [row] = await readChain(db, 'case:rehashed', { afterSeq: 1, limit: 1 });
    const forged = { ...row!, actor: 'mallory' };
    await tamper(`update chain_entry set actor = 'mallory', hash = $2 where chain = $1 and seq = 2`, [
      'case:rehashed',
      chainEntryHash(forged.prevHash, forged),
    ]);
    expect(await verifyChain(db, 'case:rehashed')).toMatchObject({
      ok: false,
      seq: 3,
      problem: 'hash_mismatch',
    });
  });

  it('editing the time of an entry gives hash_mismatch', async () => {
    await fill('case:retimed', 2);
    await tamper(`update chain_entry set at = at - interval '1 day' where chain = $1 and seq = 1`, [
      'case:retimed',
    ]);
    expect(await verifyChain(db, 'case:retimed')).toMatchObject({
      ok: false,
      seq: 1,
      problem: 'hash_mismatch',
    });
  });

  it('deleting a middle entry gives a gap at its seq', async () => {
    await fill('case:gap', 5);
    await tamper('delete from chain_entry where chain = $1 and seq = 3', ['case:gap']);
    expect(await verifyChain(db, 'case:gap')).toMatchObject({ ok: false, seq: 3, problem: 'gap' });
  });

  it('deleting the first entry gives a gap at seq 1', async () => {
    await fill('case:headless-start', 3);
    await tamper('delete from chain_entry where chain = $1 and seq = 1', ['case:headless-start']);
    expect(await verifyChain(db, 'case:headless-start')).toMatchObject({ ok: false, seq: 1, problem: 'gap' });
  });

  it('deleting the last entries is detected through the head', async () => {
    await fill('case:truncated', 5);
    await tamper('delete from chain_entry where chain = $1 and seq >= 4', ['case:truncated']);
    expect(await verifyChain(db, 'case:truncated')).toMatchObject({
      ok: false,
      seq: 4,
      problem: 'truncated',
    });

    await fill('case:emptied', 2);
    await tamper('delete from chain_entry where chain = $1', ['case:emptied']);
    expect(await verifyChain(db, 'case:emptied')).toMatchObject({ ok: false, seq: 1, problem: 'truncated' });
  });

  it('editing the head is detected', async () => {
    await fill('case:head-hash', 3);
    await db.query(`update chain_head set hash = $2 where chain = $1`, ['case:head-hash', 'f'.repeat(64)]);
    expect(await verifyChain(db, 'case:head-hash')).toMatchObject({
      ok: false,
      seq: 3,
      problem: 'head_mismatch',
    });

    await fill('case:head-back', 3);
    await db.query(`update chain_head set seq = 2 where chain = $1`, ['case:head-back']);
    expect(await verifyChain(db, 'case:head-back')).toMatchObject({
      ok: false,
      seq: 3,
      problem: 'head_mismatch',
    });

    await fill('case:head-gone', 2);
    await db.query(`delete from chain_head where chain = $1`, ['case:head-gone']);
    expect(await verifyChain(db, 'case:head-gone')).toMatchObject({
      ok: false,
      seq: 2,
      problem: 'head_mismatch',
    });
  });
});

describe('verifyAllChains', () => {
  it('verifies every chain under a prefix in batches and reports the broken ones', async () => {
    for (let i = 1; i <= 7; i++) await fill(`audit:${i}`, i % 3);
    await fill('auditx:1', 1);
    await fill('other:1', 1);
    await tamper('delete from chain_entry where chain = $1 and seq = 1', ['audit:4']); // 1 entry: truncated
    await db.query('delete from chain_head where chain = $1', ['audit:5']); // entries but no head

    const report = await verifyAllChains(db, { prefix: 'audit:', batchSize: 2 });
    // audit:3 and audit:6 have no entries and no head (never appended to): they do not exist.
    expect(report.chains).toBe(5);
    expect(report.entries).toBe(1 + 2 + 1); // audit:1, audit:2, audit:7
    expect(report.broken).toEqual([
      expect.objectContaining({ chain: 'audit:4', ok: false, seq: 1, problem: 'truncated' }),
      expect.objectContaining({ chain: 'audit:5', ok: false, seq: 2, problem: 'head_mismatch' }),
    ]);

    const everything = await verifyAllChains(db);
    const brokenNames = everything.broken.map((b) => b.chain);
    expect(brokenNames).toEqual(expect.arrayContaining(['audit:4', 'audit:5']));
    for (const intact of ['audit:1', 'auditx:1', 'other:1', 'case:append'])
      expect(brokenNames).not.toContain(intact);
    expect(everything.chains).toBeGreaterThan(report.chains + 1);
    expect(await verifyAllChains(db, { prefix: 'nomatch:' })).toEqual({ chains: 0, entries: 0, broken: [] });
  });
});

describe('concurrency', () => {
  it('serialises 30 concurrent appends to one chain into seq 1..30 and a valid chain', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        db.transaction((tx) =>
          appendToChain(tx, 'case:x', { actor: `acc-${i}`, action: 'case.noted', data: { i } }),
        ),
      ),
    );
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const verification = await verifyChain(db, 'case:x');
    expect(verification).toMatchObject({ ok: true, length: 30 });
    const entries = await readChain(db, 'case:x', { limit: 100 });
    expect(new Set(entries.map((e) => (e.data as { i: number }).i)).size).toBe(30);
  });
});
