// Names of tables (`app.users`) and columns (`app.users.id`): system and table names hold no dots; a column may.
import type { ColumnRef } from './types.ts';

/** `app.users` -> { system: app, table: users }; undefined unless both parts are there and the table has no dot. */
export function splitTableId(id: string): { system: string; table: string } | undefined {
  const dot = id.indexOf('.');
  if (dot <= 0 || dot === id.length - 1) return undefined;
  const system = id.slice(0, dot);
  const table = id.slice(dot + 1);
  return table.includes('.') ? undefined : { system, table };
}

/** `app.users.id` -> { system: app, table: users, column: id }: split on the first two dots, the rest is the column. */
export function parseColumnRef(text: string): ColumnRef | undefined {
  const first = text.indexOf('.');
  const second = first < 0 ? -1 : text.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || second === text.length - 1) return undefined;
  return { system: text.slice(0, first), table: text.slice(first + 1, second), column: text.slice(second + 1) };
}

export function tableId(ref: { system: string; table: string }): string {
  return `${ref.system}.${ref.table}`;
}
