import mysql from 'mysql2/promise';
const c = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306/dsar_bench_sweep', timezone: 'Z' });
const lo = 600000, mid = 605000;
const [rows] = await c.query(`select id from events where id > ? and id <= ?`, [lo, mid]);
const doc = rows.map(r => [r.id, 'x'.repeat(64) + '@erased.invalid', '10.0.0.0', 'Mozilla/5.0 fake ' + r.id]);
const b64 = Buffer.from(JSON.stringify(doc)).toString('base64');
const jt = `json_table(convert(from_base64(?) using utf8mb4), '$[*]' columns (k0 bigint path '$[0]', c0 varchar(120) character set utf8mb4 path '$[1]', c1 varchar(45) character set utf8mb4 path '$[2]', c2 varchar(200) character set utf8mb4 path '$[3]')) as v`;
const [ex] = await c.query(`explain update events as t join ${jt} on t.id = v.k0 set t.email = v.c0, t.ip = v.c1, t.user_agent = v.c2 where (t.id > ? and t.id <= ?)`, [b64, lo, mid]);
console.table(ex);
for (const variant of ['straight', 'plain']) {
  await c.query('begin');
  const t0 = performance.now();
  const q = variant === 'straight'
    ? `update ${jt} straight_join events as t on t.id = v.k0 set t.email = v.c0, t.ip = v.c1, t.user_agent = v.c2 where (t.id > ? and t.id <= ?)`
    : `update events as t join ${jt} on t.id = v.k0 set t.email = v.c0, t.ip = v.c1, t.user_agent = v.c2 where (t.id > ? and t.id <= ?)`;
  const [r] = await c.query(q, [b64, lo, mid]);
  console.log(variant, (performance.now() - t0).toFixed(1), r.affectedRows);
  await c.query('rollback');
}
await c.end();
