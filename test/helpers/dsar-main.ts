// `dsar` run in this process: the CLI's main() on a data map with logging off, what it prints collected.
import { main } from '../../src/cli/main.ts';

export interface DsarRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `dsar --datamap <datamap> --log-level silent <argv...>`, run in this process. */
export async function dsarMain(datamap: string, ...argv: string[]): Promise<DsarRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--datamap', datamap, '--log-level', 'silent', ...argv], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

/** What `--json` printed, parsed; undefined when it is not JSON (a usage error, say). */
export function jsonOf(stdout: string): any {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}
