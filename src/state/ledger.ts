// The request ledger: append-only, each entry hash-chained to the one before. A request's progress is a series of
// entries under one ticket (started, completed, ...), folded into one row by listRequests().
import { sql, type Kysely } from 'kysely';
import { currentActor } from './actor.ts';
import type { StateBackend } from './backend.ts';
import { canonicalJson, chainedHash } from './canonical-json.ts';
import type { LedgerTable, StateDatabase } from './schema.ts';
import { daysLeft, dueDate, isIsoDate, utcDate, type Law } from './statutory.ts';
import { assertSubjectHash } from './subject-key.ts';

export const LEDGER_OUTCOMES = ['ok', 'failed', 'partial', 'refused', 'in-progress'] as const;
export type LedgerOutcome = (typeof LEDGER_OUTCOMES)[number];
/** A request whose latest entry has one of these outcomes is still owed an answer. */
export const OPEN_OUTCOMES: readonly LedgerOutcome[] = ['in-progress', 'failed', 'partial'];

export type LedgerKind = 'export' | 'erase' | 'extract' | 'sweep' | 'hold' | 'optout' | (string & {});
export type LedgerEvent = 'started' | 'completed' | 'failed' | 'verified' | 'refused' | 'resumed' | (string & {});

/** The prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);
const LOCK = 'dsar_ledger';
const HEAD_KEY = 'ledger_head';
const VERIFY_BATCH = 500;
const MAX_PROBLEMS = 100;

export interface LedgerAppend {
  /** The verified request reference; absent for work that is not a request (sweeps, extracts). */
  ticket?: string | null;
  kind: LedgerKind;
  event: LedgerEvent;
  outcome: LedgerOutcome;
  /** From store.subjectHash(); never a raw identity. Absent for extracts and sweeps. */
  subjectHash?: string | null;
  /** Defaults to the OS user. */
  actor?: string;
  /** Defaults to now. */
  startedAt?: Date;
  endedAt?: Date | null;
  rowCounts?: Record<string, number>;
  /** Counts, file hashes, residue: never personal values. */
  detail?: Record<string, unknown>;
  /** `YYYY-MM-DD`, the day the request was received; marks the entry that opens a request and sets its due date. */
  receivedOn?: string;
  /** Defaults to gdpr when receivedOn is given. */
  law?: Law;
}

export interface LedgerEntry {
  id: number;
  ticket: string | null;
  kind: string;
  event: string;
  subjectHash: string | null;
  actor: string;
  startedAt: string;
  endedAt: string | null;
  outcome: LedgerOutcome;
  rowCounts: Record<string, number>;
  detail: Record<string, unknown>;
  receivedOn: string | null;
  law: Law | null;
  dueOn: string | null;
  prevHash: string;
  entryHash: string;
}

/** One request, folded from all the entries of its ticket. */
export interface RequestSummary {
  ticket: string;
  kind: string;
  subjectHash: string | null;
  /** Who opened the request. */
  actor: string;
  receivedOn: string;
  law: Law;
  dueOn: string;
  /** Days from `now` to the due date; negative when overdue. */
  daysLeft: number;
  /** Outcome of the ticket's latest entry. */
  status: LedgerOutcome;
  lastEvent: string;
  /** When the latest entry's work ended (or started, while in progress). */
  updatedAt: string;
  open: boolean;
}

export interface LedgerVerification {
  ok: boolean;
  entries: number;
  problems: string[];
}

/** SHA-256 over the canonical JSON of every stored field except the hash itself (prev_hash included). */
export function entryHash(row: Omit<LedgerTable, 'entry_hash'>): string {
  return chainedHash(row, HASHED);
}

const HASHED: Record<keyof Omit<LedgerTable, 'entry_hash'>, true> = {
  id: true, ticket: true, kind: true, event: true, subject_hash: true, actor: true, started_at: true, ended_at: true,
  outcome: true, row_counts: true, detail: true, received_on: true, law: true, due_on: true, prev_hash: true,
};

function toEntry(row: LedgerTable): LedgerEntry {
  return {
    id: Number(row.id),
    ticket: row.ticket,
    kind: row.kind,
    event: row.event,
    subjectHash: row.subject_hash,
    actor: row.actor,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    outcome: row.outcome as LedgerOutcome,
    rowCounts: JSON.parse(row.row_counts),
    detail: JSON.parse(row.detail),
    receivedOn: row.received_on,
    law: row.law as Law | null,
    dueOn: row.due_on,
    prevHash: row.prev_hash,
    entryHash: row.entry_hash,
  };
}

function checkAppend(input: LedgerAppend): void {
  if (!LEDGER_OUTCOMES.includes(input.outcome)) throw new TypeError(`unknown ledger outcome: ${input.outcome}`);
  if (input.subjectHash != null) assertSubjectHash(input.subjectHash);
  if (input.receivedOn !== undefined && !isIsoDate(input.receivedOn)) {
    throw new TypeError(`received date must be YYYY-MM-DD, got ${input.receivedOn}`);
  }
  if (input.law !== undefined && input.law !== 'gdpr' && input.law !== 'ccpa') throw new TypeError(`unknown law: ${input.law}`);
}

export class Ledger {
  constructor(private readonly backend: StateBackend) {}

