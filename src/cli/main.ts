// CLI entry: global options, the commands, and the one place typed errors become exit codes.
import yargs, { type Argv } from 'yargs';
import { DataMapError, UsageError, exitCodeFor, isExpected, oneLine, redactUrls } from '../errors.ts';
import { LOG_LEVELS, type LogLevel } from '../log-levels.ts';
import { createOutput } from './output.ts';
import { toolVersion } from '../package-root.ts';
import type { CliContext, Command, GlobalArgs } from './command.ts';
import { COMMANDS } from './commands/index.ts';

/** Runs the CLI; returns the exit code. `io` lets tests capture output. */
export async function main(argv: string[], io: { stdout?: (s: string) => void; stderr?: (s: string) => void } = {}): Promise<number> {
  const stderr = io.stderr ?? ((s: string) => process.stderr.write(s));
  const json = argv.includes('--json');
  const out = createOutput(json, io.stdout);
  let exitCode = 0;
  let failure: unknown;

  const register = (y: Argv, cmd: Command<any>): Argv => {
    let repeatable: ReadonlySet<string> = new Set();
    return y.command(
      cmd.command,
      cmd.describe,
      (sub) => {
        let b = cmd.builder ? cmd.builder(sub) : sub;
        repeatable = new Set((b as unknown as { getOptions(): { array: string[] } }).getOptions().array);
        for (const s of cmd.subcommands ?? []) b = register(b, s);
        if (cmd.subcommands?.length && !cmd.run) b = b.demandCommand(1, `${cmd.command}: choose a sub-command`);
        return b;
      },
      async (args) => {
        if (!cmd.run) return;
        refuseRepeated(args, repeatable);
        const g = args as unknown as GlobalArgs;
        // pino loads only when a command runs: --version and --help start without it.
        const { createLogger } = await import('../log.ts');
        const ctx: CliContext = { args: g, out, log: createLogger(g.logLevel), tty: Boolean(process.stderr.isTTY) };
        exitCode = await cmd.run(args as any, ctx);
      },
    );
  };

  try {
    let y: Argv = yargs()
      .scriptName('dsar')
      .usage('$0 [--datamap datamap.yaml] [--json] [--log-level info] <command>')
      .option('datamap', { type: 'string', default: process.env.DSAR_DATAMAP ?? 'datamap.yaml', describe: 'the data map file', global: true })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout', global: true })
      .option('log-level', { choices: LOG_LEVELS as unknown as LogLevel[], default: 'info' as LogLevel, describe: 'pino level of the stderr logs', global: true })
      .strict()
      .demandCommand(1, 'choose a command (dsar --help lists them)')
      .recommendCommands()
      .help()
      .alias('h', 'help')
      .version(toolVersion())
      .wrap(Math.min(120, process.stdout.columns ?? 100))
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg.replace(/\s*\n\s*/g, ' ')); // yargs writes some messages over two lines
      }) as unknown as Argv;
    for (const cmd of COMMANDS) y = register(y, cmd);
    // With a callback yargs hands over --help/--version text instead of printing it, so it goes through `out`.
    await y.parseAsync(argv, {}, (_err, _args, output) => {
      if (output) (io.stdout ?? ((t: string) => process.stdout.write(t)))(output.endsWith('\n') ? output : output + '\n');
    });
  } catch (err) {
    failure = err;
  }
  if (failure === undefined) return exitCode;
  return report(failure, out.json, io.stdout ?? ((s) => process.stdout.write(s)), stderr);
}

/** An option given twice arrives as a list, which only options declared repeatable (`array`) expect. */
function refuseRepeated(args: Record<string, unknown>, repeatable: ReadonlySet<string>): void {
  for (const [name, value] of Object.entries(args)) {
    if (name === '_' || !Array.isArray(value) || repeatable.has(name)) continue;
    throw new UsageError(`--${name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} was given more than once; give it once`);
  }
}

function report(err: unknown, json: boolean, stdout: (s: string) => void, stderr: (s: string) => void): number {
  const code = exitCodeFor(err);
  const message = err instanceof Error ? err.message : String(err);
  if (isExpected(err)) {
    const lines = err instanceof DataMapError ? err.issues.length : 1;
    // One line per error whatever the input echoed in it (a newline in an argument must not forge a second line).
    stderr(`dsar: ${err instanceof DataMapError ? message : oneLine(message)}\n`);
    if (err instanceof DataMapError) stderr(`dsar: ${lines} problem${lines === 1 ? '' : 's'} in the data map; nothing was touched\n`);
  } else {
    // A bug: keep the stack, but never a URL password.
    stderr(`dsar: internal error: ${redactUrls(err instanceof Error ? (err.stack ?? message) : message)}\n`);
  }
  if (json) {
    const doc: Record<string, unknown> = { ok: false, exitCode: code, error: { type: err instanceof Error ? err.name : 'Error', message: redactUrls(message) } };
    if (err instanceof DataMapError) doc.issues = err.issues;
    stdout(JSON.stringify(doc, null, 2) + '\n');
  }
  return code;
}
