// The request reference of an access or erasure request and the command-line inputs that start its statutory clock.
import { UsageError } from '../errors.ts';
import { addDays, isIsoDate, utcDate, type Law, RESPONSE_DAYS } from '../state/statutory.ts';

export type { Law };

const SAFE_TICKET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A ticket names the export's directory, so it must be a plain file name: no `/`, `..` or control characters. */
export function assertSafeTicket(ticket: unknown): string {
  const t = typeof ticket === 'string' ? ticket : String(ticket ?? '');
  if (!SAFE_TICKET.test(t) || t.includes('..')) {
    throw new UsageError(
      `--ticket: '${printable(t)}' is not a safe request reference (1-128 of A-Z a-z 0-9 . _ -, starting with a letter or digit, no '..')`,
    );
  }
  return t;
}

export const LAWS = Object.keys(RESPONSE_DAYS) as Law[];

export function parseLaw(value: unknown): Law {
  const v = String(value ?? 'gdpr').toLowerCase();
  if (!(LAWS as string[]).includes(v)) throw new UsageError(`--law: '${printable(v)}' is not one of ${LAWS.join(', ')}`);
  return v as Law;
}

/**
 * `--received YYYY-MM-DD`, default today (UTC). A real calendar date and not in the future (one day of slack for
 * time zones ahead of UTC): a typo here would silently move a legal deadline.
 */
export function parseReceived(value: unknown, now: Date = new Date()): string {
  if (value === undefined || value === null || value === '') return utcDate(now);
  const v = String(value);
  if (!isIsoDate(v)) throw new UsageError(`--received: '${printable(v)}' is not a date (YYYY-MM-DD)`);
  if (v > addDays(utcDate(now), 1)) throw new UsageError(`--received: ${v} is in the future`);
  return v;
}

/** Bad input is echoed back without control characters, and shortened. */
function printable(s: string): string {
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 60 ? clean.slice(0, 57) + '...' : clean;
}

/** What the ledger says of a ticket, as far as telling its request apart goes. */
export interface TicketEntry {
  kind: string;
  subjectHash: string | null;
}

const REQUEST_KINDS: Readonly<Record<string, string>> = { export: 'an access request (export)', erase: 'an erasure request (erase)' };

/**
 * A ticket is one request: one subject and one kind. A ticket the ledger already holds for another subject or
 * another kind is refused before anything is read or written, `--force` or not: its ledger entries and package
 * belong to that request.
 */
export function assertTicketIsThisRequest(ticket: string, kind: 'export' | 'erase', subjectHash: string, entries: readonly TicketEntry[]): void {
  const requests = entries.filter((e) => REQUEST_KINDS[e.kind] !== undefined);
  const otherKind = requests.find((e) => e.kind !== kind);
  if (otherKind) {
    throw new UsageError(`--ticket ${ticket} is ${REQUEST_KINDS[otherKind.kind]}; ${REQUEST_KINDS[kind]} needs a ticket of its own. Nothing was done`);
  }
  if (requests.some((e) => e.subjectHash !== null && e.subjectHash !== subjectHash)) {
    throw new UsageError(`--ticket ${ticket} is the request of another subject; use a new ticket. Nothing was done`);
  }
}
