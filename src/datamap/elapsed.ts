// Spans of wall-clock time for operators' limits (`max_lag: 5s`, `--max-runtime 2h`, `--pause-ms`): unlike retention
// periods (duration.ts), no calendar, and fractions and milliseconds are allowed.
const ELAPSED = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Milliseconds, or undefined when `text` is not `<number><ms|s|m|h>` greater than zero. */
export function parseElapsedMs(text: string): number | undefined {
  const m = ELAPSED.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** `90000` -> `1m30s`, for messages. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000 && ms % 1000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', rest || (!h && !m) ? `${rest}s` : ''].join('');
}
