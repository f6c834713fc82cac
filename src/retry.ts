// Runs work again when it fails in a way the caller says is worth another try, a bounded number of times, waiting
// longer each time (doubled, with jitter, so that two retriers do not meet again at once).

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt, doubled for each further one (plus up to as much again at random). */
  backoffMs: number;
  /** Whether this failure may go away on its own (a lock conflict, a busy file). */
  retryable: (err: unknown) => boolean;
  onRetry?: (attempt: number, err: unknown) => void;
}

export async function retry<T>(work: () => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= o.attempts || !o.retryable(err)) throw err;
      o.onRetry?.(attempt, err);
      const wait = o.backoffMs * 2 ** (attempt - 1);
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    }
  }
}
