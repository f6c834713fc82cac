// Job schedules: five (or six, with seconds) cron fields, checked by node-cron, the scheduler that runs them.
import { validateDetailed } from 'node-cron';

/** Why `expression` is not a valid cron schedule, or undefined when it is. */
export function cronProblem(expression: string): string | undefined {
  const result = validateDetailed(expression);
  if (result.valid) return undefined;
  const first = result.errors?.[0];
  return first ? first.message : 'not a cron expression';
}
