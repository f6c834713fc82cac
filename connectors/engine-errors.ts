// What of a database server's error may be shown. A server's message can quote the data: a trigger's
// `RAISE ... OLD.email`, MySQL's `SIGNAL` text, `Duplicate entry '<value>' for key`, `invalid input syntax for type
// integer: "<value>"`. So a server error is reported by its code, its constraint and a fixed message; the server's
// own text only for the classes that never carry a value (missing objects, connections, locks, permissions).
// Each engine's codes live in its folder; an error is recognised by its shape, as the caller may not know the engine.
import { mysqlErrorText } from './mysql/errors.ts';
import { postgresErrorText } from './postgres/errors.ts';
import { sqliteErrorText } from './sqlite/errors.ts';

export { isPostgresInstallRace } from './postgres/errors.ts';
export { isSqliteBusy } from './sqlite/errors.ts';

/** A server error as it may be shown; undefined when `err` is not a server's error (a JS error, a refused socket). */
export function serverErrorText(err: unknown): string | undefined {
  return postgresErrorText(err) ?? mysqlErrorText(err) ?? sqliteErrorText(err);
}
