// pino JSON logs on stderr. Subjects are logged by their keyed hash only; these redact paths are a second net.
import pino, { type Logger } from 'pino';

export type { Logger };

import type { LogLevel } from './log-levels.ts';
export { LOG_LEVELS, type LogLevel } from './log-levels.ts';

export function createLogger(level: LogLevel = 'info'): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: {
        paths: ['identity', 'email', 'value', 'values', 'url', 'password', 'hmacKey', '*.identity', '*.email', '*.value', '*.url', '*.password'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that writes nothing (library use, tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
