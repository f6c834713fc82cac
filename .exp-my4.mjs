import mysql from 'mysql2/promise';
const c = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306/dsar_bench_sweep', timezone: 'Z' });
const lo = 800000, mid = 805000;
const [rows] = await c.query(`select id from events where id > ? and id <= ?`, [lo, mid]);
const doc = rows.map(r => [r.id, 'x'.repeat(64) + '@erased.invalid', '10.0.0.0', 'Mozilla/5.0 fake ' + r.id]);
const b64 = Buffer.from(JSON.stringify(doc)).toString('base64');
const jt = `json_table(convert(from_base64(?) using utf8mb4), '$[*]' columns (k0 bigint path '$[0]', c0 varchar(120) character set utf8mb4 path '$[1]', c1 varchar(45) character set utf8mb4 path '$[2]', c2 varchar(200) character set utf8mb4 path '$[3]')) as j`;
const time = async (label, q, p, explain) => { if (explain) { const [e] = await c.query('explain ' + q, p); console.table(e.map(r => ({ table: r.table, type: r.type, key: r.key, ref: r.ref, rows: r.rows, extra: r.Extra }))); } await c.query('begin'); const t0 = performance.now(); const [r] = await c.query(q, p); console.log(label, (performance.now() - t0).toFixed(1), r.affectedRows ?? r[0]); await c.query('rollback'); };
for (let i = 0; i < 2; i++) {
  await time('derived', `update events as t join (select * from ${jt}) as v on t.id = v.k0 set t.email = v.c0, t.ip = v.c1, t.user_agent = v.c2 where (t.id > ? and t.id <= ?)`, [b64, lo, mid], i === 0);
  await time('straight-derived', `update events as t straight_join (select * from ${jt}) as v on t.id = v.k0 set t.email = v.c0, t.ip = v.c1, t.user_agent = v.c2 where (t.id > ? and t.id <= ?)`, [b64, lo, mid], i === 0);
  await time('plain', `update events as t join ${jt.replace(' as j', ' as v')} on t.id = v.k0 set t.email = v.c0, t.ip = v.c1, t.user_agent = v.c2 where (t.id > ? and t.id <= ?)`, [b64, lo, mid]);
}
await c.end();
