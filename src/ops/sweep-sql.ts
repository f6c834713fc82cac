// One SQL table's sweep: keyset batches over the key, each one short statement (or one short transaction).
//
// Per batch, as a hand-written loop would: one query finds the batch's upper key (`max(key)` of the next
// `batchSize` keys, or the key at that offset for a composite key), then one statement changes the rows in
// (last, hi] that have expired and no hold covers:
//   delete                 DELETE ... WHERE range AND expired AND NOT held [AND NOT EXISTS (a referencing row)]
//   anonymize, SQL masks   UPDATE ... SET <masks> WHERE range AND expired AND NOT held AND <some column not masked>
//   anonymize, other masks SELECT the rows, mask them in process, write them back in one statement (updateRows:
//                          unnest of arrays in PostgreSQL, JSON_TABLE in MySQL/MariaDB, UPDATE ... FROM VALUES else)
// The WHERE leaves rows that are at their masked values already, so a second sweep matches nothing: no write, no
// trigger. After the write, the checkpoint (the batch's upper key). Two batches' writes are in flight while the
// next batch's range is found and its rows read and masked (disjoint key ranges, other connections). A kill
// between a batch's commit and its checkpoint redoes that batch, which finds nothing left to do; so does a
// batch the database broke off over a lock conflict with the application (a deadlock): it is retried a few times.
import { sql, type QueryResult, type RawBuilder, type SqlBool } from 'kysely';
import type { KeyedValues, KeyValues, Row, SqlConnector } from '../../connectors/connector.ts';
import { describeError } from '../../connectors/sql-base.ts';
import { SystemError } from '../errors.ts';
import { columnInfo, tableInfo } from '../plan/fk-order.ts';
import type { Follower } from '../plan/sweep-plan.ts';
import { keepHeapInBudget } from '../heap-budget.ts';
import { retry } from '../retry.ts';
import { allSqlExpressible, maskRow } from '../plan/sweep-masks.ts';
import type { RemoteReference } from './sweep-references.ts';
import { referencedElsewhere } from './sweep-references.ts';
import { and, not, SqlTerms, type Condition, type LocalReference } from '../plan/sweep-sql-terms.ts';
import { emptySummary, finishSummary, withCommitted, type TableSummary } from './sweep-summary.ts';
import type { StopReason } from './sweep-brakes.ts';
import { checkpointKey, openLast, sealLast, type SweepCheckpoint, type TableRun } from './sweep-table.ts';

/**
 * A batch broken off by a lock conflict with the application's transactions did nothing: it is run again. Beside
 * busy writers that can happen several times in a row (MariaDB's gap locks on a DELETE's key range meet the writers'
 * inserts): four attempts within ~0.2 s gave up now and then on a loaded machine; eight wait up to ~3 s in all (no
 * lock is held while waiting) before the sweep reports the table failed.
 */
export const LOCK_RETRY = { attempts: 8, backoffMs: 25 };

/** Batches written at once: two keep a 2-core database busy while the next batch is read and masked. */
const WRITES_IN_FLIGHT = 2;

interface References {
  local: LocalReference[];
  remote: RemoteReference[];
  /** A referencing table cannot be checked (its system is down, or it is missing): nothing is deleted. */
  blocked: boolean;
}

interface NextRange {
  /** Upper key of the batch; undefined: the batch runs to the end of the table. */
  hi?: KeyValues;
  /** Rows in the batch (-1 when unknown). */
  rows: number;
  final: boolean;
}

interface BatchResult {
  deleted: number;
  anonymized: number;
  /** Follower table -> its rows deleted with the batch's rows. */
  followers?: Record<string, number>;
  /** Reference -> rows anonymized instead of deleted because it still points at them. */
  keptBy?: Record<string, number>;
}

