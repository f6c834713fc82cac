// What long work reports as it goes: rows done per table. The CLI draws it (cli/progress.ts); ops only count.
export interface TableProgress {
  /** `rows` more are done. */
  advance(rows: number): void;
  /** The table is finished: the bar stays as the last line printed for it. */
  done(): void;
}

export interface Progress {
  /** A bar for one table; `estimate` is how many rows it will go through (grown when passed). */
  table(name: string, estimate: number): TableProgress;
}

const SILENT: TableProgress = { advance: () => {}, done: () => {} };

/** Progress nobody watches. */
export const NO_PROGRESS: Progress = { table: () => SILENT };
