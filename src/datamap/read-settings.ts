// Reading the sections every command needs: version, timezone, identities, state, secrets, systems, retention, jobs.
import path from 'node:path';
import { parseBasis } from './basis.ts';
import { cronProblem } from './cron.ts';
import { parseDuration } from './duration.ts';
import { parseElapsedMs } from './elapsed.ts';
import { NORMALIZERS } from './normalize.ts';
import { type Entries, type Value, unknownMessage } from './reader.ts';
import { makeSecret, secretProblem } from './secret.ts';
import type { FileFormat, IdentityType, JobDef, Normalizer, ReplicaSource, RetentionRule, Secret, SystemDef, SystemKind } from './types.ts';
import { parseWindow } from './window.ts';

export const SYSTEM_KINDS: readonly SystemKind[] = ['postgres', 'mysql', 'sqlite', 'files'];
export const FILE_FORMATS: readonly FileFormat[] = ['csv', 'json', 'ndjson'];
/** Commands a job may run (`schedule` and `demo` cannot). */
export const JOB_COMMANDS = ['sweep', 'extract', 'export', 'erase', 'scan', 'datamap', 'hold', 'optout', 'requests'] as const;

const SYSTEM_NAME = /^[A-Za-z0-9_-]+$/;

export function readVersion(root: Entries): number {
  const v = root.require('version', 'version: 1');
  if (!v) return 1;
  if (Number(v.scalar) !== 1) v.problem(`unsupported version ${v.describe()}; this dsar reads version 1`);
  return 1;
}

export function readTimezone(v: Value | undefined): string {
  if (!v || v.isNull) return 'UTC';
  const tz = v.text('an IANA time zone such as Europe/Berlin');
  if (tz === undefined || tz === 'UTC') return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    v.problem(`unknown time zone \`${tz}\`; expected an IANA name such as UTC or Europe/Berlin`);
    return 'UTC';
  }
}

/** Without `identities:`, subjects are found by email (SPEC: an identity is an email by default). */
export function readIdentities(v: Value | undefined, file: string): Record<string, IdentityType> {
  if (!v) return { email: { name: 'email', normalize: 'lowercase-trim', loc: { file, line: 1, column: 1, path: 'identities' } } };
  const out: Record<string, IdentityType> = {};
  for (const { name, keyLoc, value } of v.entries('identity types') ?? []) {
    let normalize: Normalizer | undefined = 'none';
    if (value.isScalar) normalize = value.oneOf(NORMALIZERS, 'normalizer');
    else if (!value.isNull) normalize = value.entries('an identity type', ['normalize'])?.get('normalize')?.oneOf(NORMALIZERS, 'normalizer');
    out[name] = { name, normalize: normalize ?? 'none', loc: keyLoc };
  }
  return out;
}

export function readSecret(v: Value): Secret | undefined {
  const ref = v.text('`env:NAME` or a value');
  if (ref === undefined) return undefined;
  const problem = secretProblem(ref);
  if (problem) return void v.problem(problem);
  return makeSecret(ref, v.loc);
}

export function readState(v: Value | undefined): { url?: Secret } {
  const url = v?.isNull ? undefined : v?.entries('the state store', ['url'])?.get('url');
  return url && !url.isNull ? { url: readSecret(url) } : {};
}

export function readSecrets(v: Value | undefined): { hmacKey?: Secret } {
  const key = v?.isNull ? undefined : v?.entries('secrets', ['hmac_key'])?.get('hmac_key');
  return key && !key.isNull ? { hmacKey: readSecret(key) } : {};
}

/** Which keys each kind takes: a key that does not apply is reported rather than silently ignored. */
const KIND_KEYS: Record<SystemKind, string[]> = {
  postgres: ['url', 'replicas', 'max_lag'],
  mysql: ['url', 'replicas', 'max_lag'],
  sqlite: ['path'],
  files: ['path', 'format'],
};

export function readSystems(v: Value | undefined, dir: string): Record<string, SystemDef> {
  const out: Record<string, SystemDef> = {};
  for (const { name, keyLoc, value } of v?.entries('systems') ?? []) {
    if (!SYSTEM_NAME.test(name)) value.problem(`system name \`${name}\` may hold only letters, digits, _ and - (tables are named <system>.<table>)`, keyLoc);
    const e = value.entries('a system', ['kind', 'url', 'path', 'format', 'replicas', 'max_lag']);
    const def: SystemDef = { name, kind: 'postgres', maxLagMs: DEFAULT_MAX_LAG_MS, loc: keyLoc };
    out[name] = def;
    if (!e) continue;
    const kind = e.require('kind', SYSTEM_KINDS.join(', '))?.oneOf(SYSTEM_KINDS, 'system kind');
    if (!kind) continue;
    def.kind = kind;
    for (const entry of e) {
      if (entry.name !== 'kind' && !KIND_KEYS[kind].includes(entry.name)) value.problem(`\`${entry.name}\` does not apply to a ${kind} system`, entry.keyLoc);
    }
    if (kind === 'postgres' || kind === 'mysql') {
      const url = e.require('url', `the ${kind} connection URL, e.g. env:APP_DATABASE_URL`);
      if (url) def.url = readSecret(url);
      const replicas = e.get('replicas');
      if (replicas && !replicas.isNull) def.replicas = readReplicas(replicas, kind);
      const maxLag = e.get('max_lag');
      if (maxLag && !maxLag.isNull) def.maxLagMs = readElapsed(maxLag, 'a lag such as 5s or 500ms') ?? def.maxLagMs;
    } else {
      const p = e.require('path', kind === 'sqlite' ? 'the database file' : 'the directory holding the files');
      const text = p?.text('a path');
      if (text !== undefined) def.path = text === ':memory:' ? text : path.resolve(dir, text);
      if (kind === 'files') {
        const format = e.require('format', FILE_FORMATS.join(', '))?.oneOf(FILE_FORMATS, 'file format');
        if (format) def.format = format;
      }
    }
  }
  return out;
}

