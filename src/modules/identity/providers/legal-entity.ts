import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../../kernel/db.ts';
import { AppError } from '../../../kernel/errors.ts';
import { getEnterprise } from '../../registries/index.ts';

/** The legal-entity registry (法人库) as a verification service. */
export interface LegalEntityRecord {
  uscc: string;
  name: string;
  legalRepresentativeName: string;
  legalRepresentativeIdNumber: string | null;
  regionCode: string;
  /** Whether the entity may still act (存续/在业), as opposed to 注销, 吊销 ... */
  active: boolean;
  registryStatus: string;
}
export interface LegalEntityVerifier {
  lookup(uscc: string): Promise<LegalEntityRecord | null>;
}

/** Registration statuses under which an entity still exists and trades. */
export const ACTIVE_REGISTRY_STATUSES: readonly string[] = ['存续', '在业'];

export interface DemoLegalEntityOptions {
  /** Latency of the registry service in milliseconds (the real ones answer in 50-500 ms). */
  delayMs?: number;
}

/**
 * Demo provider: answers from the seeded market-entity registry (registry_enterprise)
 * through the registries module, with a small latency like a remote service.
 */
export class DemoLegalEntityVerifier implements LegalEntityVerifier {
  readonly name = 'demo';
  private readonly delayMs: number;

  constructor(
    private readonly db: Database,
    options: DemoLegalEntityOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 5;
  }

  async lookup(uscc: string): Promise<LegalEntityRecord | null> {
    if (this.delayMs > 0) await sleep(this.delayMs);
    try {
      const enterprise = await getEnterprise(this.db, uscc);
      return {
        uscc: enterprise.uscc,
        name: enterprise.name,
        legalRepresentativeName: enterprise.legalRepresentative.name,
        legalRepresentativeIdNumber: enterprise.legalRepresentative.idNumber,
        regionCode: enterprise.regionCode,
        active: ACTIVE_REGISTRY_STATUSES.includes(enterprise.status),
        registryStatus: enterprise.status,
      };
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') return null;
      throw error;
    }
  }
}