export async function sweepSqlTable(run: TableRun, c: SqlConnector): Promise<TableSummary> {
  const started = performance.now();
  const { plan } = run;
  const summary = emptySummary(plan);
  const terms = new SqlTerms(c, run.info, plan, run.heldKeys, run.masks, run.share);
  const statements = new Statements(run, c);

  const refs = references(run);
  // A plain delete counts its expired rows as it deletes them (every live expired row goes): no counting scan first.
  const countsAsItGoes = plan.action === 'delete' && !refs.local.length && !refs.remote.length && !refs.blocked && !plan.followers.length;
  const counts = await statements.counts(terms, !countsAsItGoes);
  summary.expired = counts.expired ?? counts.held;
  summary.skippedHolds = counts.held;
  summary.nullDates = counts.nulls;

  const runKey = run.share?.checkpointKey ?? checkpointKey(plan);
  let last: KeyValues | undefined = run.share?.after;
  if (!run.dryRun) {
    const saved = await run.checkpoints.load<SweepCheckpoint>(runKey);
    const resumeAfter = saved ? openLast(run, runKey, saved.data) : undefined;
    if (resumeAfter) last = resumeAfter;
    if (resumeAfter) {
      summary.resumed = true;
      run.log.info({ table: plan.id }, 'sweep resumes after the last checkpoint');
    } else if (saved) run.log.warn({ table: plan.id }, 'a checkpoint sealed under another key: the table is swept from its start');
  }

  // Nothing expired beyond what holds keep: no batch to run (a nightly sweep of a table with nothing due is one query).
  if (counts.work) {
    const batch = batchWriter(run, c, terms, statements, refs);
    const bar = run.progress.table(plan.id, run.info.estimatedRows || summary.expired);
    // Up to WRITES_IN_FLIGHT batches are being written (on their own connections, over disjoint key ranges) while
    // the next batch's range is found and its rows read and masked. Checkpoints follow the writes in key order: a
    // batch's checkpoint is saved only once every batch before it has committed, off the path from one write to
    // the next.
    const inFlight: Array<Promise<void>> = [];
    let saving: Promise<void> = Promise.resolve();
    let stoppedBy: StopReason | undefined;
    try {
      for (;;) {
        // A pause between batches means between their writes: the batch before has landed first.
        if (run.brakes?.serialWrites) while (inFlight.length) await inFlight.shift();
        if (run.brakes && !(await run.brakes.beforeBatch(plan.system))) {
          stoppedBy = run.brakes.stopped;
          break;
        }
        const t0 = performance.now();
        const next = await statements.nextRange(terms, last, run.share?.through);
        if (next.rows === 0) break;
        const commit = await batch(terms.range(last, next.hi));
        const preparedMs = performance.now() - t0;
        while (inFlight.length >= WRITES_IN_FLIGHT) await inFlight.shift();
        const hi = next.hi;
        const before = inFlight.at(-1);
        const write = (async () => {
          const t1 = performance.now();
          // An application's transaction may deadlock with the batch; the database then rolls the batch back: redo it.
          const done = await retry(commit, {
            ...LOCK_RETRY,
            retryable: (err) => c.isLockConflict(err),
            onRetry: (attempt) => run.log.warn({ table: plan.id, attempt }, 'sweep batch broken off by a lock conflict; retrying it'),
          });
          const writeMs = performance.now() - t1;
          // Committed: counted whatever happens to the batch before it (the report says what the database did).
          summary.deleted += done.deleted;
          summary.anonymized += done.anonymized;
          addCounts(summary.followersDeleted, done.followers);
          addCounts(summary.anonymizedInstead, done.keptBy);
          if (countsAsItGoes) summary.expired += done.deleted;
          await before; // a failed earlier batch fails this one too: no checkpoint may pass it
          summary.batches++;
          keepHeapInBudget();
          if (!run.dryRun && hi) {
            const checkpoint: SweepCheckpoint = { sealedLast: sealLast(run, runKey, hi), cutoff: plan.cutoff.toISOString() };
            // After a turn of the event loop: the next batch's statement is on the wire before a local state
            // store's synchronous write holds the thread.
            saving = saving.then(() => new Promise((r) => setImmediate(r))).then(() => run.checkpoints.save(runKey, 'batch', checkpoint, { relaxed: true }));
            saving.catch(() => {}); // awaited below
          }
          summary.longestBatchMs = Math.max(summary.longestBatchMs, preparedMs + writeMs);
          bar.advance(Math.max(0, next.rows));
          run.log.debug({ table: plan.id, batch: summary.batches, deleted: done.deleted, anonymized: done.anonymized }, 'sweep batch');
          await run.brakes?.afterBatch(done.deleted + done.anonymized + Object.values(done.followers ?? {}).reduce((a, n) => a + n, 0));
        })();
        write.catch(() => {}); // awaited below; this only keeps it from counting as unhandled meanwhile
        inFlight.push(write);
        if (next.final) break;
        last = hi;
      }
      for (const write of inFlight) await write;
      await saving;
      if (stoppedBy) {
        // Stopped by the brakes: the checkpoint stays for the next run, which resumes after it.
        summary.stopped = stoppedBy;
        summary.rowsLeft = await statements.count(c, terms, and(terms.live(), run.plan.action === 'anonymize' ? terms.notMasked() : undefined));
        return finishSummary(summary, started);
      }
    } catch (err) {
      await Promise.allSettled(inFlight); // let the batches in flight land (and be checkpointed) before reporting
      await saving.catch(() => {});
      throw withCommitted(err, finishSummary(summary, started));
    } finally {
      bar.done();
    }
  }
  if (!run.dryRun) await run.checkpoints.clear(runKey);
  return finishSummary(summary, started);
}

