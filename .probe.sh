set -e
psql -q -h 127.0.0.1 -U postgres dsar_bench_sweep -c "DROP TABLE IF EXISTS events;
        CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint NOT NULL, email varchar(120), ip varchar(45),
          user_agent varchar(200), created_at timestamptz NOT NULL, payload text);
        INSERT INTO events SELECT * FROM events_src;
        CREATE INDEX events_user_id ON events (user_id); CREATE INDEX events_created_at ON events (created_at);" -c "VACUUM ANALYZE events"
DM='version: 1
secrets:
  hmac_key: env:DSAR_BENCH_HMAC
systems:
  bench: { kind: postgres, url: env:DSAR_BENCH_URL }
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
DSAR_BENCH_URL=postgres://postgres@127.0.0.1:5432/dsar_bench_sweep DSAR_BENCH_HMAC=bench-hmac-key node $NODEFLAGS --import tsx bench/mem-probe.ts "$ARGS"
