// Hostile data maps: whatever the file holds, `dsar datamap validate` exits 0, or 2 with every problem located at
// file:line:column — never a stack trace, never exit 70, never a hang. Fuzzed by fast-check with fixed seeds.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { Document, isAlias, isCollection, isMap, isPair, isScalar, isSeq, parseDocument, type Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { exampleMapText, removeDir, runCli, tempDir } from './helpers.ts';

const dir = tempDir('datamap');
afterAll(() => removeDir(dir));

// 100 runs per property keep the file near 10 s; DSAR_FUZZ_RUNS=1000 for a longer hunt (the seeds stay fixed).
const RUNS = Number(process.env.DSAR_FUZZ_RUNS ?? 100);
let fileNo = 0;

async function validate(content: string | Buffer): Promise<{ file: string; code: number; stdout: string; stderr: string; text: string }> {
  const file = path.join(dir, `map-${++fileNo}.yaml`);
  writeFileSync(file, content);
  const text = content.toString();
  const r = await runCli(['--datamap', file, '--log-level', 'silent', 'datamap', 'validate']);
  return { file, text, ...r };
}

const ISSUE_LINE = /^(?:dsar: )?(.+):(\d+):(\d+): /;

/** Exit 0 saying "valid", or exit 2 with N located lines and the summary "N problems"; nothing else. */
function expectValidOrLocated(r: Awaited<ReturnType<typeof validate>>): void {
  const context = `exit ${r.code}\n--- stderr ---\n${r.stderr}\n--- map ---\n${r.text.slice(0, 2000)}`;
  expect([0, 2], context).toContain(r.code);
  expect(r.stderr, context).not.toMatch(/internal error|^\s+at /m);
  if (r.code === 0) {
    expect(r.stderr, context).toBe('');
    expect(r.stdout, context).toContain(': valid (');
    return;
  }
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  const summary = /^dsar: (\d+) problems? in the data map; nothing was touched$/.exec(lines.at(-1) ?? '');
  expect(summary, context).not.toBeNull();
  const issues = lines.slice(0, -1);
  expect(issues.length, context).toBe(Number(summary![1]));
  expect(issues[0].startsWith('dsar: '), context).toBe(true);
  const fileLines = r.text.split('\n').length;
  for (const line of issues) {
    const m = ISSUE_LINE.exec(line);
    expect(m, `unlocated line: ${JSON.stringify(line)}\n${context}`).not.toBeNull();
    expect(m![1], context).toBe(r.file);
    expect(Number(m![2]), context).toBeGreaterThanOrEqual(1);
    expect(Number(m![2]), context).toBeLessThanOrEqual(fileLines + 1);
    expect(Number(m![3]), context).toBeGreaterThanOrEqual(1);
  }
}

// --- values a hostile file may hold -------------------------------------------------------------------------------

const KNOWN_KEYS = [
  'version', 'timezone', 'identities', 'state', 'secrets', 'systems', 'retention', 'tables', 'extracts', 'jobs',
  'normalize', 'url', 'hmac_key', 'kind', 'path', 'format', 'keep', 'after', 'then', 'basis', 'key', 'identify',
  'on_erase', 'fields', 'links', 'child', 'purposes', 'category', 'mask', 'identifying', 'column', 'references',
  'owns', 'under', 'generalize', 'bucket', 'prefix', 'redact', 'marker', 'from', 'where', 'exclude_optouts',
  'subject', 'columns', 'group_by', 'measures', 'privacy', 'output', 'role', 'k', 'l', 'max_suppression', 'op',
  'value', 'fn', 'run', 'cron', 'catch_up', 'app', 'app.users', 'app.users.id', 'email', 'phone', '<<',
];
const KNOWN_WORDS = [
  'sqlite', 'postgres', 'mysql', 'files', 'csv', 'json', 'ndjson', 'hash', 'fake', 'null', 'redact', 'generalize',
  'random', 'keep', 'delete', 'anonymize', 'contact.email', 'identity.name', 'billing.card', 'lowercase-trim', 'digits',
  'trim', 'none', '3y', '0d', '-1y', '99999999999999999999y', '1.5y', 'env:DSAR_HMAC_KEY', 'env:', 'env:1BAD',
  'postgres://u:p@h/db', '0 3 * * *', '61 25 * * *', '* * * * * * *', 'Europe/Paris', 'Mars/Olympus', 'sweep',
  'extract nope', 'year', '5-years', 'prefix-3', '*', 'quasi', 'sensitive', 'pseudonym', 'count', 'count_distinct(x)',
  'sum', 'app.users', 'app.users.id', 'nope.nope.nope', '../../etc/passwd', '/dev/zero', 'C:\\evil', '',
];

