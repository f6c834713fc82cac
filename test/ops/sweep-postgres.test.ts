import { describe } from 'vitest';
import { createPostgresDatabase, execPostgres, queryPostgres, type TestDatabase } from '../helpers/databases.ts';
import { sweepContract } from './sweep-contract.ts';

let db: TestDatabase;

describe('dsar sweep on PostgreSQL', () => {
  sweepContract({
    system: (urlEnv) => `{ kind: postgres, url: env:${urlEnv} }`,
    async setup(urlEnv) {
      db = await createPostgresDatabase('sweep');
      process.env[urlEnv] = db.url;
    },
    teardown: async () => db?.drop(),
    exec: (sqlText) => execPostgres(db.url, sqlText),
    query: (sqlText) => queryPostgres(db.url, sqlText),
    types: { ts: 'timestamptz', date: 'date', int: 'integer', exactText: 'varchar(120)' },
    updateTrigger: (table) => `create or replace function ${table}_touch() returns trigger language plpgsql as $$
      begin insert into fires (n) values (1); new.last_update := clock_timestamp(); return new; end $$;
      create trigger ${table}_touch before update on ${table} for each row execute function ${table}_touch()`,
    refuseDelete: () => `create or replace function logs_refuse() returns trigger language plpgsql as $$
      begin if old.id = 5 then raise exception 'refusing to delete %', old.msg; end if; return old; end $$;
      create trigger logs_refuse before delete on logs for each row execute function logs_refuse()`,
  });
});
