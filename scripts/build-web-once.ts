// `npm start` on a fresh clone: builds the web app when web/dist is missing or older than
// its sources, so `npm install && npm start` serves the pages without a separate step.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('../web/', import.meta.url));
const built = join(process.env.WEB_DIST ? resolve(process.env.WEB_DIST) : join(web, 'dist'), 'index.html');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const sources = [join(web, 'src'), join(web, 'index.html'), join(web, 'vite.config.ts')];
if (!existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs) {
  console.log('building the web app (web/dist) ...');
  execSync('npm run build:web', { stdio: 'inherit', cwd: join(web, '..') });
}
