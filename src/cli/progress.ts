// Progress of long work: one cli-progress bar per table on stderr, only when stderr is a terminal (never in
// logs, pipes or --json runs). Rows done against an estimate, the rate and the time left.
import cliProgress from 'cli-progress';
import { NO_PROGRESS, type Progress } from '../ops/progress.ts';

/** Bars on `stream` when `enabled` (stderr is a TTY); otherwise nothing at all. */
export function createProgress(enabled: boolean, stream: NodeJS.WritableStream = process.stderr): Progress {
  if (!enabled) return NO_PROGRESS;
  return {
    table(name, estimate) {
      const started = Date.now();
      let done = 0;
      let total = Math.max(1, Math.round(estimate));
      const bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${name} [{bar}] {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`,
          hideCursor: null,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { rate: 0 });
      return {
        advance(rows) {
          done += rows;
          if (done > total) bar.setTotal((total = done));
          const seconds = (Date.now() - started) / 1000;
          bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds) : 0 });
        },
        done() {
          bar.setTotal(done || 1);
          bar.update(done);
          bar.stop();
        },
      };
    },
  };
}

/** A running count on stderr (`format` shows it as {value}), for work whose total is not known: callers enable it on a TTY only. */
export function countBar(format: string, stream: NodeJS.WritableStream = process.stderr): { tick: () => void; stop: () => void } {
  const bar = new cliProgress.SingleBar({ format, stream, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  bar.start(0, 0);
  let done = 0;
  return { tick: () => bar.update(++done), stop: () => bar.stop() };
}
