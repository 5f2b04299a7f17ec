import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafHash, MerkleTree, verifyConsistency, verifyInclusion } from './merkle.ts';

/**
 * Random append sequences: 1 to 300 leaves of random bytes, each prefixed with its position as
 * log entries are unique (two equal leaves could be swapped or dropped without any change).
 */
const leafData = fc
  .array(fc.uint8Array({ maxLength: 24 }), { minLength: 1, maxLength: 300 })
  .map((leaves) => leaves.map((bytes, i) => Buffer.concat([Buffer.from(`${i}:`), bytes])));

/** Leaf data with two sizes m <= n and an index i < n. */
const scenario = leafData.chain((data) =>
  fc
    .tuple(fc.nat({ max: data.length }), fc.nat({ max: data.length }), fc.nat({ max: data.length - 1 }))
    .map(([a, b, i]) => ({ data, m: Math.min(a, b), n: Math.max(a, b), i })),
);

const treeOf = (data: Uint8Array[]) => new MerkleTree(data.map((bytes) => leafHash(bytes)));

describe('Merkle log properties (random append sequences)', () => {
  it('a consistency proof from root(m) to root(n) verifies, for any m <= n', () => {
    fc.assert(
      fc.property(scenario, ({ data, m, n }) => {
        const tree = treeOf(data);
        const proof = tree.consistencyProof(m, n);
        expect(verifyConsistency(m, n, tree.root(m), tree.root(n), proof)).toBe(true);
      }),
    );
  });

  it('an inclusion proof verifies for any leaf at any size that contains it', () => {
    fc.assert(
      fc.property(scenario, ({ data, i, n: size }) => {
        const tree = treeOf(data);
        const n = Math.max(size, i + 1);
        expect(verifyInclusion(tree.leaf(i), i, n, tree.inclusionProof(i, n), tree.root(n))).toBe(true);
      }),
    );
  });

  it('appending later never changes an earlier root', () => {
    fc.assert(
      fc.property(scenario, ({ data, m }) => {
        const before = treeOf(data.slice(0, m)).root();
        expect(treeOf(data).root(m).equals(before)).toBe(true);
      }),
    );
  });

  it('a proof against root(m) fails when any leaf below m was changed afterwards', () => {
    fc.assert(
      fc.property(
        scenario.filter(({ m, n }) => m >= 1 && m < n),
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        ({ data, m, n }, pick, extra) => {
          const honest = treeOf(data);
          const changed = data.slice();
          const victim = pick % m;
          changed[victim] = Buffer.concat([data[victim]!, extra]);
          const forged = treeOf(changed);
          // The forger shows a consistency proof from the published root(m) to its own root(n).
          const proof = forged.consistencyProof(m, n);
          expect(verifyConsistency(m, n, honest.root(m), forged.root(n), proof)).toBe(false);
        },
      ),
    );
  });

  it('a proof against root(m) fails when any leaf below m was removed', () => {
    fc.assert(
      fc.property(
        scenario.filter(({ m, n }) => m >= 1 && m < n),
        fc.nat(),
        ({ data, m, n }, pick) => {
          const honest = treeOf(data);
          const victim = pick % m;
          const forged = treeOf([...data.slice(0, victim), ...data.slice(victim + 1)]);
          const newSize = n - 1;
          // Whatever old size the forger claims, no proof links the published root(m).
          for (const claimed of [m, m - 1].filter((size) => size >= 1 && size <= newSize)) {
            const proof = forged.consistencyProof(claimed, newSize);
            expect(verifyConsistency(m, newSize, honest.root(m), forged.root(newSize), proof)).toBe(false);
          }
        },
      ),
    );
  });
});
