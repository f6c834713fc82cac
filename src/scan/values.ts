// Sampled values as the detectors read them: text, with nothing from binary or boolean columns. Long values are
// cut: the detectors look for short things (an address, a card number) and must stay fast.
const MAX_TEXT = 10_000;

/** The value as text for detection, or undefined when it is empty or cannot hold personal text. */
export function valueText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else if (typeof value === 'boolean') return undefined;
  else if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    text = value.toISOString();
  } else if (Buffer.isBuffer(value) || value instanceof Uint8Array) return undefined;
  else text = JSON.stringify(value) ?? '';
  text = text.trim();
  if (!text) return undefined;
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}
