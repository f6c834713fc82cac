// Reads the embedded state store (`<dir>/.dsar/state.db`) from outside, read-only, while a dsar process writes it:
// how far a run has got, so that a test can kill it at a chosen checkpoint.
import path from 'node:path';
import Database from 'better-sqlite3';

function query<T>(dir: string, sqlText: string, ...params: unknown[]): T | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(path.join(dir, '.dsar', 'state.db'), { readonly: true, fileMustExist: true });
    return db.prepare(sqlText).get(...params) as T;
  } catch {
    return undefined; // not created yet, or busy for a moment: ask again on the next poll
  } finally {
    db?.close();
  }
}

/** Steps of a run marked done (`dsar_run_steps`), `plan:*` included, or those whose id is LIKE `like`; -1 before the state store exists. */
export function doneSteps(dir: string, runKey: string, like = '%'): number {
  return query<{ n: number }>(dir, 'SELECT count(*) AS n FROM dsar_run_steps WHERE run_key = ? AND step_id LIKE ?', runKey, like)?.n ?? -1;
}

/** Checkpoints saved whose run key starts with `prefix` plus steps marked done under it: how far a sweep has got. */
export function progressMarks(dir: string, prefix: string): number {
  const row = query<{ n: number }>(
    dir,
    `SELECT (SELECT count(*) FROM dsar_checkpoints WHERE run_key LIKE ? || '%') + (SELECT count(*) FROM dsar_run_steps WHERE run_key LIKE ? || '%') AS n`,
    prefix,
    prefix,
  );
  return row?.n ?? -1;
}

/** Every saved checkpoint's (run key, step): changes whenever a sweep saves its position. */
export function checkpointText(dir: string): string {
  const row = query<{ t: string | null }>(dir, `SELECT group_concat(run_key || '=' || step || '@' || saved_at, ';') AS t FROM dsar_checkpoints`);
  return row?.t ?? '';
}
