// A statement the database broke off to resolve a lock conflict with another connection (a deadlock, a
// serialization failure, a lock wait timeout) did nothing and may simply be run again: the application's own
// transactions keep going beside a sweep, and the database picks whichever side is cheaper to roll back.

/** PostgreSQL SQLSTATEs and MySQL/MariaDB error numbers of a lock conflict. */
const SQLSTATES = new Set(['40P01', '40001', '55P03']);
const MYSQL_ERRNOS = new Set([1213, 1205]);

export function isLockConflict(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, errno } = e as { code?: unknown; errno?: unknown };
    if ((typeof code === 'string' && SQLSTATES.has(code)) || (typeof errno === 'number' && MYSQL_ERRNOS.has(errno))) return true;
  }
  return false;
}

export interface LockRetry {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt, doubled for each further one (plus jitter). */
  backoffMs: number;
  onRetry?: (attempt: number, err: unknown) => void;
}

/**
 * Beside busy writers a batch can be broken off several times in a row (MariaDB's gap locks on a DELETE's key range
 * meet the writers' inserts): four attempts within ~0.2 s gave up now and then on a loaded machine; eight wait up to
 * ~3 s in all (no lock is held while waiting) before the sweep reports the table failed.
 */
export const DEFAULT_LOCK_RETRY: LockRetry = { attempts: 8, backoffMs: 25 };

/** Runs `work`; when the database breaks it off over a lock conflict, runs it again, a bounded number of times. */
export async function retryOnLockConflict<T>(work: () => Promise<T>, o: LockRetry = DEFAULT_LOCK_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= o.attempts || !isLockConflict(err)) throw err;
      o.onRetry?.(attempt, err);
      const wait = o.backoffMs * 2 ** (attempt - 1);
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    }
  }
}
