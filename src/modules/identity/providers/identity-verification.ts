import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../../kernel/db.ts';
import { checkIdentifier } from '../../../kernel/identifiers/index.ts';

/** Why a real-name check failed. Callers audit it but tell the client less (see persons.ts). */
export type RealNameFailure = 'invalid_id_number' | 'not_found' | 'name_mismatch';

export interface RealNameResult {
  match: boolean;
  /** Set when `match` is false. */
  reason?: RealNameFailure;
}

export interface FaceResult {
  /** The evidence shows a live person (not a photo of a photo, a mask, a replay). */
  liveness: boolean;
  /** Similarity of the face to the photo on record for the ID number, 0 to 1. */
  score: number;
  /** Liveness passed and the score reaches the provider's threshold. */
  match: boolean;
}

/**
 * Real-name (实名) and face verification as the national identity service
 * (公安部身份认证, "网证" / CTID) offers them to government platforms. The real service
 * sits behind a gateway of the provincial big-data bureau; the demo provider below
 * answers from the seeded population registry.
 */
export interface IdentityVerifier {
  readonly name: string;
  /** Do the name and the ID number belong together in the population registry? */
  verifyRealName(input: { name: string; idNumber: string }): Promise<RealNameResult>;
  /**
   * Liveness detection and comparison of a face image with the photo on record for the
   * ID number. `evidence` is what the mobile SDK captured: a base64 image, or a token the
   * SDK obtained from the service.
   */
  verifyFace(input: { name: string; idNumber: string; evidence: string }): Promise<FaceResult>;
}

/** Score the demo gives to the accepted demo token, and the threshold it applies. */
export const DEMO_FACE_MATCH_SCORE = 0.97;
export const FACE_MATCH_THRESHOLD = 0.8;
const DEMO_FACE_PREFIX = 'demo-face:';

export interface DemoIdentityVerifierOptions {
  /** Latency of the simulated service in milliseconds (the real one takes 100-800 ms). */
  delayMs?: number;
}

/**
 * The demo identity service.
 *
 * - `verifyRealName` validates the ID number (GB 11643 with its check digit) and looks
 *   it up in `registry_person`: `match`, `not_found` or `name_mismatch`.
 * - `verifyFace` has no faces to compare. It accepts exactly the evidence
 *   `demo-face:<ID number>` (score 0.97) for that ID number, standing in for a successful
 *   capture by the mobile SDK; anything else, a real base64 image included, fails
 *   (a well-formed image passes liveness but scores 0.31; other input fails liveness
 *   with score 0). The ID number must also be in the registry.
 */
export class DemoIdentityVerifier implements IdentityVerifier {
  readonly name = 'demo';
  private readonly delayMs: number;

  constructor(
    private readonly db: Database,
    options: DemoIdentityVerifierOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 20;
  }

  async verifyRealName(input: { name: string; idNumber: string }): Promise<RealNameResult> {
    await sleep(this.delayMs);
    const checked = checkIdentifier('residentId', input.idNumber);
    if (!checked.ok) return { match: false, reason: 'invalid_id_number' };
    const registered = await this.registeredName(checked.value);
    if (registered === undefined) return { match: false, reason: 'not_found' };
    if (registered !== normaliseName(input.name)) return { match: false, reason: 'name_mismatch' };
    return { match: true };
  }

  async verifyFace(input: { name: string; idNumber: string; evidence: string }): Promise<FaceResult> {
    await sleep(this.delayMs);
    const checked = checkIdentifier('residentId', input.idNumber);
    const registered = checked.ok ? await this.registeredName(checked.value) : undefined;
    const evidence = input.evidence.trim();
    if (evidence.startsWith(DEMO_FACE_PREFIX)) {
      const tokenId = checkIdentifier('residentId', evidence.slice(DEMO_FACE_PREFIX.length));
      const same =
        checked.ok &&
        tokenId.ok &&
        tokenId.value === checked.value &&
        registered !== undefined &&
        registered === normaliseName(input.name);
      return same
        ? { liveness: true, score: DEMO_FACE_MATCH_SCORE, match: true }
        : { liveness: true, score: 0.12, match: false };
    }
    if (isImage(evidence)) return { liveness: true, score: 0.31, match: false };
    return { liveness: false, score: 0, match: false };
  }

  private async registeredName(idNumber: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ name: string }>(
      'select name from registry_person where id_number = $1',
      [idNumber],
    );
    return row ? normaliseName(row.name) : undefined;
  }
}

/** Names compare without surrounding or inner spaces and with full-width forms folded. */
function normaliseName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '');
}

/** A base64 (optionally a data: URL) JPEG or PNG image. */
function isImage(evidence: string): boolean {
  const base64 = evidence.replace(/^data:image\/(?:jpeg|png);base64,/, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length < 16) return false;
  const bytes = Buffer.from(base64.slice(0, 16), 'base64');
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  return jpeg || png;
}
