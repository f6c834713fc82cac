// The first data map `datamap init` proposes, before it is written as YAML: each guess with how sure it is.
import type { EraseAction } from '../datamap/types.ts';
import type { MaskChoice } from '../scan/snippet.ts';

export type Confidence = 'high' | 'medium' | 'low';

/** Why a guess was made, printed as its trailing comment: `# high: primary key`. */
export interface Guess {
  confidence: Confidence;
  why: string;
}

export interface DraftField {
  column: string;
  category: string;
  mask: MaskChoice;
  guess: Guess;
}

export interface DraftLink {
  column: string;
  /** `system.table.column` */
  references: string;
  owns: boolean;
  guess: Guess;
  /** Written as a commented suggestion, for this reason, instead of a link. */
  suggestionOnly?: string;
}

export interface DraftTable {
  /** `system.table` */
  id: string;
  system: string;
  table: string;
  /** The live columns, in order (the entry's leading comment). */
  columns: string[];
  key: string[];
  keyGuess: Guess;
  identify: Record<string, string>;
  identifyGuess?: Guess;
  links: DraftLink[];
  onErase: EraseAction;
  onEraseWhy: string;
  unlinked?: string;
  child?: { column: string; under: number; guess: Guess };
  fields: DraftField[];
  /** Comment lines under the entry (retention candidates, columns left out). */
  suggestions: string[];
  /** The table cannot be declared as it is: the whole entry is written commented out, after this reason. */
  blocked?: string;
}

export interface Draft {
  /** Identity types the tables use, beyond `email`. */
  identities: string[];
  tables: DraftTable[];
  /** Comment lines for what is not declared: views, tables without personal data. */
  notes: string[];
}
