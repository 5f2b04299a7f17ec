import type { TongbanModule } from '../../kernel/http.ts';
import { catalogManageRoutes } from './manage-routes.ts';
import { catalogRoutes } from './routes.ts';

/** The service-item catalog (事项库): its public surface for the platform and other modules. */
export const catalogModule: TongbanModule = {
  name: 'catalog',
  routes: async (app, context) => {
    await catalogRoutes(app, context);
    await catalogManageRoutes(app, context);
  },
};

export {
  itemDetail,
  listItems,
  caseSource,
  type CaseSource,
  type ItemDetail,
  type ItemSummary,
} from './read.ts';
export { placeOf, type PlaceOfItem } from './place-of.ts';
export { importCatalog, exportCatalog, type ImportReport, type FileFormat } from './transfer.ts';
export { createBundle, bundleDetail, listBundles, type BundleInput } from './bundles.ts';
export { createItem, publishItem, createEntry, itemVersion, saveItemDraft } from './service.ts';
export { replicateEntries, setPopularity, type EntryUnit } from './replicate.ts';
export { ITEM_TYPES, type ItemElements } from './model.ts';
/** The SQL of the hot read paths, for benchmarks that compare against the bare query. */
export { ENTRY_DETAIL_SQL, ITEM_DETAIL_SQL } from './read.ts';
export { SEARCH_SQL, reindexCatalog } from './search.ts';
