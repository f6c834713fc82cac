import pg from 'pg';
const c = new pg.Client('postgres://postgres@127.0.0.1:5432/dsar_bench_extract'); await c.connect();
const q = `select cast(extract(year from birth_date) as integer) as q0, substr(zip,1,3) collate "C" as q1, plan as c0, id as c1 from users order by 1, 2`;
for (let i = 0; i < 3; i++) {
  let t0 = performance.now();
  const r = await c.query(q); console.log('all at once objects', (performance.now() - t0).toFixed(0), r.rows.length);
  t0 = performance.now();
  const r2 = await c.query({ text: q, rowMode: 'array' }); console.log('all at once arrays', (performance.now() - t0).toFixed(0), r2.rows.length);
  t0 = performance.now();
  await c.query('begin'); await c.query(`declare cur no scroll cursor for ${q}`); let n = 0;
  for (;;) { const f = await c.query('fetch forward 10000 from cur'); n += f.rows.length; if (f.rows.length < 10000) break; }
  await c.query('commit'); console.log('cursor objects', (performance.now() - t0).toFixed(0), n);
}
await c.end();
