import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { pinyin } from 'pinyin-pro';
import { openPglite } from '../db.ts';
import { analyzeQuery, documentVector, rankSql, searchWithFallback } from './index.ts';

const rows = parse(readFileSync('/work/shared/data/items.csv'), { columns: true }) as Record<string, string>[];
const db = await openPglite();
await db.exec(`create table t (id int primary key, name text, vector tsvector, popularity int default 0); create index t_vector on t using gin (vector);`);
const split = (s: string) => s.split(';').map((x) => x.trim()).filter(Boolean);
let id = 0;
const pool = new Map<string, Set<string>>();
for (const r of rows) {
  const v = documentVector({ name: r.name!, subSituation: r.sub_situation, typeName: r.type_name, department: r.department, keywords: split(r.keywords!), lifeEvents: split(r.life_event!), materials: split(r.materials!).map((m) => m.replace(/\[.*?\]/g, '')), resultLicence: r.result_licence });
  await db.query('insert into t (id, name, vector) values ($1, $2, $3::tsvector)', [++id, r.name, v]);
  for (const c of (Object.values(r).join('')).match(/\p{Script=Han}/gu) ?? []) { const p = pinyin(c, { toneType: 'none' }); if (!pool.has(p)) pool.set(p, new Set()); pool.get(p)!.add(c); }
}
const sql = `select id, name, ${rankSql('vector', '$2', 'popularity')} as score from t where vector @@ $1::tsquery order by score desc, id limit 10`;
async function rankOf(q: string, target: string) {
  const a = analyzeQuery(q);
  const res = await searchWithFallback(a, 10, (f) => db.query<{ id: number; name: string }>(sql, [f, a.rankTsquery]), (r) => r.id);
  return { pos: res.rows.findIndex((r) => r.name === target), top: res.rows[0]?.name };
}
const stats: Record<string, number[]> = { homophone: [0, 0, 0], other: [0, 0, 0] };
const misses: string[] = [];
const others = '鑫淼犇焱垚森晶磊'.split('');
for (const r of rows) {
  const name = r.name!;
  const chars = Array.from(name);
  const han = chars.map((c, i) => (/\p{Script=Han}/u.test(c) ? i : -1)).filter((i) => i >= 0);
  if (han.length < 4) continue;
  for (const i of han) {
    const p = pinyin(chars[i]!, { toneType: 'none' });
    const homo = [...(pool.get(p) ?? [])].find((c) => c !== chars[i]);
    for (const [kind, sub] of [['homophone', homo], ['other', others[i % others.length]]] as const) {
      if (!sub) continue;
      const q = chars.map((c, j) => (j === i ? sub : c)).join('');
      const { pos, top } = await rankOf(q, name);
      const s = stats[kind]!;
      s[pos === 0 ? 0 : pos > 0 && pos < 3 ? 1 : 2]!++;
      if (pos !== 0) misses.push(`${kind} ${q} -> ${pos} (top ${top}) want ${name}`);
    }
  }
}
console.log(stats);
console.log(misses.join('\n'));
await db.close();
