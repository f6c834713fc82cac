// Legal bases a retention rule may name: a closed set, because what erasure does depends on it. Free text once
// decided the meaning (`legal_obligation` did not match /legal obligation/ and 7-year tax records were deleted).
import { closest } from './suggest.ts';

export interface LegalBasis {
  id: string;
  /** Where the ground comes from. */
  source: string;
  /** The right to erasure does not apply while the rule's `keep` runs (GDPR Art. 17(3)): erase masks identifying fields only. */
  overridesErasure: boolean;
}

export const LEGAL_BASES: readonly LegalBasis[] = [
  { id: 'consent', source: 'GDPR Art. 6(1)(a)', overridesErasure: false },
  { id: 'contract', source: 'GDPR Art. 6(1)(b)', overridesErasure: false },
  { id: 'legal-obligation', source: 'GDPR Art. 6(1)(c), 17(3)(b)', overridesErasure: true },
  { id: 'vital-interests', source: 'GDPR Art. 6(1)(d)', overridesErasure: false },
  { id: 'public-interest', source: 'GDPR Art. 6(1)(e), 17(3)(b)', overridesErasure: true },
  { id: 'legitimate-interest', source: 'GDPR Art. 6(1)(f)', overridesErasure: false },
  { id: 'public-health', source: 'GDPR Art. 17(3)(c)', overridesErasure: true },
  { id: 'archiving', source: 'GDPR Art. 17(3)(d)', overridesErasure: true },
  { id: 'legal-claims', source: 'GDPR Art. 17(3)(e)', overridesErasure: true },
];

const BY_ID = new Map(LEGAL_BASES.map((b) => [b.id, b]));

export interface ParsedBasis {
  basis: LegalBasis;
  /** The text in parentheses: `legal-obligation (tax records)` -> `tax records`. */
  note?: string;
}

/** `<ground>` or `<ground> (<note>)`: the ground from the closed set, or a message with a suggestion. */
export function parseBasis(text: string): ParsedBasis | { problem: string } {
  const m = /^\s*([^()]*?)\s*(?:\((.*)\))?\s*$/s.exec(text);
  const ground = m?.[1] ?? text;
  const basis = BY_ID.get(ground);
  if (basis && m) return { basis, note: m[2]?.trim() || undefined };
  const suggestion = suggestBasis(ground);
  const note = m?.[2]?.trim();
  const example = suggestion ? ` (did you mean \`${suggestion}${note ? ` (${note})` : ''}\`?)` : '';
  return {
    problem: `unknown basis \`${ground}\`${example}; a basis is one of: ${LEGAL_BASES.map((b) => b.id).join(', ')}, optionally followed by a note in parentheses`,
  };
}

/** The ground a misspelt or free-text basis most likely means: `legal_obligation`, `Legal obligation`, `legal-obligaton`. */
function suggestBasis(ground: string): string | undefined {
  const folded = ground.trim().toLowerCase().replace(/[\s_]+/g, '-');
  if (BY_ID.has(folded)) return folded;
  return closest(folded, BY_ID.keys()) ?? LEGAL_BASES.find((b) => folded.includes(b.id))?.id;
}