  /** Appends one entry at the end of the chain; concurrent appenders (any process) are serialized. */
  async append(input: LedgerAppend): Promise<LedgerEntry> {
    checkAppend(input);
    const startedAt = input.startedAt ?? new Date();
    const law = input.law ?? (input.receivedOn ? 'gdpr' : undefined);
    const receivedOn = input.receivedOn ?? (law ? utcDate(startedAt) : undefined);
    const fields = {
      ticket: input.ticket ?? null,
      kind: input.kind,
      event: input.event,
      subject_hash: input.subjectHash ?? null,
      actor: input.actor ?? currentActor(),
      started_at: startedAt.toISOString(),
      ended_at: input.endedAt ? input.endedAt.toISOString() : null,
      outcome: input.outcome,
      row_counts: canonicalJson(input.rowCounts ?? {}),
      detail: canonicalJson(input.detail ?? {}),
      received_on: receivedOn ?? null,
      law: law ?? null,
      due_on: receivedOn && law ? dueDate(receivedOn, law) : null,
    };
    return this.backend.exclusive(LOCK, async (db) => {
      const last = await db.selectFrom('dsar_ledger').select(['id', 'entry_hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
      const unhashed = { id: last ? Number(last.id) + 1 : 1, ...fields, prev_hash: last?.entry_hash ?? GENESIS_HASH };
      const row: LedgerTable = { ...unhashed, entry_hash: entryHash(unhashed) };
      await db.insertInto('dsar_ledger').values(row).execute();
      // The head makes deleting the newest entries detectable too, not only entries in the middle.
      await db
        .insertInto('dsar_meta')
        .values({ key: HEAD_KEY, value: `${row.id}:${row.entry_hash}` })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: `${row.id}:${row.entry_hash}` }))
        .execute();
      return toEntry(row);
    });
  }

  /** Every entry of one ticket, oldest first. */
  async forTicket(ticket: string): Promise<LedgerEntry[]> {
    const rows = await this.backend.db.selectFrom('dsar_ledger').selectAll().where('ticket', '=', ticket).orderBy('id').execute();
    return rows.map(toEntry);
  }

  /** Requests (tickets with an entry that has a received date), one row each, soonest due first. */
  async listRequests(opts: { open?: boolean; now?: Date } = {}): Promise<RequestSummary[]> {
    const now = opts.now ?? new Date();
    const db: Kysely<StateDatabase> = this.backend.db;
    const spans = db
      .selectFrom('dsar_ledger')
      .select([
        'ticket',
        sql<number>`max(id)`.as('last_id'),
        sql<number | null>`min(case when received_on is not null then id end)`.as('request_id'),
      ])
      .where('ticket', 'is not', null)
      .groupBy('ticket')
      .as('s');
    let query = db
      .selectFrom(spans)
      .innerJoin('dsar_ledger as r', 'r.id', 's.request_id')
      .innerJoin('dsar_ledger as l', 'l.id', 's.last_id')
      .select([
        'r.ticket',
        'r.kind',
        'r.subject_hash',
        'r.actor',
        'r.received_on',
        'r.law',
        'r.due_on',
        'l.outcome',
        'l.event',
        'l.started_at',
        'l.ended_at',
      ])
      .orderBy('r.due_on')
      .orderBy('r.ticket');
    if (opts.open) query = query.where('l.outcome', 'in', [...OPEN_OUTCOMES]);
    const rows = await query.execute();
    return rows.map((r) => ({
      ticket: r.ticket as string,
      kind: r.kind,
      subjectHash: r.subject_hash,
      actor: r.actor,
      receivedOn: r.received_on as string,
      law: r.law as Law,
      dueOn: r.due_on as string,
      daysLeft: daysLeft(r.due_on as string, now),
      status: r.outcome as LedgerOutcome,
      lastEvent: r.event,
      updatedAt: r.ended_at ?? r.started_at,
      open: OPEN_OUTCOMES.includes(r.outcome as LedgerOutcome),
    }));
  }

  /** Walks the whole chain in id order (in batches) and reports every break it finds. */
  async verify(): Promise<LedgerVerification> {
    const db = this.backend.db;
    const head = await db.selectFrom('dsar_meta').select('value').where('key', '=', HEAD_KEY).executeTakeFirst();
    const problems: string[] = [];
    const report = (p: string) => {
      if (problems.length < MAX_PROBLEMS) problems.push(p);
    };
    let entries = 0;
    let prevId = 0;
    let prevHash = GENESIS_HASH;
    for (;;) {
      const batch = await db.selectFrom('dsar_ledger').selectAll().where('id', '>', prevId).orderBy('id').limit(VERIFY_BATCH).execute();
      for (const row of batch) {
        const id = Number(row.id);
        entries++;
        if (id !== prevId + 1) {
          report(`entr${id - prevId > 2 ? `ies ${prevId + 1}..${id - 1} are` : `y ${prevId + 1} is`} missing: entry ${id} follows entry ${prevId}`);
        } else if (row.prev_hash !== prevHash) {
          report(`entry ${id}: its prev_hash does not match entry ${prevId}'s hash (an entry was replaced)`);
        }
        if (entryHash(row) !== row.entry_hash) report(`entry ${id}: content changed (its fields do not match its hash)`);
        prevId = id;
        prevHash = row.entry_hash;
      }
      if (batch.length < VERIFY_BATCH) break;
    }
    if (head) {
      const [headIdText, headHash] = head.value.split(':');
      const headId = Number(headIdText);
      if (headId === prevId && headHash !== prevHash) {
        report(`entry ${prevId}: does not match the ledger head (the newest entry was replaced)`);
      } else if (headId > prevId) {
        report(`entr${headId - prevId > 1 ? `ies ${prevId + 1}..${headId} are` : `y ${headId} is`} missing: the ledger ends at entry ${prevId}`);
      }
    } else if (entries > 0) {
      report('the ledger head record is missing from dsar_meta');
    }
    return { ok: problems.length === 0, entries, problems };
  }
}
