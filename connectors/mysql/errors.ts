// MySQL's and MariaDB's errors: which may be shown (see ../engine-errors.ts for why a server's text is withheld),
// and which are a lock conflict.

/** Errnos whose message names objects only. */
const SAFE_ERRNOS = new Set([1044, 1045, 1049, 1054, 1064, 1142, 1143, 1146, 1205, 1213, 1406, 1451, 1452, 1048, 1040, 1053, 1927, 2002, 2003, 2006, 2013]);

const NAMES: Record<number, string> = {
  1644: 'raised by a trigger or procedure (SIGNAL)',
  1062: 'a duplicate entry for a unique key',
  1366: 'a value of the wrong type',
  1292: 'an invalid value',
  3819: 'a CHECK constraint refused the row',
  4025: 'a CHECK constraint refused the row',
};

/** ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT. */
const LOCK_CONFLICTS = new Set([1213, 1205]);

interface MysqlError {
  errno: number;
  sqlState?: string;
  code?: string;
  sqlMessage?: string;
  message: string;
}

function isMysqlError(err: unknown): err is MysqlError {
  const e = err as Partial<MysqlError> | null;
  return typeof e?.errno === 'number' && (typeof e.sqlState === 'string' || typeof e.sqlMessage === 'string');
}

/** A MySQL/MariaDB server error as it may be shown; undefined for any other error. */
export function mysqlErrorText(err: unknown): string | undefined {
  if (!isMysqlError(err)) return undefined;
  const text = err.sqlMessage ?? err.message;
  // SIGNAL may set any errno (SQLSTATE 45000 or a chosen one): its text is the trigger's, never shown.
  const signalled = err.sqlState === '45000';
  if (!signalled && err.errno === 1064) return text.split('\n')[0].replace(/ near '.*$/s, " (the statement's text is not shown)");
  if (!signalled && SAFE_ERRNOS.has(err.errno)) return text.split('\n')[0];
  const key = err.errno === 1062 ? /for key '([^']*)'\s*$/.exec(text)?.[1] : undefined;
  return `error ${err.errno}${err.code ? ` ${err.code}` : ''}: ${NAMES[err.errno] ?? 'the server refused the statement'}${key ? ` (key ${key})` : ''}; its message is not shown, as it may quote the data`;
}

export const isMysqlLockConflict = (e: { errno?: unknown }): boolean => typeof e.errno === 'number' && LOCK_CONFLICTS.has(e.errno);