const HUGE_NUMBERS = [0, -1, -0, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, Infinity, -Infinity, NaN, 1e-320];
const unicode = fc.string({ unit: 'grapheme', maxLength: 12 });
const anyUnicode = fc.string({ unit: 'binary', maxLength: 12 }); // lone surrogates, control characters, NUL

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN_WORDS) },
  { weight: 2, arbitrary: fc.constantFrom(...HUGE_NUMBERS) },
  fc.integer(),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => n.toString()),
  fc.boolean(),
  fc.constant(null),
  unicode,
  anyUnicode,
  fc.constant('x'.repeat(10_000)),
);
const key = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...KNOWN_KEYS) }, unicode, anyUnicode, fc.integer().map(String));

/** A random tree whose keys are mostly the data map's own, so the readers go deep into it. */
const tree = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: scalar },
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(key, tie('node'), { maxKeys: 5 }),
  ),
})).node;

// --- random YAML structures ---------------------------------------------------------------------------------------

function yamlOf(value: unknown): string {
  const doc = new Document(value);
  return doc.toString({ lineWidth: 0 });
}

describe('random YAML structures', () => {
  test('any tree of the map’s keys and hostile values: exit 0 or 2 with located messages', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...KNOWN_KEYS.slice(0, 10)), tree, { maxKeys: 6 }), fc.boolean(), async (root, withVersion) => {
        const value = withVersion ? { version: 1, ...root } : root;
        expectValidOrLocated(await validate(yamlOf(value)));
      }),
      { numRuns: RUNS, seed: 1010 },
    );
  });

  test('any JSON value at all: exit 0 or 2 with located messages', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        expectValidOrLocated(await validate(yamlOf(value)));
      }),
      { numRuns: 50, seed: 1011 },
    );
  });
});

// --- mutations of the example data map ----------------------------------------------------------------------------

interface Slot {
  parent: YAMLMap | YAMLSeq;
  index: number;
}

/** Every map entry and list item of the document (not through aliases), in document order. */
function slotsOf(doc: Document): Slot[] {
  const out: Slot[] = [];
  const walk = (node: unknown) => {
    if (!isCollection(node)) return;
    node.items.forEach((item, index) => {
      out.push({ parent: node as YAMLMap | YAMLSeq, index });
      walk(isPair(item) ? item.value : item);
    });
  };
  walk(doc.contents);
  return out;
}

function valueAt(slot: Slot): unknown {
  const item = slot.parent.items[slot.index];
  return isPair(item) ? item.value : item;
}

function setValueAt(slot: Slot, value: unknown): void {
  const item = slot.parent.items[slot.index];
  if (isPair(item)) item.value = value;
  else (slot.parent.items as unknown[])[slot.index] = value;
}

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'duplicate'; at: number }
  | { op: 'rename'; at: number; name: string }
  | { op: 'retype'; at: number; value: unknown }
  | { op: 'wrap'; at: number; inList: boolean }
  | { op: 'alias'; at: number; target: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('rename' as const), at: fc.nat(), name: key }),
  fc.record({ op: fc.constant('retype' as const), at: fc.nat(), value: tree }),
  fc.record({ op: fc.constant('wrap' as const), at: fc.nat(), inList: fc.boolean() }),
  fc.record({ op: fc.constant('alias' as const), at: fc.nat(), target: fc.nat() }),
);

