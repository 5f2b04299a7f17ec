import type { App } from '../../kernel/http.ts';
import type { IdentityContext } from './context.ts';

export function qrRoutes(_app: App, _ctx: IdentityContext): void {}
