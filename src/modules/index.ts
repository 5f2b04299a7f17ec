import type { TongbanModule } from '../kernel/http.ts';

/** The domain modules, in registration order. */
export const modules: TongbanModule[] = [];