/** A sweep pauses while a replica is more than this behind (pt-archiver's --max-lag default is 1s; 5s suits nightly work). */
export const DEFAULT_MAX_LAG_MS = 5000;

function readReplicas(v: Value, kind: SystemKind): ReplicaSource | undefined {
  if (v.isScalar) {
    if (v.scalar !== 'discover') return void v.problem('expected a list of replica URLs (`[env:APP_REPLICA_URL]`) or `discover`');
    if (kind !== 'postgres') return void v.problem('only PostgreSQL can list its replicas from the primary (pg_stat_replication); list each replica\'s URL: [env:REPLICA_URL]');
    return { kind: 'discover' };
  }
  const urls = (v.items('replica URLs') ?? []).map(readSecret).filter((s): s is Secret => s !== undefined);
  if (!urls.length) return void v.problem('expected at least one replica URL, e.g. [env:APP_REPLICA_URL]');
  return { kind: 'listed', urls };
}

/** A span of time (`5s`, `500ms`, `2m`) in milliseconds. */
export function readElapsed(v: Value, what: string): number | undefined {
  const text = v.text(what);
  if (text === undefined) return undefined;
  const ms = parseElapsedMs(text);
  if (ms === undefined) v.problem(`expected ${what}, got ${v.describe()}`);
  return ms;
}

export function readRetention(v: Value | undefined): Record<string, RetentionRule> {
  const out: Record<string, RetentionRule> = {};
  for (const { name, keyLoc, value } of v?.entries('retention rules') ?? []) {
    const rule: RetentionRule = { name, keep: { amount: 1, unit: 'y', text: '1y' }, after: '', then: 'anonymize', overridesErasure: false, loc: keyLoc };
    out[name] = rule;
    const e = value.entries('a retention rule', ['keep', 'after', 'then', 'basis']);
    if (!e) continue;
    const keep = e.require('keep', 'a period such as 3y, 18m, 90d');
    const keepText = keep?.text('a period');
    if (keep && keepText !== undefined) {
      const d = parseDuration(keepText);
      if (d) rule.keep = d;
      else keep.problem(`\`${keepText}\` is not a period; write a positive whole number and y, m, d or h (3y, 18m, 90d, 12h)`);
    }
    rule.after = e.require('after', 'the column the period starts from')?.text('a column name') ?? '';
    rule.then = e.require('then', 'anonymize or delete')?.oneOf(['anonymize', 'delete'] as const, '`then` action') ?? 'anonymize';
    const basis = e.get('basis');
    if (basis && !basis.isNull) {
      const text = basis.text('a legal basis such as legal-obligation');
      const parsed = text === undefined ? undefined : parseBasis(text);
      if (parsed && 'problem' in parsed) basis.problem(parsed.problem);
      else if (parsed) {
        rule.basis = text;
        rule.ground = parsed.basis.id;
        rule.overridesErasure = parsed.basis.overridesErasure;
      }
    }
  }
  return out;
}

export function readJobs(v: Value | undefined): Record<string, JobDef> {
  const out: Record<string, JobDef> = {};
  for (const { name, keyLoc, value } of v?.entries('jobs') ?? []) {
    const job: JobDef = { name, run: '', cron: '', catchUp: false, loc: keyLoc };
    out[name] = job;
    const e = value.entries('a job', ['run', 'cron', 'catch_up', 'window']);
    if (!e) continue;
    const run = e.require('run', 'a dsar command such as `sweep`');
    const runText = run?.text('a dsar command');
    if (run && runText !== undefined) {
      job.run = runText.trim();
      const command = job.run.split(/\s+/)[0];
      if (command === 'dsar') run.problem('`run` takes the command without `dsar`, e.g. `sweep` or `extract signups-by-region`');
      else if (!(JOB_COMMANDS as readonly string[]).includes(command)) run.problem(unknownMessage('command', command, JOB_COMMANDS));
    }
    const cron = e.require('cron', 'a schedule such as "0 3 * * *"');
    const cronText = cron?.text('a cron expression');
    if (cron && cronText !== undefined) {
      job.cron = cronText;
      const problem = cronProblem(cronText);
      if (problem) cron.problem(`bad cron expression \`${cronText}\`: ${problem}`);
    }
    const catchUp = e.get('catch_up');
    if (catchUp && !catchUp.isNull) job.catchUp = catchUp.boolean() ?? false;
    const window = e.get('window');
    if (window && !window.isNull) {
      const text = window.text('a daily window such as "01:00-05:00"');
      const parsed = text === undefined ? undefined : parseWindow(text);
      if (typeof parsed === 'string') window.problem(parsed);
      else if (parsed && job.run && job.run.split(/\s+/)[0] !== 'sweep') window.problem('`window` applies to sweep jobs only (a sweep stops at the window\'s end and resumes on its next run)');
      else if (parsed && /(^|\s)--distribute(\s|$)/.test(job.run ?? '')) window.problem('`window` stops one process; a distributed sweep\'s workers stop each share at its lease (leave out --distribute, or the window)');
      else if (parsed) job.window = parsed.text;
    }
  }
  return out;
}