/** Expired rows of a table the sweep did not reach (stopped by its brakes before it): what is left for the next run. */
export async function sqlRowsLeft(run: TableRun, c: SqlConnector): Promise<number> {
  const terms = new SqlTerms(c, run.info, run.plan, run.heldKeys, run.masks, run.share);
  return new Statements(run, c).count(c, terms, and(terms.live(), run.plan.action === 'anonymize' ? terms.notMasked() : undefined));
}

/** Splits the references into the table by where they can be checked. */
function references(run: TableRun): References {
  const refs: References = { local: [], remote: [], blocked: false };
  if (run.plan.action !== 'delete') return refs;
  for (const edge of run.plan.referencedBy) {
    const connector = run.connectors.get(edge.childRef.system);
    const childInfo = tableInfo(run.schemas, edge.childRef.system, edge.childRef.table);
    if (edge.childRef.system === run.plan.system && childInfo && childInfo.kind !== 'file') {
      const child = run.deleting.get(edge.child);
      const childAfter = child && columnInfo(childInfo, child.rule.after);
      refs.local.push({
        edge,
        childTable: childInfo.name,
        ...(run.dryRun && child && childAfter ? { childDeletedFirst: child, childAfterFamily: childAfter.family } : {}),
      });
    } else if (connector && (childInfo || edge.childRef.system !== run.plan.system)) {
      refs.remote.push({ edge, connector });
    } else {
      run.log.warn({ table: run.plan.id, reference: edge.name }, 'a referencing table cannot be checked: expired rows are anonymized, not deleted');
      refs.blocked = true;
    }
  }
  return refs;
}

/**
 * What one batch does to the rows of its range, in two steps: the returned promise reads what the batch needs (it
 * may run while the previous batch's write is in flight), the function it resolves to writes.
 */
type Batch = (range: Condition) => Promise<() => Promise<BatchResult>>;

function addCounts(into: Record<string, number>, counts: Record<string, number> | undefined): void {
  for (const [k, n] of Object.entries(counts ?? {})) if (n) into[k] = (into[k] ?? 0) + n;
}

