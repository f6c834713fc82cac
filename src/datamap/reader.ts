// Reads the YAML tree with a location for every key and value, collecting problems instead of stopping at the first.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { DataMapIssue, Location } from '../errors.ts';
import { closest, didYouMean } from './suggest.ts';

/** Where a key path's key and value are in the file. */
export interface Where {
  key: Location;
  value: Location;
}

export class ReadContext {
  readonly issues: DataMapIssue[] = [];
  /** Every path read, so checks that run on the finished map (validate.ts) can point at the exact key or value. */
  readonly where = new Map<string, Where>();

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    readonly doc: Document,
  ) {}

  locAt(offset: number, path: string): Location {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col, path };
  }

  problem(loc: Location, message: string): void {
    this.issues.push({ ...loc, message });
  }

  /** The location of a path's key or value; the nearest ancestor's when the path was never read. */
  locate(path: string, part: keyof Where = 'value'): Location {
    for (let p = path; ; p = parentPath(p)) {
      const found = this.where.get(p);
      if (found) return { ...found[part], path };
      if (p === '') return { file: this.file, line: 1, column: 1, path };
    }
  }

  /** The whole document as a value at the root path ''. */
  root(): Value {
    return new Value(this, this.doc.contents, '', { file: this.file, line: 1, column: 1, path: '' });
  }
}

function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}

export function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export interface Entry {
  name: string;
  keyLoc: Location;
  value: Value;
}

/** A YAML value at a key path. Accessors return undefined (and record a located problem) when the shape is wrong. */
export class Value {
  readonly node: Node | null;
  /** Where the value starts; the key's location when the value is empty. */
  readonly loc: Location;
  /** `*name` when the value is an alias without an anchor. */
  private readonly danglingAlias?: string;

  constructor(
    readonly ctx: ReadContext,
    node: unknown,
    readonly path: string,
    readonly keyLoc: Location,
  ) {
    const resolved = isAlias(node) ? node.resolve(ctx.doc) : node;
    this.node = (resolved ?? null) as Node | null;
    if (isAlias(node) && !resolved) this.danglingAlias = `*${node.source}`;
    // An alias (`*defaults`) is located where it is used, not where its anchor is.
    const range = isAlias(node) ? node.range : this.node?.range;
    this.loc = range && range[1] > range[0] ? ctx.locAt(range[0], path) : { ...keyLoc, path };
    ctx.where.set(path, { key: keyLoc, value: this.loc });
  }

  problem(message: string, at: Location = this.loc): void {
    this.ctx.problem(at, message);
  }

  /** Missing, empty (`key:`), `null` or `~`. */
  get isNull(): boolean {
    return this.node === null || (isScalar(this.node) && this.node.value === null);
  }

  /** Empty in the file (`key:` with nothing after it), as opposed to an explicit `null`. */
  get isBlank(): boolean {
    return this.node === null || (isScalar(this.node) && this.node.value === null && (this.node.source ?? '') === '');
  }

  get isMap(): boolean {
    return isMap(this.node);
  }

  get isList(): boolean {
    return isSeq(this.node);
  }

  get isScalar(): boolean {
    return isScalar(this.node) && this.node.value !== null;
  }

  /** The scalar's value (string, number, boolean), undefined for anything else. */
  get scalar(): unknown {
    return isScalar(this.node) && this.node.value !== null ? this.node.value : undefined;
  }

  /** A scalar as text exactly as written (so a column named `2020` or `1.0` keeps its name). */
  text(what = 'a name'): string | undefined {
    if (isScalar(this.node) && this.node.value !== null) {
      const v = this.node.value;
      const s = typeof v === 'string' ? v : (this.node.source ?? String(v));
      if (typeof v === 'string' && s.trim() === '') return void this.problem(`expected ${what}, found an empty string`);
      return s;
    }
    this.problem(`expected ${what}, found ${this.describe()}`);
    return undefined;
  }

