// Typed errors. Exit codes are decided in one place: exitCodeFor().

/** A location in the data map file. */
export interface Location {
  file: string;
  line: number;
  column: number;
  /** Key path such as `tables.app.users.fields.email.mask`. */
  path: string;
}

export interface DataMapIssue extends Location {
  message: string;
}

/** One or more problems in the data map; every issue names file:line:column. Exit 2. */
export class DataMapError extends Error {
  constructor(readonly issues: DataMapIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'DataMapError';
  }
}

export function formatIssue(i: DataMapIssue): string {
  return oneLine(`${i.file}:${i.line}:${i.column}: ${i.path ? i.path + ': ' : ''}${i.message}`);
}

/** Control characters (say a newline inside a quoted key) written as escapes: one issue stays one line. */
export function oneLine(text: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A system (or one of its tables) failed at run time: unreachable, lost connection, query error. Exit 1 when others went on, 2 before anything ran. */
export class SystemError extends Error {
  constructor(
    readonly system: string,
    readonly table: string | undefined,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(`${table ? `${system}.${table}` : system}: ${redactUrls(message)}`);
    this.name = 'SystemError';
  }
}

/** Bad command-line input or configuration (unknown flag, bad ticket, missing secret). Exit 2, nothing touched. */
export class UsageError extends Error {
  constructor(message: string) {
    super(redactUrls(message));
    this.name = 'UsageError';
  }
}

/** The work was refused or only partly done for a reason the user must see (a legal hold, residue after erasure). Exit 1. */
export class RefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof DataMapError || err instanceof UsageError) return 2;
  if (err instanceof SystemError || err instanceof RefusedError) return 1;
  return 70; // an unexpected error: a bug
}

/** True for errors the user caused or must act on: printed as one line, never with a stack. */
export function isExpected(err: unknown): boolean {
  return exitCodeFor(err) !== 70;
}

/** Removes passwords from any URL in a message (postgres://u:secret@h -> postgres://u:***@h). */
export function redactUrls(text: string): string {
  // Up to the last @ of the URL: a password written with a raw @ or / (not %40, %2F) must not leave a tail behind.
  // Then any other `user:password@` form: a scheme without `//` (`postgres:/u:pw@h`), or none at all (`u:pw@h/db`).
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^\s"']*@/gi, '$1***@')
    .replace(/(^|[\s"'=(<,])((?:[a-z][a-z0-9+.-]*:\/{0,2})?[^\s:/@"'*]+:)(?!\/|\*\*\*@)[^\s"']*@/gi, '$1$2***@');
}

/** Whether `err` or one of its causes (a driver's error inside a SystemError, a transaction's wrapper) matches. */
export function someCause(err: unknown, test: (e: { code?: unknown; errno?: unknown }) => boolean): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (test(e as { code?: unknown; errno?: unknown })) return true;
  }
  return false;
}
