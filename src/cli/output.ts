// Where results go: human text on stdout, or exactly one JSON document with --json.
export interface Output {
  readonly json: boolean;
  /** Emits a command's result: `render(result)` as text, or the result itself as JSON. */
  result<T>(value: T, render: (value: T) => string): void;
  /** A line of human text (ignored with --json). */
  line(text: string): void;
}

export function createOutput(json: boolean, write: (s: string) => void = (s) => process.stdout.write(s)): Output {
  return {
    json,
    result(value, render) {
      if (json) write(JSON.stringify(value, jsonReplacer, 2) + '\n');
      else {
        const text = render(value);
        if (text) write(text.endsWith('\n') ? text : text + '\n');
      }
    },
    line(text) {
      if (!json) write(text + '\n');
    },
  };
}

function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Map) return Object.fromEntries(v);
  if (v instanceof Set) return [...v];
  return v;
}
