import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';
import { withSqliteFile } from '../helpers/sqlite-file.ts';
import { sweepContract, type Row } from './sweep-contract.ts';

let file: string;

describe('dsar sweep on SQLite', () => {
  sweepContract({
    system: () => '{ kind: sqlite, path: app.db }',
    async setup(_urlEnv, dir) {
      file = path.join(dir, 'app.db');
      closeSync(openSync(file, 'a'));
    },
    async teardown() {},
    async exec(sqlText) {
      withSqliteFile(file, (db) => db.exec(sqlText));
    },
    async query(sqlText) {
      return withSqliteFile(file, (db) => db.prepare(sqlText).all() as Row[]);
    },
    types: { ts: 'timestamp', date: 'date', int: 'integer', exactText: 'varchar(120)' },
    updateTrigger: (table) => `create trigger ${table}_fires before update on ${table} for each row begin insert into fires (n) values (1); end`,
    // SQLite's RAISE takes a literal only: it cannot quote the row.
    refuseDelete: () => `create trigger logs_refuse before delete on logs for each row when old.id = 5 begin select raise(abort, 'refusing'); end`,
  });
});
