set -e
mysql -uroot dsar_bench_sweep -e "DROP TABLE IF EXISTS events; CREATE TABLE events LIKE events_src; INSERT INTO events SELECT * FROM events_src; ANALYZE TABLE events;" >/dev/null
DM='version: 1
secrets:
  hmac_key: env:DSAR_BENCH_HMAC
systems:
  bench: { kind: mysql, url: env:DSAR_BENCH_URL }
retention:
  events-2y: { keep: 2y, after: created_at, then: anonymize }
tables:
  bench.events:
    key: id
    retention: events-2y
    fields:
      email: { category: contact.email, mask: hash }
      ip: { category: online.ip, mask: generalize }
      user_agent: { category: online.device, mask: fake }
      created_at: { category: usage.activity, mask: keep }
'
ARGS=$(node -e 'console.log(JSON.stringify({datamap:process.argv[1],asOf:"2026-11-01T00:00:00.000Z",batchSize:5000}))' "$DM")
DSAR_BENCH_URL=mysql://root@127.0.0.1:3306/dsar_bench_sweep DSAR_BENCH_HMAC=bench-hmac-key node $NODEFLAGS --import tsx bench/sweep-child.ts "$ARGS"
