import { describe } from 'vitest';
import { serverDatabase, sweepContract } from './sweep-contract.ts';

describe('dsar sweep on MariaDB', () => {
  sweepContract({
    ...serverDatabase('mysql'),
    types: { ts: 'datetime(3)', date: 'date', int: 'int', exactText: 'varchar(120) collate utf8mb4_bin' },
    updateTrigger: (table) => `create trigger ${table}_touch before update on ${table} for each row
      begin insert into fires (n) values (1); set new.last_update = now(3); end`,
    refuseDelete: () => `create trigger logs_refuse before delete on logs for each row
      begin declare m varchar(200); if old.id = 5 then set m = concat('refusing ', old.msg); signal sqlstate '45000' set message_text = m; end if; end`,
  });
});
