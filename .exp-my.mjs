import mysql from 'mysql2/promise';
const c = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306/dsar_bench_sweep', timezone: 'Z' });
const t = async (label, sqlText, params) => { const t0 = performance.now(); const [r] = await c.query(sqlText, params); console.log(label, (performance.now() - t0).toFixed(1), 'ms', r.affectedRows ?? r.length); return r; };
for (let b = 0; b < 3; b++) {
  const lo = b * 10000, mid = lo + 5000, hi = lo + 10000;
  await t('next', `select max(id) hi, count(*) n from (select id from events where id > ? order by id limit 5000) s`, [lo]);
  const rows = await t('select', `select id, email, ip, user_agent from events where id > ? and id <= ? and created_at < '2024-11-01'`, [lo, mid]);
  const doc = rows.map(r => [r.id, 'x'.repeat(64) + '@erased.invalid', '10.0.0.0', 'Mozilla/5.0 fake ' + r.id]);
  const b64 = Buffer.from(JSON.stringify(doc)).toString('base64');
  await t('update-json', `update events as t join json_table(convert(from_base64(?) using utf8mb4), '$[*]' columns (k0 bigint path '$[0]', c0 varchar(120) character set utf8mb4 path '$[1]', c1 varchar(45) character set utf8mb4 path '$[2]', c2 varchar(200) character set utf8mb4 path '$[3]')) as v on t.id = v.k0 set t.email = v.c0, t.ip = v.c1, t.user_agent = v.c2 where (t.id > ? and t.id <= ? and t.created_at < '2024-11-01')`, [b64, lo, mid]);
  await t('update-raw', `UPDATE events SET email = concat(sha2(concat('k', email), 256), '@erased.invalid'), ip = concat(substring_index(ip, '.', 3), '.0'), user_agent = sha2(concat('k', user_agent), 256) WHERE id > ? AND id <= ? AND created_at < '2024-11-01'`, [mid, hi]);
}
await c.end();
