import type { Queryable } from '../../kernel/db.ts';
import { ruleError } from './validate.ts';
import { AppError, validationError } from '../../kernel/errors.ts';
import { createPlaceIndex, type PlaceIndex } from '../../kernel/search/index.ts';
import { getRegion, regionPlaces, type RegionDetail } from '../directory/index.ts';

/**
 * Region facts the catalog reads from the directory, cached briefly: regions change
 * rarely, and every process reloads within the TTL, so no state lives only here.
 */
const TTL_MS = 60_000;

export class RegionCache {
  private places?: { index: PlaceIndex; at: number };
  private readonly chains = new Map<string, { chain: string[]; at: number }>();

  constructor(private readonly db: Queryable) {}

  async placeIndex(): Promise<PlaceIndex> {
    if (!this.places || Date.now() - this.places.at > TTL_MS) {
      this.places = { index: createPlaceIndex(await regionPlaces(this.db)), at: Date.now() };
    }
    return this.places.index;
  }

  /** The region and its ancestors, most specific first; a 400 naming `field` when unknown. */
  async chain(code: string, field = 'region'): Promise<string[]> {
    const cached = this.chains.get(code);
    if (cached && Date.now() - cached.at < TTL_MS) return cached.chain;
    const region = await this.region(code, field);
    const chain = [region.code, ...region.ancestors.map((a) => a.code).reverse()];
    if (this.chains.size > 10_000) this.chains.clear();
    this.chains.set(code, { chain, at: Date.now() });
    return chain;
  }

  /** A region by code; unknown or malformed codes are a 400 naming `field`. */
  async region(code: string, field = 'region'): Promise<RegionDetail> {
    try {
      return await getRegion(this.db, code);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        throw validationError([ruleError(field, 'knownRegion', { code })]);
      }
      throw error;
    }
  }
}
