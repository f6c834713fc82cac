// What of a database server's error may be shown. A server's message can quote the data: a trigger's
// `RAISE ... OLD.email`, MySQL's `SIGNAL` text, `Duplicate entry '<value>' for key`, `invalid input syntax for type
// integer: "<value>"`. So a server error is reported by its code, its constraint and a fixed message; the server's
// own text only for the classes that never carry a value (missing objects, connections, locks, permissions).

/** PostgreSQL SQLSTATE classes (first two characters) whose messages name objects only, never values. */
const PG_SAFE_CLASSES = new Set(['08', '0A', '25', '28', '3D', '3F', '40', '42', '53', '54', '55', '57', '58']);
/** PostgreSQL codes whose first line names a column or constraint only (the value is in DETAIL, never read). */
const PG_SAFE_CODES = new Set(['23502', '23503', '23505', '22001']);
/** MySQL/MariaDB errnos whose message names objects only. */
const MYSQL_SAFE_ERRNOS = new Set([1044, 1045, 1049, 1054, 1064, 1142, 1143, 1146, 1205, 1213, 1406, 1451, 1452, 1048, 1040, 1053, 1927, 2002, 2003, 2006, 2013]);

const PG_NAMES: Record<string, string> = {
  P0001: 'raised by a trigger or function',
  '23514': 'a CHECK constraint refused the row',
  '23P01': 'an exclusion constraint refused the row',
  '22P02': 'a value of the wrong type',
  '22007': 'an invalid date or time',
  '22008': 'a date or time out of range',
};
const MYSQL_NAMES: Record<number, string> = {
  1644: 'raised by a trigger or procedure (SIGNAL)',
  1062: 'a duplicate entry for a unique key',
  1366: 'a value of the wrong type',
  1292: 'an invalid value',
  3819: 'a CHECK constraint refused the row',
  4025: 'a CHECK constraint refused the row',
};

interface PgError {
  code: string;
  severity?: string;
  message: string;
  /** PL/pgSQL's context: a RAISE may use any SQLSTATE, the safe ones too, with the row in its text. */
  where?: string;
  routine?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

interface MysqlError {
  errno: number;
  sqlState?: string;
  code?: string;
  sqlMessage?: string;
  message: string;
}

function isPgError(err: unknown): err is PgError {
  const e = err as Partial<PgError> | null;
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
}

function isMysqlError(err: unknown): err is MysqlError {
  const e = err as Partial<MysqlError> | null;
  return typeof e?.errno === 'number' && (typeof e.sqlState === 'string' || typeof e.sqlMessage === 'string');
}

/** A server error as it may be shown; undefined when `err` is not a server's error (a JS error, a refused socket). */
export function serverErrorText(err: unknown): string | undefined {
  if (isPgError(err)) {
    const first = err.message.split('\n')[0];
    const raised = err.routine === 'exec_stmt_raise' || /PL\/pgSQL/.test(err.where ?? '');
    if (!raised && (PG_SAFE_CLASSES.has(err.code.slice(0, 2)) || PG_SAFE_CODES.has(err.code))) return first;
    if (raised) return `SQLSTATE ${err.code}: ${PG_NAMES.P0001}${err.table ? ` (table ${err.table})` : ''}; its message is not shown, as it may quote the data`;
    // Data exceptions quote the value after `: "`; what comes before names the type.
    const quoted = err.code.startsWith('22') ? /^([^"]*?): "/.exec(first) : null;
    if (quoted) return `${quoted[1]} (SQLSTATE ${err.code}; the value is not shown)`;
    const where = [err.table && `table ${err.table}`, err.column && `column ${err.column}`, err.constraint && `constraint ${err.constraint}`].filter(Boolean).join(', ');
    return `SQLSTATE ${err.code}: ${PG_NAMES[err.code] ?? 'the server refused the statement'}${where ? ` (${where})` : ''}; its message is not shown, as it may quote the data`;
  }
  if (isMysqlError(err)) {
    const text = err.sqlMessage ?? err.message;
    // SIGNAL may set any errno (SQLSTATE 45000 or a chosen one): its text is the trigger's, never shown.
    const signalled = err.sqlState === '45000';
    if (!signalled && err.errno === 1064) return text.split('\n')[0].replace(/ near '.*$/s, " (the statement's text is not shown)");
    if (!signalled && MYSQL_SAFE_ERRNOS.has(err.errno)) return text.split('\n')[0];
    const key = err.errno === 1062 ? /for key '([^']*)'\s*$/.exec(text)?.[1] : undefined;
    return `error ${err.errno}${err.code ? ` ${err.code}` : ''}: ${MYSQL_NAMES[err.errno] ?? 'the server refused the statement'}${key ? ` (key ${key})` : ''}; its message is not shown, as it may quote the data`;
  }
  // SQLite: a trigger's RAISE may build its text from the row (an expression since SQLite 3.47).
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code === 'SQLITE_CONSTRAINT_TRIGGER') return 'SQLITE_CONSTRAINT_TRIGGER: raised by a trigger; its message is not shown, as it may quote the data';
  return undefined;
}