let anchorNo = 0;

function mutate(doc: Document, m: Mutation): void {
  const slots = slotsOf(doc);
  if (!slots.length) return;
  const slot = slots[m.at % slots.length];
  const item = slot.parent.items[slot.index];
  switch (m.op) {
    case 'delete':
      slot.parent.items.splice(slot.index, 1);
      return;
    case 'duplicate': // same key twice, or a list item twice
      (slot.parent.items as unknown[]).splice(slot.index + 1, 0, isPair(item) ? new Pair(doc.createNode(String((item.key as Scalar)?.value ?? 'k')), doc.createNode(JSON.parse(JSON.stringify(toJs(item.value) ?? null)))) : item);
      return;
    case 'rename':
      if (isPair(item)) item.key = new Scalar(m.name);
      return;
    case 'retype':
      setValueAt(slot, doc.createNode(m.value));
      return;
    case 'wrap': {
      const v = valueAt(slot);
      setValueAt(slot, m.inList ? seqOf(v) : mapOf(v));
      return;
    }
    case 'alias': {
      // Anchor any node and use it elsewhere, possibly inside itself (a recursive alias).
      const target = valueAt(slots[m.target % slots.length]);
      if (!(isScalar(target) || isCollection(target))) return;
      target.anchor ??= `a${++anchorNo}`;
      setValueAt(slot, doc.createAlias(target as Scalar | YAMLMap | YAMLSeq));
      return;
    }
  }
}

function toJs(v: unknown): unknown {
  if (isScalar(v)) return v.value;
  if (isMap(v) || isSeq(v)) return (v as YAMLMap).toJSON();
  return null;
}

function seqOf(v: unknown): YAMLSeq {
  const s = new YAMLSeq();
  s.items.push(v as Node);
  return s;
}

function mapOf(v: unknown): YAMLMap {
  const m = new YAMLMap();
  m.items.push(new Pair(new Scalar('wrapped'), v as Node));
  return m;
}

/** The mutated document as text; a structure yaml refuses to write is skipped. */
function mutatedText(mutations: Mutation[]): string | undefined {
  const doc = parseDocument(exampleMapText());
  for (const m of mutations) mutate(doc, m);
  try {
    return doc.toString({ lineWidth: 0 });
  } catch {
    return undefined;
  }
}

// Raw-text edits: tokens that break YAML syntax or change its meaning in place.
const TOKENS = ['\t', ':', ': ', '- ', '&a ', '*a', '*nope', '!!binary ', '!custom ', '? ', '|', '>', '"', "'", '{', '}', '[', ']', '#', '%YAML 1.1\n', '\n---\n', '\n...\n', '\u0000', '\uFEFF', '\u202E', '\uD800', '🙂', '\r', ' ', '\n  '];

const textEdit = fc.oneof(
  fc.record({ at: fc.nat(), insert: fc.oneof(fc.constantFrom(...TOKENS), anyUnicode), remove: fc.constant(0) }),
  fc.record({ at: fc.nat(), insert: fc.constant(''), remove: fc.integer({ min: 1, max: 40 }) }),
);

describe('mutations of the example datamap.yaml', () => {
  test('deleted, duplicated, renamed, retyped, wrapped and aliased keys: exit 0 or 2 with located messages', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const text = mutatedText(mutations);
        fc.pre(text !== undefined);
        expectValidOrLocated(await validate(text!));
      }),
      { numRuns: RUNS, seed: 1012 },
    );
  });

  test('raw text edits (tabs, stray tokens, tags, directives, NUL, BOM, lone surrogates): exit 0 or 2 with located messages', async () => {
    const base = exampleMapText();
    await fc.assert(
      fc.asyncProperty(fc.array(textEdit, { minLength: 1, maxLength: 4 }), async (edits) => {
        let text = base;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
        }
        expectValidOrLocated(await validate(text));
      }),
      { numRuns: RUNS, seed: 1013 },
    );
  });
});

