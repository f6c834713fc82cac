// Timing and memory helpers shared by the benchmarks.
export interface Timed<T> {
  value: T;
  ms: number;
}

export async function timed<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

export function ratioLine(label: string, rawRowsPerS: number, toolRowsPerS: number, goal: number): string {
  const ratio = toolRowsPerS / rawRowsPerS;
  return `${label.padEnd(34)} raw ${fmt(rawRowsPerS)} rows/s   dsar ${fmt(toolRowsPerS)} rows/s   ratio ${ratio.toFixed(2)}x (goal >= ${goal}x) ${ratio >= goal ? 'OK' : 'BELOW GOAL'}`;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Peak RSS in MB of this process (Linux: VmHWM). */
export async function peakRssMb(): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 1048576;
}

/** The middle value (the upper one of an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
