// An application writing to the tables a sweep is sweeping: on its own connection it inserts young rows into the
// gaps between existing keys and updates young rows, some in batch transactions that end with two neighbouring rows
// in descending key order (the opposite of the sweep's ascending keyset, a classic deadlock partner). It records what it committed, so a test
// can compare the young rows with it, and how long each statement waited.
import mysql from 'mysql2/promise';
import pg from 'pg';

export type Engine = 'postgres' | 'mysql';

/** A row as the writer last committed it. */
export interface YoungRow {
  email: string;
  note: string;
}

export interface WriterReport {
  statements: number;
  /** Latency of every statement, ms. */
  maxMs: number;
  /** Writer transactions the database broke off (deadlock victim, lock wait timeout); rolled back, not recorded. */
  aborted: number;
  inserts: number;
  updates: number;
}

interface Connection {
  query(text: string, params: unknown[]): Promise<void>;
  close(): Promise<void>;
}

async function connect(engine: Engine, url: string): Promise<Connection> {
  if (engine === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return {
      query: async (text, params) => void (await c.query(text.replace(/\?/g, ((n) => () => `$${++n}`)(0)), params)),
      close: () => c.end(),
    };
  }
  const c = await mysql.createConnection({ uri: url });
  return { query: async (text, params) => void (await c.query(text, params)), close: () => c.end() };
}

/** Deadlock, serialization failure, lock wait timeout: what a database says to break a lock conflict. */
export function isLockConflict(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return e.code === '40P01' || e.code === '40001' || e.code === '55P03' || e.errno === 1213 || e.errno === 1205;
}

export interface WriterOptions {
  engine: Engine;
  url: string;
  tables: string[];
  /** Young rows at start, per table: id -> row. The writer updates them and adds its own. */
  young: Map<string, Map<number, YoungRow>>;
  /** Which of the young rows and gaps this writer owns (writers never touch each other's rows). */
  owns: (id: number) => boolean;
  /** Ids for new rows: odd numbers inside the existing (even) key range. */
  nextInsertId: () => number;
  /** created_at of new rows: young at the sweep's as-of. */
  youngAt: string;
  seed: number;
  /** Pause inside a two-row transaction, between its updates. */
  thinkMs?: number;
  /** Where the sweep is now (a table and the ids of its next batch): most writes go there, to meet its locks. */
  hotSpot?: () => { table: string; from: number; to: number } | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs until `stop` resolves; returns what it measured. The `young` maps are updated with every commit. */
export async function runYoungWriter(o: WriterOptions, stop: Promise<unknown>): Promise<WriterReport> {
  const c = await connect(o.engine, o.url);
  const report: WriterReport = { statements: 0, maxMs: 0, aborted: 0, inserts: 0, updates: 0 };
  let stopped = false;
  void stop.then(() => (stopped = true));
  let state = o.seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31), state / 2 ** 31);
  const timed = async (text: string, params: unknown[] = []) => {
    const t0 = performance.now();
    try {
      await c.query(text, params);
    } finally {
      report.statements++;
      report.maxMs = Math.max(report.maxMs, performance.now() - t0);
    }
  };
  /** One statement on its own; false when the database broke it off to resolve a lock conflict. */
  const autocommit = async (statement: () => Promise<void>): Promise<boolean> => {
    try {
      await statement();
      return true;
    } catch (err) {
      if (!isLockConflict(err)) throw err;
      report.aborted++;
      return false;
    }
  };
  let n = 0;
  try {
    while (!stopped) {
      n++;
      const hot = random() < 0.8 ? o.hotSpot?.() : undefined;
      const table = hot?.table ?? o.tables[Math.floor(random() * o.tables.length)];
      const rows = o.young.get(table)!;
      const owned = [...rows.keys()].filter(o.owns);
      const near = hot ? owned.filter((id) => id > hot.from && id <= hot.to) : [];
      const mine = near.length >= 2 ? near : owned;
      const choice = random();
      if (choice < 0.3) {
        const id = o.nextInsertId();
        const row = { email: `new${id}-${n}@example.org`, note: `inserted ${n}` };
        if (await autocommit(() => timed(`insert into ${table} (id, email, note, created_at) values (?, ?, ?, ?)`, [id, row.email, row.note, o.youngAt]))) {
          rows.set(id, row);
          report.inserts++;
        }
      } else if (choice < 0.65 || mine.length < 2) {
        const id = mine[Math.floor(random() * mine.length)];
        const row = { email: `young${id}-${n}@example.org`, note: `updated ${n}` };
        if (await autocommit(() => timed(`update ${table} set email = ?, note = ? where id = ?`, [row.email, row.note, id]))) {
          rows.set(id, row);
          report.updates++;
        }
      } else {
        // A batch job's transaction: first a few dozen of its young rows elsewhere (which makes it the heavier side
        // of a deadlock, so the database breaks off the other side), then two neighbouring rows, the higher key
        // first: near the sweep, the first two of its next batch.
        const sorted = mine.sort((x, y) => x - y);
        const i = near.length >= 2 ? 0 : Math.floor(random() * (sorted.length - 1));
        const [a, b] = [sorted[i + 1], sorted[i]];
        const elsewhere = owned.filter((id) => id !== a && id !== b).slice(0, 30);
        const bulk = { note: `bulk ${n}` };
        const ra = { email: `pair${a}-${n}@example.org`, note: `pair ${n}` };
        const rb = { email: `pair${b}-${n}@example.org`, note: `pair ${n}` };
        try {
          await timed('begin');
          await timed(`update ${table} set note = ? where id in (${elsewhere.map(() => '?').join(', ')})`, [bulk.note, ...elsewhere]);
          await timed(`update ${table} set email = ?, note = ? where id = ?`, [ra.email, ra.note, a]);
          await sleep(o.thinkMs ?? 0); // the application works while it holds the row's lock
          await timed(`update ${table} set email = ?, note = ? where id = ?`, [rb.email, rb.note, b]);
          await timed('commit');
          for (const id of elsewhere) rows.set(id, { ...rows.get(id)!, ...bulk });
          rows.set(a, ra);
          rows.set(b, rb);
          report.updates += 2 + elsewhere.length;
        } catch (err) {
          await c.query('rollback', []).catch(() => undefined);
          if (!isLockConflict(err)) throw err;
          report.aborted++;
        }
      }
    }
  } finally {
    await c.close();
  }
  return report;
}
