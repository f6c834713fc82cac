// PostgreSQL's errors: which may be shown (see ../engine-errors.ts for why a server's text is withheld), and which
// are a lock conflict or two installers racing.

/** SQLSTATE classes (first two characters) whose messages name objects only, never values. */
const SAFE_CLASSES = new Set(['08', '0A', '25', '28', '3D', '3F', '40', '42', '53', '54', '55', '57', '58']);
/** Codes whose first line names a column or constraint only (the value is in DETAIL, never read). */
const SAFE_CODES = new Set(['23502', '23503', '23505', '22001']);

const NAMES: Record<string, string> = {
  P0001: 'raised by a trigger or function',
  '23514': 'a CHECK constraint refused the row',
  '23P01': 'an exclusion constraint refused the row',
  '22P02': 'a value of the wrong type',
  '22007': 'an invalid date or time',
  '22008': 'a date or time out of range',
};

/** deadlock_detected, serialization_failure, lock_not_available. */
const LOCK_CONFLICTS = new Set(['40P01', '40001', '55P03']);

/**
 * Two sessions creating one schema at the same moment (replicas started together on a fresh database): a deadlock,
 * a serialization failure, a duplicate key, table or object. The loser starts again and finds the work done.
 */
const INSTALL_RACES = new Set(['40P01', '40001', '23505', '42P07', '42710']);

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

function isPgError(err: unknown): err is PgError {
  const e = err as Partial<PgError> | null;
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
}

/** A PostgreSQL server error as it may be shown; undefined for any other error. */
export function postgresErrorText(err: unknown): string | undefined {
  if (!isPgError(err)) return undefined;
  const first = err.message.split('\n')[0];
  const raised = err.routine === 'exec_stmt_raise' || /PL\/pgSQL/.test(err.where ?? '');
  if (!raised && (SAFE_CLASSES.has(err.code.slice(0, 2)) || SAFE_CODES.has(err.code))) return first;
  if (raised) return `SQLSTATE ${err.code}: ${NAMES.P0001}${err.table ? ` (table ${err.table})` : ''}; its message is not shown, as it may quote the data`;
  // Data exceptions quote the value after `: "`; what comes before names the type.
  const quoted = err.code.startsWith('22') ? /^([^"]*?): "/.exec(first) : null;
  if (quoted) return `${quoted[1]} (SQLSTATE ${err.code}; the value is not shown)`;
  const where = [err.table && `table ${err.table}`, err.column && `column ${err.column}`, err.constraint && `constraint ${err.constraint}`].filter(Boolean).join(', ');
  return `SQLSTATE ${err.code}: ${NAMES[err.code] ?? 'the server refused the statement'}${where ? ` (${where})` : ''}; its message is not shown, as it may quote the data`;
}

export const isPostgresLockConflict = (e: { code?: unknown }): boolean => typeof e.code === 'string' && LOCK_CONFLICTS.has(e.code);

export const isPostgresInstallRace = (e: { code?: unknown }): boolean => typeof e.code === 'string' && INSTALL_RACES.has(e.code);
