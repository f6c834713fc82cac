// One writer of a files system at a time, across processes and machines: erase and sweep rewrite a whole file
// from the version they opened, so the later rename would discard the other's changes (erased rows came back).
// Held in the state store (state/StateBackend.hold); a second writer waits, then refuses with exit 1.
import { RefusedError } from '../errors.ts';
import type { StateStore } from '../state/store.ts';

/** How long a second writer waits for the first: longer than a sweep's batch, shorter than a cron interval. */
export const FILE_LOCK_WAIT_MS = 10_000;
const POLL_MS = 200;

export interface FilesLock {
  release(): Promise<void>;
}

/** Holds every named files system, in name order (two writers never wait on each other crosswise). */
export async function holdFilesSystems(store: StateStore, systems: Iterable<string>, waitMs = FILE_LOCK_WAIT_MS): Promise<FilesLock> {
  const held: FilesLock[] = [];
  try {
    for (const system of [...new Set(systems)].sort()) held.push(await holdOne(store, system, waitMs));
  } catch (err) {
    for (const h of held.reverse()) await h.release();
    throw err;
  }
  return {
    async release() {
      for (const h of held.reverse()) await h.release();
    },
  };
}

async function holdOne(store: StateStore, system: string, waitMs: number): Promise<FilesLock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const h = await store.hold(`files:${system}`);
    if (!h.held) return h;
    if (Date.now() >= deadline) {
      throw new RefusedError(`files system ${system}: another dsar process has been rewriting these files for ${Math.round(waitMs / 1000)} s; nothing was written to them. Run again once it has ended`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
