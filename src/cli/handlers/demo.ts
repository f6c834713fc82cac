// `dsar demo`: generates SQLite and CSV systems with faker, then runs every capability on them and tells the story.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateDemoData } from '../../demo/generate.ts';
import { packageRoot } from '../../package-root.ts';
import type { CliContext, GlobalArgs } from '../command.ts';


export interface DemoArgs extends GlobalArgs {
  dir: string;
  users: number;
}

interface Step {
  title: string;
  argv: string[];
  /** Exit codes that are part of the story (scan finds things on purpose; a held subject is refused). */
  expect: number[];
  tell: (doc: any) => string;
}

export async function demoCommand(args: DemoArgs, ctx: CliContext): Promise<number> {
  const { main } = await import('../main.ts');
  const dir = path.resolve(args.dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const started = Date.now();
  const data = generateDemoData(dir, args.users);
  // The example map names its files under .dsar-demo/; here they sit beside the map.
  const mapText = readFileSync(path.join(packageRoot(), 'datamap.yaml'), 'utf8').replaceAll('.dsar-demo/', '');
  const mapPath = path.join(dir, 'datamap.yaml');
  writeFileSync(mapPath, mapText);

  // The demo is self-contained: its own state store and a throwaway key (never use this key for real data).
  process.env.DSAR_HMAC_KEY ||= 'dsar-demo-key-not-for-production-use';
  delete process.env.DSAR_STATE_URL;
  process.env.DSAR_STATE_DIR = dir;

  const s = data.subjects;
  const steps: Step[] = [
    {
      title: 'Draft a data map from the live systems',
      argv: ['datamap', 'init', '--out', path.join(dir, 'datamap.init.yaml')],
      expect: [0],
      tell: (d) => tellInit(d),
    },
    { title: 'Validate the data map', argv: ['datamap', 'validate', '--live'], expect: [0], tell: (d) => `${d.tables} tables in ${d.systems} systems match the live schemas` },
    {
      title: `Access request for ${s.exportEmail}`,
      argv: ['export', s.exportEmail, '--ticket', 'DEMO-ACCESS-1', '--out', path.join(dir, 'packages')],
      expect: [0],
      tell: (d) => `${sumRows(d)} rows from ${Object.keys(d.tables ?? d.rowCounts ?? {}).length || '?'} tables; package: ${d.path ?? d.out ?? path.join(dir, 'packages', 'DEMO-ACCESS-1')}`,
    },
    { title: `Legal hold on ${s.heldEmail}`, argv: ['hold', 'add', s.heldEmail, '--reason', 'litigation 2026-114'], expect: [0], tell: () => 'the subject is now skipped by erase and sweep' },
    { title: `Erasure of ${s.eraseEmail} (shares a home with ${s.sharedWith})`, argv: ['erase', s.eraseEmail, '--ticket', 'DEMO-ERASE-1'], expect: [0], tell: (d) => tellErase(d) },
    { title: `Erasure of the held subject ${s.heldEmail}`, argv: ['erase', s.heldEmail, '--ticket', 'DEMO-ERASE-2'], expect: [1], tell: () => 'refused: the legal hold wins, nothing was touched' },
    { title: `Erasure of a child (${s.childEmail})`, argv: ['erase', s.childEmail, '--ticket', 'DEMO-ERASE-3'], expect: [0], tell: (d) => tellErase(d) },
    { title: 'Retention sweep', argv: ['sweep'], expect: [0], tell: (d) => tellSweep(d) },
    {
      title: 'Record-level extract (k-anonymous)',
      argv: ['extract', 'signups-by-region', '--out', path.join(dir, 'extracts', 'signups-by-region.csv')],
      expect: [0],
      tell: (d) =>
        `${d.rowsOut} of ${d.rowsIn} rows (${d.rowsSuppressed} suppressed), k=${d.risk?.record?.kAchieved} l=${d.risk?.record?.lAchieved}, levels ${Object.entries(d.levels ?? {}).map(([c, l]) => `${c}:${l}`).join(' ')}; ${path.join(dir, 'extracts', 'signups-by-region.csv')} (+ .risk.html)`,
    },
    {
      title: 'Aggregate extract (small cells suppressed)',
      argv: ['extract', 'users-by-plan-and-region', '--out', path.join(dir, 'extracts', 'users-by-plan-and-region.csv')],
      expect: [0],
      tell: (d) => {
        const a = d.risk?.aggregate ?? {};
        return `${a.cellsPublished} cells published, ${a.cellsSuppressedPrimary + a.cellsSuppressedSecondary} suppressed (smallest published cell: ${a.smallestPublishedCell} subjects); ${path.join(dir, 'extracts', 'users-by-plan-and-region.csv')}`;
      },
    },
    {
      title: 'Differentially private aggregate (a budget across runs)',
      argv: ['extract', 'plans-dp', '--out', path.join(dir, 'extracts', 'plans-dp.csv')],
      expect: [0],
      tell: (d) => {
        const x = d.risk?.dp ?? {};
        return `${d.rowsOut} noisy cells (${x.mechanism}, epsilon ${x.epsilon}, counts ±${x.queries?.[0]?.interval95} at 95%); budget ${x.budget?.group}: epsilon ${x.budget?.left?.epsilon} of 5 left this year; ${path.join(dir, 'extracts', 'plans-dp.csv')}`;
      },
    },
    { title: 'Discovery scan', argv: ['scan', '--sarif', path.join(dir, 'scan.sarif')], expect: [1], tell: (d) => tellScan(d, data.cardLast4) },
    { title: 'Data inventory', argv: ['datamap', 'docs', '--out', path.join(dir, 'docs')], expect: [0], tell: () => `${path.join(dir, 'docs', 'index.html')} and inventory.md` },
    { title: 'Request ledger', argv: ['requests'], expect: [0], tell: (d) => `${(d.requests ?? d).length ?? '?'} requests recorded with their statutory due dates` },
  ];

  const story: Array<{ title: string; exitCode: number; summary: string }> = [];
  ctx.out.line(`dsar demo: ${data.users} fake subjects in ${dir} (SQLite app + billing, a Mailchimp CSV export)\n`);
  let failed = false;
  for (const step of steps) {
    let stdout = '';
    let stderr = '';
    const code = await main(['--datamap', mapPath, '--json', '--log-level', 'error', ...step.argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    let doc: any = {};
    try {
      doc = JSON.parse(stdout);
    } catch {
      /* a command without JSON output */
    }
    const ok = step.expect.includes(code);
    failed ||= !ok;
    const summary = ok ? safeTell(step, doc) : `unexpected exit ${code}: ${firstLine(stderr) || doc?.error?.message || ''}`;
    story.push({ title: step.title, exitCode: code, summary });
    ctx.out.line(`${ok ? '✓' : '✗'} ${step.title}\n    ${summary}`);
  }
  const seconds = (Date.now() - started) / 1000;
  ctx.out.result({ ok: !failed, dir, seconds, datamap: mapPath, steps: story }, (r) =>
    `\nEverything is in ${r.dir} (data map: ${r.datamap}). Done in ${r.seconds.toFixed(1)} s.\nTry: npx dsar --datamap ${r.datamap} export ${s.sharedWith} --ticket T-1 --dry-run`,
  );
  return failed ? 1 : 0;
}

function safeTell(step: Step, doc: any): string {
  try {
    return step.tell(doc);
  } catch {
    return 'done';
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.startsWith('dsar:')) ?? text.split('\n')[0] ?? '';
}

function sumRows(d: any): number | string {
  const counts = d.rowCounts ?? d.manifest?.rowCounts;
  if (counts && typeof counts === 'object') return Object.values(counts as Record<string, number>).reduce((a, b) => a + Number(b), 0);
  return d.rows ?? '?';
}

function tellErase(d: any): string {
  const done: Array<{ action: string; changed: number }> = d.done ?? [];
  const sum = (action: string) => done.filter((s) => s.action === action).reduce((a, s) => a + s.changed, 0);
  const kept = (d.plan?.steps ?? []).filter((s: any) => s.scope === 'identifying fields').length;
  const residue = d.verification?.residue?.length ?? 0;
  return `${sum('delete')} rows deleted, ${sum('anonymize')} anonymized${kept ? ` (${kept} table(s) kept for a legal obligation, identifying fields masked)` : ''}; verification: ${residue ? `${residue} value(s) remain` : 'no value of the subject remains'}`;
}

function tellInit(d: any): string {
  const tables: any[] = d.tables ?? [];
  const people = tables.filter((t) => Object.keys(t.identify ?? {}).length).map((t) => t.table);
  const sum = (k: string) => tables.reduce((a, t) => a + Number(t[k] ?? 0), 0);
  return `${tables.length} tables (people: ${people.join(', ')}), ${sum('links')} links, ${sum('fields')} fields, each guess commented; ${d.file} (compare with the hand-written datamap.yaml)`;
}

function tellSweep(d: any): string {
  const tables: any[] = d.tables ?? [];
  const sum = (k: string) => tables.reduce((a, t) => a + Number(t[k] ?? 0), 0);
  return `${tables.length} tables: ${sum('deleted')} rows deleted, ${sum('anonymized')} anonymized, ${sum('skippedForHolds')} kept for holds`;
}

function tellScan(d: any, last4: string): string {
  const findings: any[] = d.findings ?? [];
  const cards = findings.filter((f) => /card/i.test(f.kind ?? f.type ?? '')).length;
  const undeclared = findings.filter((f) => /undeclared/i.test(f.kind ?? f.type ?? '')).length;
  return `${undeclared} undeclared personal column(s), ${cards} card number(s) (ending ${last4}) — a policy violation to fix`;
}