function batchWriter(run: TableRun, c: SqlConnector, terms: SqlTerms, st: Statements, refs: References): Batch {
  const anonymize = anonymizer(run, terms, st);
  const followers = run.plan.followers;
  const simpleDelete = !refs.local.length && !refs.remote.length && !refs.blocked && !followers.length;
  // The rows `free` selects go, their followers' rows first (children before parents, one transaction).
  const deleteWithFollowers = async (tx: SqlConnector, free: Condition): Promise<Pick<BatchResult, 'deleted' | 'followers'>> => {
    if (!followers.length) return { deleted: await st.delete(tx, terms, free) };
    // The parents are locked first: none may turn young, or gain a reference, between its children's delete and its own.
    const chosen = run.dryRun ? free : await lockedKeys(tx, free);
    if (!chosen) return { deleted: 0, followers: {} };
    const counts: Record<string, number> = {};
    for (const f of followers) counts[f.edge.child] = (counts[f.edge.child] ?? 0) + (await st.deleteFollowers(tx, terms, f, chosen));
    return { deleted: await st.delete(tx, terms, chosen), followers: counts };
  };
  const lockedKeys = async (tx: SqlConnector, free: Condition): Promise<Condition | undefined> => {
    const rows = await st.select(tx, terms, run.plan.key, free, tx.rowLock);
    return rows.length ? and(free, terms.keyIn(rows.map((r) => run.plan.key.map((k) => r[k])))) : undefined;
  };
  // Rows still referenced are masked instead, each counted under the first reference that holds it.
  const maskReferenced = async (mask: (only?: Condition) => Promise<number>, local: readonly LocalReference[], remoteKept?: Condition): Promise<Pick<BatchResult, 'anonymized' | 'keptBy'>> => {
    const keptBy: Record<string, number> = {};
    let anonymized = 0;
    for (const r of local) {
      const n = await mask(terms.referenced([r]));
      if (n) keptBy[`${r.edge.child} (${r.edge.name})`] = (keptBy[`${r.edge.child} (${r.edge.name})`] ?? 0) + n;
      anonymized += n;
    }
    if (remoteKept) {
      const n = await mask(remoteKept);
      if (n) keptBy['another system'] = n;
      anonymized += n;
    }
    return { anonymized, keptBy };
  };
  if (run.plan.action === 'anonymize') {
    return async (range) => {
      const write = await anonymize(c, range);
      return async () => ({ deleted: 0, anonymized: await write() });
    };
  }
  if (simpleDelete) return async (range) => async () => ({ deleted: await st.delete(c, terms, terms.live(range)), anonymized: 0 });
  return async (range) => async () => {
    const live = terms.live(range);
    return st.inTransaction(c, async (tx) => {
      const masked = async (only?: Condition) => (await anonymize(tx, range, only))();
      if (refs.blocked) {
        const anonymized = await masked();
        return { deleted: 0, anonymized, keptBy: anonymized ? { 'a referencing table that cannot be checked': anonymized } : {} };
      }
      const localRef = terms.referenced(refs.local);
      const free = and(live, localRef && not(localRef));
      if (!refs.remote.length) {
        const gone = await deleteWithFollowers(tx, free);
        return { ...gone, ...(await maskReferenced(masked, refs.local)) };
      }
      // References from other systems: read the candidates' keys and referenced columns, ask the other systems.
      const parentColumns = [...new Set(refs.remote.flatMap((r) => r.edge.parentColumns))];
      const rows = await st.select(tx, terms, [...run.plan.key, ...parentColumns], free);
      const referenced = await referencedElsewhere(refs.remote, rows);
      const keyOf = (row: Row) => run.plan.key.map((k) => row[k]);
      const freeKeys = rows.filter((_, i) => !referenced.has(i)).map(keyOf);
      const heldOn = rows.filter((_, i) => referenced.has(i)).map(keyOf);
      const gone = freeKeys.length ? await deleteWithFollowers(tx, and(live, terms.keyIn(freeKeys))) : { deleted: 0 };
      return { ...gone, ...(await maskReferenced(masked, refs.local, heldOn.length ? terms.keyIn(heldOn) : undefined)) };
    });
  };
}

