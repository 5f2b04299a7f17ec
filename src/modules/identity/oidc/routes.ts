import type { App } from '../../../kernel/http.ts';
import type { IdentityContext } from '../context.ts';

export async function oidcRoutes(_app: App, _ctx: IdentityContext): Promise<void> {}