describe('hand-written hostile maps', () => {
  test('an alias used inside its own anchor is read once, not forever', async () => {
    const r = await validate(`version: 1
systems:
  app: &s { kind: sqlite, path: a.db, again: *s }
tables: &t
  app.users:
    key: id
    fields:
      email: { category: contact.email, mask: { generalize: *t } }
`);
    expectValidOrLocated(r);
    expect(r.code).toBe(2);
  });

  test('an alias bomb (1,000 tables × 1,000 fields from a 30 kB file) is refused quickly with a located message', async () => {
    const fields = Array.from({ length: 1000 }, (_, i) => `  f${i}: { category: contact.email, mask: hash }`);
    const tables = Array.from({ length: 999 }, (_, i) => `  app.t${i + 1}: *t`);
    const text = ['version: 1', 'systems:', '  app: { kind: sqlite, path: a.db }', 'shared: &f', ...fields, 'tables:', '  app.t0: &t { key: id, fields: *f }', ...tables, ''].join('\n');
    const started = Date.now();
    const r = await validate(text.replace('shared: &f', 'x-fields: &f'));
    expect(Date.now() - started).toBeLessThan(5_000);
    expectValidOrLocated(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/alias/);
  });

  test('honest aliases stay valid: 300 tables sharing one block of 20 fields', async () => {
    const fields = Array.from({ length: 20 }, (_, i) => `      f${i}: { category: contact.email, mask: hash }`);
    const tables = Array.from({ length: 299 }, (_, i) => `  app.t${i + 1}: { key: id, identify: { email: f0 }, fields: *common }`);
    const r = await validate(['version: 1', 'systems:', '  app: { kind: sqlite, path: a.db }', 'tables:', '  app.t0:', '    key: id', '    identify: { email: f0 }', '    fields: &common', ...fields, ...tables, ''].join('\n'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('nesting 50,000 levels deep is a located YAML problem, not a crash', async () => {
    const r = await validate(`version: 1\ntables: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
    expectValidOrLocated(r);
    expect(r.code).toBe(2);
  });

  test.each([
    ['a version of 1e400', 'version: 1e400\n'],
    ['a version of 2^64', 'version: 18446744073709551616\n'],
    ['a huge retention', 'version: 1\nretention:\n  r: { keep: 99999999999999999999y, after: c, then: delete }\n'],
    ['a huge child age', 'version: 1\nsystems:\n  app: { kind: sqlite, path: a.db }\ntables:\n  app.u:\n    key: id\n    child: { column: b, under: 1e308 }\n'],
    ['a huge k', 'version: 1\nsystems:\n  app: { kind: sqlite, path: a.db }\nextracts:\n  e: { from: app.u, privacy: { k: 1e308 }, columns: { a: { role: quasi } } }\n'],
    ['a key with a newline', 'version: 1\n"tab\\tand\\nnewline": 1\n'],
    ['a NUL in a table name', 'version: 1\ntables:\n  "app.u\\0x": { key: id }\n'],
    ['a binary tag', 'version: !!binary aGVsbG8=\n'],
    ['an unknown tag', 'version: !evil 1\n'],
    ['a YAML 1.1 document with merge keys', '%YAML 1.1\n---\nversion: 1\nbase: &b { kind: sqlite }\nsystems:\n  app: { <<: *b, path: a.db }\n'],
    ['a second document', 'version: 1\n---\nversion: 2\n'],
    ['only a comment', '# nothing here\n'],
    ['an empty file', ''],
    ['invalid UTF-8', Buffer.from([...Buffer.from('version: '), 0xff, 0xfe, 0xc3, 0x0a])],
  ] as Array<[string, string | Buffer]>)('%s', async (_what, content) => {
    expectValidOrLocated(await validate(content));
  });
});
