import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { openPglite } from '../db.ts';
import { analyzeQuery, documentVector, rankSql, searchWithFallback, createPlaceIndex, highlight } from './index.ts';

const rows = parse(readFileSync('/work/shared/data/items.csv'), { columns: true }) as Record<string, string>[];
const db = await openPglite();
await db.exec(`create table t (id int primary key, name text, vector tsvector, popularity int default 0); create index t_vector on t using gin (vector);`);
const split = (s: string) => s.split(';').map((x) => x.trim()).filter(Boolean);
let id = 0;
for (const r of rows) {
  const v = documentVector({ name: r.name!, subSituation: r.sub_situation, typeName: r.type_name, department: r.department, keywords: split(r.keywords!), lifeEvents: split(r.life_event!), materials: split(r.materials!).map((m) => m.replace(/\[.*?\]/g, '')), resultLicence: r.result_licence });
  await db.query('insert into t (id, name, vector) values ($1, $2, $3::tsvector)', [++id, r.name, v]);
}
const places = createPlaceIndex([{ code: '320100', name: '示例市' }, { code: '320102', name: '玄武区' }]);
const qs = process.argv.slice(2);
for (const q of qs) {
  const a = analyzeQuery(q, places);
  const sql = `select id, name, ${rankSql('vector', '$2', 'popularity')} as score from t where vector @@ $1::tsquery order by score desc, id limit 10`;
  const res = await searchWithFallback(a, 10, (f) => db.query<{ id: number; name: string; score: number }>(sql, [f, a.rankTsquery]), (r) => r.id);
  console.log(`\n## ${q}  place=${a.place?.name ?? ''} fuzzy=${res.fuzzy}\n  strict: ${a.tsquery}\n  terms: ${a.terms.join(',')}`);
  if (process.env.V) console.log('  rank:', a.rankTsquery);
  for (const r of res.rows.slice(0, 5)) console.log(`  ${r.score.toFixed(4)} ${highlight(r.name, a.terms)}`);
}
await db.close();