/**
 * Masks the live rows of `range` (those `only` selects, when given): one UPDATE when every mask is SQL; else the
 * rows are read and masked here (the first step) and written back in one statement (the second).
 */
function anonymizer(run: TableRun, terms: SqlTerms, st: Statements): (c: SqlConnector, range: Condition, only?: Condition) => Promise<() => Promise<number>> {
  const masks = run.masks;
  const nothing = async () => 0;
  if (!masks.length) return async () => nothing;
  if (allSqlExpressible(masks)) {
    const notMasked = terms.notMasked();
    const assignments = terms.assignments();
    if (!notMasked || !assignments.length) return async () => nothing; // every mask is `keep`
    return async (c, range, only) => {
      const where = and(terms.live(range), only, notMasked);
      return () => (run.dryRun ? st.count(c, terms, where) : st.update(c, terms, assignments, where));
    };
  }
  const columns = masks.map((m) => m.column);
  const key = run.plan.key;
  return async (c, range, only) => {
    const rows = await st.select(c, terms, [...key, ...columns.filter((col) => !key.includes(col))], and(terms.live(range), only));
    const changes: KeyedValues[] = [];
    for (const row of rows) {
      const values = maskRow(row, masks);
      if (values) changes.push({ key: key.map((k) => row[k]), values });
    }
    if (run.dryRun || !changes.length) return async () => changes.length;
    // Still expired and not held when written (the application may have touched a row since it was read); the key
    // range also keeps the planner on the primary key rather than on every expired row.
    return () => c.updateRows(run.plan.table, key, columns, changes, { where: terms.live(range) });
  };
}

/** The statements of a table's sweep, each run on the connector given (the connection or a batch's transaction). */
class Statements {
  constructor(
    private readonly run: TableRun,
    private readonly c: SqlConnector,
  ) {}

  /**
   * Held-and-expired and NULL-dated rows, expired rows (unless `withExpired` is false) and whether any expired row
   * is not held: one round trip of counts that indexes on `after` (and the key, for holds) can answer.
   */
  async counts(t: SqlTerms, withExpired: boolean): Promise<{ expired?: number; held: number; nulls: number; work: boolean }> {
    const from = t.ref;
    const held = t.held ? sql`(select count(*) from ${from} where ${and(t.expired, t.held)})` : sql`0`;
    const expired = withExpired
      ? sql`(select count(*) from ${from} where ${t.expired})`
      : sql`(select count(*) from (select 1 as ${sql.id('x')} from ${from} where ${t.live()} limit 1) as ${sql.id('dsar_w')})`;
    const [row] = await this.rows(
      this.c,
      sql`select ${expired} as ${sql.id('expired')}, ${held} as ${sql.id('held')}, (select count(*) from ${from} where ${t.nullDate}) as ${sql.id('nulls')}`,
    );
    const counts = { held: Number(row.held), nulls: Number(row.nulls) };
    return withExpired ? { ...counts, expired: Number(row.expired), work: Number(row.expired) > counts.held } : { ...counts, work: Number(row.expired) > 0 };
  }

  /** The next batch's upper key: the same one query a hand-written keyset loop sends (up to `through`, when given). */
  async nextRange(t: SqlTerms, last: KeyValues | undefined, through?: KeyValues): Promise<NextRange> {
    const key = this.run.plan.key;
    const size = this.run.batchSize;
    const where = last || through ? sql`where ${t.range(last, through)}` : sql``;
    const cols = sql.join(key.map((k) => sql.id(k)));
    if (key.length === 1) {
      const k = sql.id(key[0]);
      const [row] = await this.rows(
        this.c,
        sql`select max(${k}) as ${sql.id('hi')}, count(*) as ${sql.id('n')} from (select ${k} from ${t.ref} ${where} order by ${k} limit ${sql.lit(size)}) as ${sql.id('dsar_s')}`,
      );
      const rows = Number(row?.n ?? 0);
      return { hi: rows ? [row.hi] : undefined, rows, final: rows < size };
    }
    // The key at the batch's last place, and whether any row follows it.
    const found = await this.rows(this.c, sql`select ${cols} from ${t.ref} ${where} order by ${cols} limit 2 offset ${sql.lit(size - 1)}`);
    return found.length ? { hi: key.map((k) => found[0][k]), rows: size, final: found.length < 2 } : { hi: undefined, rows: -1, final: true };
  }