  integer(what: string, min: number): number | undefined {
    const v = this.scalar;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min) return v;
    this.problem(`expected ${what} (a whole number of at least ${min}), found ${this.describe()}`);
    return undefined;
  }

  number(what: string): number | undefined {
    const v = this.scalar;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    this.problem(`expected ${what}, found ${this.describe()}`);
    return undefined;
  }

  boolean(): boolean | undefined {
    const v = this.scalar;
    if (typeof v === 'boolean') return v;
    this.problem(`expected true or false, found ${this.describe()}`);
    return undefined;
  }

  /** One of a fixed set of words; suggests the closest when it is a likely typo. */
  oneOf<T extends string>(allowed: readonly T[], what: string): T | undefined {
    const s = this.text(what);
    if (s === undefined) return undefined;
    if ((allowed as readonly string[]).includes(s)) return s as T;
    this.problem(unknownMessage(what, s, allowed));
    return undefined;
  }

  /**
   * The entries of a mapping. With `allowed`, other keys are reported (with a did-you-mean) and left out.
   * Duplicate keys are reported; the first one counts.
   */
  entries(what: string, allowed?: readonly string[]): Entries | undefined {
    if (!isMap(this.node)) {
      this.problem(`expected ${what.includes('{') ? what : `${what} (a mapping)`}, found ${this.describe()}`);
      return undefined;
    }
    const seen = new Map<string, Location>();
    const list: Entry[] = [];
    const misspelt = new Set<string>();
    for (const pair of this.node.items) {
      const keyNode = (isAlias(pair.key) ? pair.key.resolve(this.ctx.doc) : pair.key) as Node | null;
      const offset = keyNode?.range?.[0] ?? this.node.range?.[0] ?? 0;
      const keyLoc = this.ctx.locAt(offset, this.path);
      if (!isScalar(keyNode) || keyNode.value === null) {
        this.problem('keys must be plain names', keyLoc);
        continue;
      }
      const v = keyNode.value;
      const name = typeof v === 'string' ? v : (keyNode.source ?? String(v));
      const path = childPath(this.path, name);
      const at = { ...keyLoc, path };
      const first = seen.get(name);
      if (first) {
        this.ctx.problem(at, `duplicate key \`${name}\` (first at line ${first.line})`);
        continue;
      }
      seen.set(name, at);
      if (allowed && !allowed.includes(name)) {
        this.ctx.problem(at, unknownMessage('key', name, allowed));
        const meant = closest(name, allowed);
        if (meant) misspelt.add(meant);
        continue;
      }
      list.push({ name, keyLoc: at, value: new Value(this.ctx, pair.value, path, at) });
    }
    return new Entries(this, list, misspelt);
  }

  /** The items of a sequence. */
  items(what: string): Value[] | undefined {
    if (!isSeq(this.node)) {
      this.problem(`expected ${what} (a list), found ${this.describe()}`);
      return undefined;
    }
    return this.node.items.map((item, i) => {
      const path = `${this.path}[${i}]`;
      const node = item as Node | null;
      const offset = node?.range?.[0] ?? this.node!.range?.[0] ?? 0;
      return new Value(this.ctx, item, path, this.ctx.locAt(offset, path));
    });
  }

  /** `name` or `[name, ...]` (e.g. a composite key): the names, or undefined when any is not a name. */
  names(what: string): string[] | undefined {
    if (!isSeq(this.node)) {
      const one = this.text(what);
      return one === undefined ? undefined : [one];
    }
    const items = this.items(what) ?? [];
    const names = items.map((item) => item.text(what));
    if (names.some((n) => n === undefined)) return undefined;
    if (names.length === 0) return void this.problem(`expected ${what}, found an empty list`);
    return names as string[];
  }

  describe(): string {
    const n = this.node;
    if (this.danglingAlias) return `\`${this.danglingAlias}\`, an alias with no anchor`;
    if (n === null) return 'nothing';
    if (isMap(n)) return 'a mapping';
    if (isSeq(n)) return 'a list';
    if (isScalar(n)) {
      if (n.value === null) return (n.source ?? '') === '' ? 'nothing' : '`null`';
      if (typeof n.value === 'string') return `\`${n.value}\``;
      return `\`${n.source ?? String(n.value)}\``;
    }
    return 'an unsupported value';
  }
}

export class Entries implements Iterable<Entry> {
  constructor(
    readonly owner: Value,
    readonly list: Entry[],
    /** Keys a misspelt key was taken for: their absence is already reported with the did-you-mean. */
    private readonly misspelt: ReadonlySet<string> = new Set(),
  ) {}

  [Symbol.iterator](): Iterator<Entry> {
    return this.list[Symbol.iterator]();
  }

  get size(): number {
    return this.list.length;
  }

  has(name: string): boolean {
    return this.list.some((e) => e.name === name);
  }

  get(name: string): Value | undefined {
    return this.list.find((e) => e.name === name)?.value;
  }

  /** The value of a key that must be present and non-empty; reports its absence at the owning key. */
  require(name: string, hint = ''): Value | undefined {
    const v = this.get(name);
    if (v && !v.isBlank) return v;
    if (!v && this.misspelt.has(name)) return undefined;
    const at = v ? v.keyLoc : { ...this.owner.keyLoc, path: childPath(this.owner.path, name) };
    this.owner.ctx.problem(at, `\`${name}\` is required${hint ? ` (${hint})` : ''}`);
    return undefined;
  }
}

/** The value unless it is missing or empty: optional keys and sections written as `key:` count as absent. */
export function present(v: Value | undefined): Value | undefined {
  return v && !v.isNull ? v : undefined;
}

/** "unknown mask `hsh` (did you mean `hash`?)" or "unknown key `x`; expected one of: a, b". */
export function unknownMessage(what: string, word: string, known: Iterable<string>): string {
  const list = [...known];
  const hint = didYouMean(word, list);
  if (hint) return `unknown ${what} \`${word}\`${hint}`;
  return list.length === 0 ? `unknown ${what} \`${word}\` (none is declared)` : `unknown ${what} \`${word}\`; expected one of: ${list.join(', ')}`;
}
