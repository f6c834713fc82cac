// Run checkpoints, so a killed erase or sweep resumes where it stopped. A run is named by a key such as
// `erase:<ticket>` or `sweep:<system>.<table>`. Two kinds of progress:
//  - the checkpoint: the latest position of a run (e.g. a sweep's last keyset value), overwritten by each save;
//  - done steps: the set of steps already completed (e.g. an erasure's tables), which a resumed run skips.
import type { Kysely } from 'kysely';
import type { StateBackend } from './backend.ts';
import { canonicalJson } from './canonical-json.ts';
import type { StateDatabase } from './schema.ts';

export interface Checkpoint<T = unknown> {
  step: string;
  data: T;
  savedAt: string;
}

export class Checkpoints {
  constructor(private readonly backend: StateBackend) {}

  /**
   * Overwrites the run's checkpoint; one single-row statement, so it is committed or not at all. `relaxed`: for a
   * run whose steps are idempotent, the save does not wait for the disk (see StateBackend.relaxed).
   */
  async save(runKey: string, step: string, data: unknown, opts: { now?: Date; relaxed?: boolean } = {}): Promise<void> {
    const row = { step, data: canonicalJson(data), saved_at: (opts.now ?? new Date()).toISOString() };
    const write = (db: Kysely<StateDatabase>) =>
      db
        .insertInto('dsar_checkpoints')
        .values({ run_key: runKey, ...row })
        .onConflict((oc) => oc.column('run_key').doUpdateSet(row))
        .execute();
    await (opts.relaxed ? this.backend.relaxed(write) : write(this.backend.db));
  }

  async load<T = unknown>(runKey: string): Promise<Checkpoint<T> | undefined> {
    const row = await this.backend.db.selectFrom('dsar_checkpoints').selectAll().where('run_key', '=', runKey).executeTakeFirst();
    return row && { step: row.step, data: JSON.parse(row.data) as T, savedAt: row.saved_at };
  }

  /** Records a completed step; marking it again keeps the first record (a resumed run may repeat the mark). */
  async markDone(runKey: string, stepId: string, detail: unknown = {}, now = new Date()): Promise<void> {
    await this.backend.db
      .insertInto('dsar_run_steps')
      .values({ run_key: runKey, step_id: stepId, detail: canonicalJson(detail), done_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['run_key', 'step_id']).doNothing())
      .execute();
  }

  /** Completed steps of the run, with the detail each was marked with, in the order they completed. */
  async doneSteps<T = unknown>(runKey: string): Promise<Map<string, T>> {
    const rows = await this.backend.db
      .selectFrom('dsar_run_steps')
      .select(['step_id', 'detail'])
      .where('run_key', '=', runKey)
      .orderBy('done_at')
      .orderBy('step_id')
      .execute();
    return new Map(rows.map((r) => [r.step_id, JSON.parse(r.detail) as T]));
  }

  /** Forgets the run: its checkpoint and its done steps, together. */
  async clear(runKey: string): Promise<void> {
    await this.backend.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('dsar_checkpoints').where('run_key', '=', runKey).execute();
      await trx.deleteFrom('dsar_run_steps').where('run_key', '=', runKey).execute();
    });
  }
}
