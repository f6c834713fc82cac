import { describe } from 'vitest';
import { serverDatabase, sweepContract } from './sweep-contract.ts';

describe('dsar sweep on PostgreSQL', () => {
  sweepContract({
    ...serverDatabase('postgres'),
    types: { ts: 'timestamptz', date: 'date', int: 'integer', exactText: 'varchar(120)' },
    updateTrigger: (table) => `create or replace function ${table}_touch() returns trigger language plpgsql as $$
      begin insert into fires (n) values (1); new.last_update := clock_timestamp(); return new; end $$;
      create trigger ${table}_touch before update on ${table} for each row execute function ${table}_touch()`,
    refuseDelete: () => `create or replace function logs_refuse() returns trigger language plpgsql as $$
      begin if old.id = 5 then raise exception 'refusing to delete %', old.msg; end if; return old; end $$;
      create trigger logs_refuse before delete on logs for each row execute function logs_refuse()`,
  });
});
