// Updates and deletes waiting for a file rewrite, matched against each record as the file streams past:
// by row ordinal (`_row`) or by key columns compared as text. A transaction collects several calls' edits so
// that a file is rewritten once.
import { ORDINAL_KEY, type KeyValues, type KeyedChange, type Row } from '../connector.ts';
import { valueText, type RecordEdit } from './codec.ts';

/** A key of `[]` or `['_row']` means rows are addressed by ordinal. */
export function isOrdinalKey(key: readonly string[]): boolean {
  return key.length === 0 || (key.length === 1 && key[0] === ORDINAL_KEY);
}

/** A row ordinal from a caller: a positive integer, as a number or as text. Never echoes a bad value (it may be personal). */
export function toOrdinal(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new TypeError(`a ${ORDINAL_KEY} key must be a positive integer row number (got ${value === null ? 'null' : typeof value})`);
  }
  return n;
}

/** Key values as one comparable text; undefined when a part is null (a NULL key matches nothing, as in SQL). */
export function keyText(values: readonly unknown[]): string | undefined {
  const texts = values.map(valueText);
  return texts.includes(undefined) ? undefined : JSON.stringify(texts);
}

interface Edit {
  drop: boolean;
  set: Row;
}

export class TableEdits {
  private readonly byOrdinal = new Map<number, Edit>();
  private readonly byColumns = new Map<string, { columns: string[]; edits: Map<string, Edit> }>();

  get isEmpty(): boolean {
    return this.byOrdinal.size === 0 && this.byColumns.size === 0;
  }

  get usesOrdinals(): boolean {
    return this.byOrdinal.size > 0;
  }

  /** Columns named by keys and by updates: they must exist in a file with a fixed header. */
  columns(): Set<string> {
    const names = new Set<string>();
    for (const { columns, edits } of this.byColumns.values()) {
      columns.forEach((c) => names.add(c));
      for (const edit of edits.values()) Object.keys(edit.set).forEach((c) => names.add(c));
    }
    for (const edit of this.byOrdinal.values()) Object.keys(edit.set).forEach((c) => names.add(c));
    return names;
  }

  update(key: readonly string[], changes: readonly KeyedChange[]): void {
    for (const change of changes) {
      if (ORDINAL_KEY in change.set) throw new TypeError(`${ORDINAL_KEY} is a row number, not a column: it cannot be set`);
      this.add(key, change.key, { drop: false, set: change.set });
    }
  }

  delete(key: readonly string[], keys: readonly KeyValues[]): void {
    for (const values of keys) this.add(key, values, { drop: true, set: {} });
  }

  /** Adds another set of edits after these (a transaction's next call). */
  merge(other: TableEdits): void {
    for (const [ordinal, edit] of other.byOrdinal) this.byOrdinal.set(ordinal, combine(this.byOrdinal.get(ordinal), edit));
    for (const [id, group] of other.byColumns) {
      const mine = this.group(id, group.columns);
      for (const [text, edit] of group.edits) mine.set(text, combine(mine.get(text), edit));
    }
  }

  /** What to do with the record at `ordinal`: every edit that matches it, in the order they were made; a delete wins. */
  editFor(ordinal: number, row: Row): RecordEdit {
    let edit = this.byOrdinal.get(ordinal);
    for (const { columns, edits } of this.byColumns.values()) {
      const text = keyText(columns.map((c) => row[c]));
      const match = text === undefined ? undefined : edits.get(text);
      if (match) edit = combine(edit, match);
    }
    if (!edit) return undefined;
    return edit.drop ? { drop: true } : { row: { ...row, ...edit.set } };
  }

  private add(key: readonly string[], values: KeyValues, edit: Edit): void {
    if (isOrdinalKey(key)) {
      if (values.length !== 1) throw new TypeError(`a ${ORDINAL_KEY} key has one value, got ${values.length}`);
      const ordinal = toOrdinal(values[0]);
      this.byOrdinal.set(ordinal, combine(this.byOrdinal.get(ordinal), edit));
      return;
    }
    if (values.length !== key.length) throw new TypeError(`key (${key.join(', ')}) has ${key.length} values, got ${values.length}`);
    const text = keyText(values);
    if (text === undefined) return;
    const edits = this.group(JSON.stringify(key), [...key]);
    edits.set(text, combine(edits.get(text), edit));
  }

  private group(id: string, columns: string[]): Map<string, Edit> {
    let group = this.byColumns.get(id);
    if (!group) this.byColumns.set(id, (group = { columns, edits: new Map() }));
    return group.edits;
  }
}

function combine(earlier: Edit | undefined, later: Edit): Edit {
  if (!earlier) return later;
  return { drop: earlier.drop || later.drop, set: { ...earlier.set, ...later.set } };
}
