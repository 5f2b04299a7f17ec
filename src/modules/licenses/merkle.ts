/**
 * The Merkle tree of the licence transparency log, hashed as RFC 9162 §2.1 (Certificate
 * Transparency 2.0) with SHA-256:
 *
 *     leaf hash  = SHA-256(0x00 || leaf data)
 *     node hash  = SHA-256(0x01 || left || right)
 *     MTH({})    = SHA-256("")
 *     MTH(D[n])  = node hash(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n
 *
 * so any RFC 9162 / RFC 6962 verifier (Go's transparency-dev/merkle, Trillian, sigsum) checks our
 * inclusion and consistency proofs. Sizes and indices are plain numbers, exact up to 2^53; the
 * verifiers use arithmetic rather than 32-bit bit operations so that they stay exact.
 */
import { hash } from 'node:crypto';

export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** SHA-256(0x00 || data): the hash of a log entry's bytes. */
export function leafHash(data: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(data.length + 1);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return hash('sha256', input, 'buffer');
}

/** One scratch buffer for node hashes: node hashing is the hot path of appends and verification. */
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = NODE_PREFIX;

/** SHA-256(0x01 || left || right): the hash of an inner node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError(`node hashes combine two ${HASH_SIZE}-byte hashes`);
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return hash('sha256', nodeInput, 'buffer');
}

/** The root of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Buffer {
  return hash('sha256', Buffer.alloc(0), 'buffer');
}

/** The largest power of two strictly below `n` (n >= 2): where RFC 9162 splits a tree of n leaves. */
function splitPoint(n: number): number {
  if (n <= 2 ** 32) return 2 ** (31 - Math.clz32(n - 1));
  let k = 2 ** 32;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPowerOfTwo = (n: number) => n >= 1 && splitPoint(n + 1) === n;

/** log2 of a power of two. */
const heightOf = (width: number) =>
  width <= 2 ** 31 ? 31 - Math.clz32(width) : Math.round(Math.log2(width));

/** Sizes of the perfect subtrees a tree of `size` leaves decomposes into, largest first (the binary digits of size). */
function perfectPieces(size: number): number[] {
  const pieces: number[] = [];
  for (let rest = size; rest > 0;) {
    const piece = rest === 1 ? 1 : isPowerOfTwo(rest) ? rest : splitPoint(rest);
    pieces.push(piece);
    rest -= piece;
  }
  return pieces;
}

const isIndex = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** Roots of the right-edge subtrees of one tree size are kept for this many sizes. */
const SPINE_CACHE_SIZES = 8;

/**
 * An append-only Merkle tree over leaf hashes that answers roots, inclusion proofs and
 * consistency proofs for the current size and for any earlier size.
 *
 * It stores, for each height k, the hashes of all complete subtrees of 2^k leaves aligned on
 * multiples of 2^k (height 0 holds the leaf hashes), packed 32 bytes each in one growable buffer
 * per height: about 64 bytes per leaf, no object per hash. Every subtree a proof needs is either
 * such a perfect subtree (one lookup) or a right-edge subtree [s, n) of a tree size n, whose
 * hashes are folded from at most log2(n) perfect ones and cached per size, so proofs cost
 * O(log n) lookups and no leaf is ever rehashed.
 */
export class MerkleTree {
  /** levels[k] holds counts[k] hashes of perfect subtrees of 2^k leaves. */
  private readonly levels: Buffer[] = [];
  private readonly counts: number[] = [];
  /** size -> (start -> MTH(D[start:size])) for the right-edge subtrees of recent sizes. */
  private readonly spines = new Map<number, Map<number, Buffer>>();

  constructor(leafHashes: Iterable<Uint8Array> = []) {
    this.appendAll(leafHashes);
  }

  /** The number of leaves. */
  get size(): number {
    return this.counts[0] ?? 0;
  }

  /** Appends one leaf hash; returns its index. */
  append(leafHash: Uint8Array): number {
    if (leafHash.length !== HASH_SIZE) throw new RangeError(`a leaf hash has ${HASH_SIZE} bytes`);
    const index = this.size;
    this.put(0, leafHash);
    // Each completed pair of subtrees completes a subtree one level up.
    for (let height = 0, position = index; position % 2 === 1; height++, position = (position - 1) / 2) {
      this.put(height + 1, nodeHash(this.view(height, position - 1), this.view(height, position)));
    }
    return index;
  }

  /** Appends leaf hashes in order; returns the new size. */
  appendAll(leafHashes: Iterable<Uint8Array>): number {
    for (const leaf of leafHashes) this.append(leaf);
    return this.size;
  }

  /** The leaf hash at `index` (a copy). */
  leaf(index: number): Buffer {
    if (!isIndex(index) || index >= this.size)
      throw new RangeError(`no leaf ${index} in a tree of ${this.size}`);
    return Buffer.from(this.view(0, index));
  }

  /** MTH of the first `size` leaves (the root the log had at that size). */
  root(size: number = this.size): Buffer {
    this.checkSize(size, 'size');
    return size === 0 ? emptyRoot() : Buffer.from(this.subtree(0, size));
  }

  /** RFC 9162 §2.1.3.1 PATH(index, D[0:size]): the audit path, deepest sibling first. */
  inclusionProof(index: number, size: number = this.size): Buffer[] {
    this.checkSize(size, 'size');
    if (!isIndex(index) || index >= size) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
    const path: Buffer[] = [];
    let start = 0;
    let end = size;
    while (end - start > 1) {
      const k = splitPoint(end - start);
      if (index < start + k) {
        path.push(this.subtree(start + k, end));
        end = start + k;
      } else {
        path.push(this.subtree(start, start + k));
        start += k;
      }
    }
    return path.reverse().map((node) => Buffer.from(node));
  }

  /** RFC 9162 §2.1.4.1 PROOF(oldSize, D[0:newSize]); empty when oldSize is 0 or equals newSize. */
  consistencyProof(oldSize: number, newSize: number = this.size): Buffer[] {
    this.checkSize(newSize, 'newSize');
    if (!isIndex(oldSize) || oldSize > newSize) {
      throw new RangeError(`oldSize ${oldSize} must be between 0 and newSize ${newSize}`);
    }
    if (oldSize === 0 || oldSize === newSize) return [];
    const proof: Buffer[] = [];
    let start = 0;
    let end = newSize;
    // `complete`: the old tree is exactly the subtree at hand, so its root need not be sent.
    let complete = true;
    while (oldSize !== end) {
      const k = splitPoint(end - start);
      if (oldSize - start <= k) {
        proof.push(this.subtree(start + k, end));
        end = start + k;
      } else {
        proof.push(this.subtree(start, start + k));
        start += k;
        complete = false;
      }
    }
    if (!complete) proof.push(this.subtree(start, end));
    return proof.reverse().map((node) => Buffer.from(node));
  }

  private checkSize(size: number, name: string): void {
    if (!isIndex(size) || size > this.size) {
      throw new RangeError(`${name} ${size} must be between 0 and the tree size ${this.size}`);
    }
  }

  /**
   * MTH(D[start:end]) as a view into internal storage (callers copy before handing it out).
   * Only two kinds of subtree occur in RFC 9162's recursions: perfect aligned ones, and
   * right-edge ones [s, n) of a tree size n.
   */
  private subtree(start: number, end: number): Buffer {
    const width = end - start;
    if (isPowerOfTwo(width) && start % width === 0) return this.view(heightOf(width), start / width);
    const hash = this.spine(end).get(start);
    if (!hash) throw new Error(`internal: [${start}, ${end}) is not a subtree of the log`);
    return hash;
  }

  /** The roots of the right-edge subtrees of the tree of `size` leaves, keyed by their first leaf. */
  private spine(size: number): Map<number, Buffer> {
    const cached = this.spines.get(size);
    if (cached) return cached;
    const starts: number[] = [];
    const pieces: Buffer[] = [];
    let start = 0;
    for (const piece of perfectPieces(size)) {
      starts.push(start);
      // A copy: a view would pin the level's old buffer after it grows.
      pieces.push(Buffer.from(this.view(heightOf(piece), start / piece)));
      start += piece;
    }
    const spine = new Map<number, Buffer>();
    let hash = pieces[pieces.length - 1]!;
    spine.set(starts[starts.length - 1]!, hash);
    for (let i = pieces.length - 2; i >= 0; i--) {
      hash = nodeHash(pieces[i]!, hash);
      spine.set(starts[i]!, hash);
    }
    if (this.spines.size >= SPINE_CACHE_SIZES) this.spines.delete(this.spines.keys().next().value!);
    this.spines.set(size, spine);
    return spine;
  }

  private view(height: number, position: number): Buffer {
    const offset = position * HASH_SIZE;
    return this.levels[height]!.subarray(offset, offset + HASH_SIZE);
  }

  private put(height: number, hash: Uint8Array): void {
    const count = this.counts[height] ?? 0;
    let level = this.levels[height];
    if (!level || level.length < (count + 1) * HASH_SIZE) {
      // Doubling keeps appends amortised O(1) without an object per hash.
      const grown = Buffer.alloc(Math.max(64, (count + 1) * 2) * HASH_SIZE);
      level?.copy(grown, 0, 0, count * HASH_SIZE);
      this.levels[height] = level = grown;
    }
    level.set(hash, count * HASH_SIZE);
    this.counts[height] = count + 1;
  }
}

const isHash = (value: unknown): value is Uint8Array =>
  value instanceof Uint8Array && value.length === HASH_SIZE;

/**
 * RFC 9162 §2.1.3.2: the root that `proof` gives for the leaf hash at `index` in a tree of
 * `size` leaves, or null when the proof does not fit that index and size. Never throws.
 */
export function rootFromInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Buffer | null {
  if (!isHash(leafHash) || !isIndex(index) || !isIndex(size) || index >= size) return null;
  if (!Array.isArray(proof) || !proof.every(isHash)) return null;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** RFC 9162 §2.1.3.2: does `proof` show the leaf hash at `index` in the tree of `size` leaves with `root`? */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusion(leafHash, index, size, proof);
  return computed !== null && isHash(root) && computed.equals(root);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `newSize` leaves with `newRoot` extends
 * the tree of `oldSize` leaves with `oldRoot`? Equal sizes need an empty proof and equal roots;
 * the empty tree (whose root must be SHA-256("")) is extended by every tree. Never throws.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isIndex(oldSize) || !isIndex(newSize) || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (oldSize === newSize) return proof.length === 0 && Buffer.from(oldRoot).equals(newRoot);
  if (oldSize === 0) return proof.length === 0 && emptyRoot().equals(oldRoot);
  if (proof.length === 0) return false;

  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}
