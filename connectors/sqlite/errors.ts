// SQLite's errors: which may be shown (see ../engine-errors.ts for why a server's text is withheld), and which is
// another connection holding the write lock.

/** A trigger's RAISE may build its text from the row (an expression since SQLite 3.47): only that is withheld. */
export function sqliteErrorText(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_TRIGGER') return 'SQLITE_CONSTRAINT_TRIGGER: raised by a trigger; its message is not shown, as it may quote the data';
  return undefined;
}

/** Another connection holds the lock (SQLITE_BUSY and its extended codes): wait and try again. */
export function isSqliteBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
