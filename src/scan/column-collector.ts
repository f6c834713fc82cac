// What the scan keeps of one column while rows stream past: a bounded sample of its values for the detectors
// (a reservoir, so a `--full` scan holds no more than a sampled one) and, for every value read, the card check.
// Card numbers themselves are never kept: the row's key, the brand and the last four digits.
import type { ColumnInfo } from '../../connectors/connector.ts';
import type { ColumnValues } from './detector.ts';
import { scanForCards } from './detectors/card.ts';
import { valueText } from './values.ts';

export interface CardExample {
  /** The row's key columns and values, e.g. `{ id: 42 }` or `{ _row: 17 }`; null when the table has no key. */
  key: Record<string, unknown> | null;
  brand: string;
  last4: string;
}

/** Card examples kept per column. */
const EXAMPLES = 5;

export class ColumnCollector {
  readonly texts: string[] = [];
  readonly raw: unknown[] = [];
  /** Non-empty values read. */
  seen = 0;
  cards = 0;
  issuerShaped = 0;
  luhnNotCard = 0;
  readonly examples: CardExample[] = [];

  constructor(
    readonly column: ColumnInfo,
    private readonly limit: number,
    private readonly random: () => number = Math.random,
  ) {}

  add(value: unknown, keyOf: () => Record<string, unknown> | null): void {
    const text = valueText(value);
    if (text === undefined) return;
    this.seen++;
    if (this.texts.length < this.limit) {
      this.texts.push(text);
      this.raw.push(value);
    } else {
      const slot = Math.floor(this.random() * this.seen);
      if (slot < this.limit) {
        this.texts[slot] = text;
        this.raw[slot] = value;
      }
    }
    if (this.column.family === 'float') return; // a float cannot hold 13+ exact digits
    const found = scanForCards(text);
    this.issuerShaped += found.issuerShaped;
    this.luhnNotCard += found.luhnNotCard;
    if (!found.cards.length) return;
    this.cards += found.cards.length;
    for (const card of found.cards) if (this.examples.length < EXAMPLES) this.examples.push({ key: keyOf(), ...card });
  }

  values(): Omit<ColumnValues, 'hint'> {
    return { name: this.column.name, family: this.column.family, texts: this.texts, raw: this.raw };
  }
}
