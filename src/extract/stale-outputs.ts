// A refused extract must not leave last run's files looking like this run's answer: they are moved aside, each
// to `<file>.stale`, and named in the result. Nothing is deleted: the earlier release may still be needed.
import { existsSync, renameSync } from 'node:fs';

export interface MovedAside {
  from: string;
  to: string;
}

/** The extract's data file and its risk reports, as a run writes them. */
export function outputPaths(target: string): string[] {
  return [target, `${target}.risk.json`, `${target}.risk.html`];
}

export function moveAsideStale(paths: readonly string[]): MovedAside[] {
  const moved: MovedAside[] = [];
  for (const from of paths) {
    if (!existsSync(from)) continue;
    const to = `${from}.stale`;
    renameSync(from, to); // replaces an older .stale: only the newest earlier release is kept aside
    moved.push({ from, to });
  }
  return moved;
}
