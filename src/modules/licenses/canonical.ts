/**
 * Canonical JSON for what seals and the licence log sign and hash: RFC 8785 (JCS) restricted to
 * the values our formats hold, so that any JCS library reproduces the bytes. Stricter than the
 * kernel's `canonicalJson` (used for audit chains): numbers must be safe integers and `undefined`
 * is an error, because a signer that silently dropped a field or rounded a number would sign
 * something other than what it was given.
 */
import { hash } from 'node:crypto';

/**
 * The RFC 8785 serialisation of `value`: no whitespace, object keys sorted by UTF-16 code units,
 * strings escaped as `JSON.stringify` escapes them. Accepts null, booleans, safe integers, strings,
 * arrays and plain objects; throws a TypeError for anything else (floats, NaN, undefined, Dates,
 * lone surrogates ...).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // Integers beyond 2^53 are already rounded by JavaScript; refuse them rather than sign a neighbour.
      if (!Number.isSafeInteger(value))
        throw new TypeError(`canonical JSON holds safe integers only, not ${value}`);
      return JSON.stringify(value);
    case 'string':
      return jsonString(value);
    case 'object': {
      if (Array.isArray(value)) {
        // Holes read as undefined and are refused by the recursive call.
        return `[${Array.from(value, (item: unknown) => canonicalJson(item)).join(',')}]`;
      }
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        throw new TypeError('canonical JSON holds plain objects only');
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .sort()
        .map((key) => {
          if (record[key] === undefined)
            throw new TypeError(`canonical JSON: ${JSON.stringify(key)} is undefined`);
          return `${jsonString(key)}:${canonicalJson(record[key])}`;
        });
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/** A lone surrogate cannot be encoded as UTF-8; RFC 8785 requires I-JSON (RFC 7493), which forbids it. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function jsonString(text: string): string {
  if (LONE_SURROGATE.test(text)) throw new TypeError('canonical JSON cannot hold a lone surrogate');
  return JSON.stringify(text);
}

/** SHA-256 of bytes, or of a string's UTF-8 encoding. */
export function sha256(data: Uint8Array | string): Buffer {
  return hash('sha256', typeof data === 'string' ? Buffer.from(data, 'utf8') : data, 'buffer');
}
