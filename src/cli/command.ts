// The shape of one CLI command: one file per command under src/cli/commands/, found by main.ts.
import type { Argv } from 'yargs';
import type { Logger } from '../log.ts';
import type { Output } from './output.ts';
import type { LogLevel } from '../log.ts';

export interface GlobalArgs {
  datamap: string;
  json: boolean;
  logLevel: LogLevel;
}

export interface CliContext {
  args: GlobalArgs;
  out: Output;
  log: Logger;
  /** Whether stderr is a terminal (progress bars only then). */
  tty: boolean;
}

export interface Command<A = Record<string, unknown>> {
  /** yargs command string, e.g. `export <identity>`; nested commands (`datamap validate`) use `subcommands`. */
  command: string;
  describe: string;
  builder?: (y: Argv) => Argv<any>;
  /** Sub-commands (e.g. `datamap validate`, `hold add`). */
  subcommands?: Command<any>[];
  /** Returns the exit code (0 done, 1 done with findings/failures). Throws typed errors for the rest. */
  run?: (args: A & GlobalArgs, ctx: CliContext) => Promise<number>;
}

export function defineCommand<A = Record<string, unknown>>(c: Command<A>): Command<A> {
  return c;
}
