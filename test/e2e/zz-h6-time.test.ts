import { test } from 'vitest';
import { createTestApp } from '../helpers/app.ts';
import { seed } from '../../src/seed/index.ts';
test('time', async () => {
  let s = Date.now();
  const t = await createTestApp();
  console.log('app', Date.now() - s); s = Date.now();
  await seed(t.db, 'small', (l) => console.log(l));
  console.log('seed', Date.now() - s);
  const r = await t.db.query(`select code, name, level, parent_code from region order by level, code limit 30`);
  console.log(r);
  console.log(await t.db.query(`select level, count(*) from region group by level`));
  console.log(await t.db.query(`select o.id, o.name, o.region_code, r.level from organisation o join region r on r.code=o.region_code order by o.id limit 15`));
  console.log(await t.db.query(`select p.region_code, count(*) from registry_person p group by 1 order by 2 desc limit 10`));
  await t.drop();
}, 120000);