  delete(c: SqlConnector, t: SqlTerms, where: Condition): Promise<number> {
    if (this.run.dryRun) return this.count(c, t, where);
    return this.affected(c, sql`delete from ${t.ref} where ${where}`);
  }

  /** Deletes (a dry run: counts) the follower's rows that point at the parent rows `where` selects. */
  async deleteFollowers(c: SqlConnector, t: SqlTerms, f: Follower, where: Condition): Promise<number> {
    const child = c.tableRef(f.childTable);
    const match = f.edge.childColumns.map((cc, i) => sql`${child}.${sql.id(cc)} = ${t.ref}.${sql.id(f.edge.parentColumns[i])}`);
    const theirs = sql<SqlBool>`exists (select 1 from ${t.ref} where ${sql.join(match, sql` and `)} and (${where}))`;
    if (this.run.dryRun) {
      const [row] = await this.rows(c, sql`select count(*) as ${sql.id('n')} from ${child} where ${theirs}`);
      return Number(row.n);
    }
    return this.affected(c, sql`delete from ${child} where ${theirs}`);
  }

  update(c: SqlConnector, t: SqlTerms, assignments: RawBuilder<unknown>[], where: Condition): Promise<number> {
    return this.affected(c, sql`update ${t.ref} set ${sql.join(assignments)} where ${where}`);
  }

  async count(c: SqlConnector, t: SqlTerms, where: Condition): Promise<number> {
    const [row] = await this.rows(c, sql`select count(*) as ${sql.id('n')} from ${t.ref} where ${where}`);
    return Number(row.n);
  }

  select(c: SqlConnector, t: SqlTerms, columns: string[], where: Condition, lock: RawBuilder<unknown> = sql``): Promise<Row[]> {
    const list = sql.join([...new Set(columns)].map((col) => sql.id(col)));
    return this.rows(c, sql`select ${list} from ${t.ref} where ${where} ${lock}`);
  }

  /** A dry run reads only: no transaction to open. */
  inTransaction<T>(c: SqlConnector, fn: (tx: SqlConnector) => Promise<T>): Promise<T> {
    return this.run.dryRun ? fn(c) : c.transaction(fn);
  }

  private async rows(c: SqlConnector, query: RawBuilder<unknown>): Promise<Row[]> {
    return (await this.execute(c, query)).rows as Row[];
  }

  private async affected(c: SqlConnector, query: RawBuilder<unknown>): Promise<number> {
    return Number((await this.execute(c, query)).numAffectedRows ?? 0n);
  }

  /** Runs one statement; a failure names the system and table, never a bound value. */
  private async execute(c: SqlConnector, query: RawBuilder<unknown>): Promise<QueryResult<unknown>> {
    const compiled = query.compile(c.db);
    try {
      return await c.db.executeQuery(compiled);
    } catch (err) {
      throw new SystemError(this.run.plan.system, this.run.plan.table, scrub(describeError(err), compiled.parameters), err);
    }
  }
}

/** A driver message without the statement's bound values (MySQL quotes the offending value in some messages). */
function scrub(message: string, params: readonly unknown[]): string {
  let text = message.replace(/(Duplicate entry )'(?:[^'\\]|\\.)*'/g, "$1'***'");
  const secrets = params.filter((p): p is string => typeof p === 'string' && p.length >= 3).sort((a, b) => b.length - a.length);
  for (const s of secrets) text = text.split(s).join('***');
  return text;
}
