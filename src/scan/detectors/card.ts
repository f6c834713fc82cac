// Payment card numbers (PANs): a run of 13-19 digits (grouped by single spaces or dashes or not) with a valid
// Luhn checksum AND the prefix and length of a known issuer. Luhn alone is not enough: one number in ten passes
// it by chance, e.g. the phone number +886 10655648674. A column whose issuer-shaped numbers pass Luhn only at
// about that chance rate holds order numbers or ids, not cards. Card numbers are never kept: brand and last four.

export interface Issuer {
  brand: string;
  /** Inclusive prefix ranges, compared on the first `from.length` digits. */
  ranges: Array<[from: string, to: string]>;
  lengths: number[];
}

const span = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

export const ISSUERS: readonly Issuer[] = [
  { brand: 'Visa', ranges: [['4', '4']], lengths: [13, 16, 19] },
  { brand: 'Mastercard', ranges: [['51', '55'], ['2221', '2720']], lengths: [16] },
  { brand: 'American Express', ranges: [['34', '34'], ['37', '37']], lengths: [15] },
  { brand: 'Discover', ranges: [['6011', '6011'], ['644', '649'], ['65', '65']], lengths: span(16, 19) },
  { brand: 'JCB', ranges: [['3528', '3589']], lengths: span(16, 19) },
  { brand: 'Diners Club', ranges: [['300', '305'], ['36', '36'], ['38', '39']], lengths: span(14, 19) },
  { brand: 'UnionPay', ranges: [['62', '62']], lengths: span(16, 19) },
];

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The issuer whose prefix and length fit the digits, if any. */
export function issuerOf(digits: string): Issuer | undefined {
  return ISSUERS.find(
    (issuer) => issuer.lengths.includes(digits.length) && issuer.ranges.some(([from, to]) => {
      const prefix = digits.slice(0, from.length);
      return prefix >= from && prefix <= to;
    }),
  );
}

export interface CardNumber {
  brand: string;
  last4: string;
}

export interface CardScan {
  cards: CardNumber[];
  /** Runs of 13-19 digits that pass Luhn but fit no issuer (phone numbers, ids). */
  luhnNotCard: number;
  /** Runs with an issuer's prefix and length, whether or not they pass Luhn. */
  issuerShaped: number;
}

/** Digit runs with single space/dash separators, not touching letters, digits or a phone's `+`. */
const RUN = /(?<![\p{L}\p{N}+])\d(?:[ -]?\d)+(?![\p{L}\p{N}])/gu;

/** The card numbers and near-misses in a text. Never returns a full number. */
export function scanForCards(text: string): CardScan {
  const result: CardScan = { cards: [], luhnNotCard: 0, issuerShaped: 0 };
  if (text.length < 13 || digitCount(text) < 13) return result;
  for (const m of text.matchAll(RUN)) {
    const groups = m[0].split(/[ -]/);
    const all = groups.join('');
    if (all.length < 13) continue;
    if (all.length <= 19) {
      const issuer = issuerOf(all);
      const luhn = luhnValid(all);
      if (issuer) result.issuerShaped++;
      if (issuer && luhn) {
        result.cards.push({ brand: issuer.brand, last4: all.slice(-4) });
        continue;
      }
      if (luhn && !issuer) result.luhnNotCard++;
      if (groups.length === 1) continue;
    }
    if (groups.length > 1) findInGroups(groups, result);
  }
  return result;
}

function digitCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** A grouped run longer than a card, or not one as a whole: a card may still be a run of its groups. */
function findInGroups(groups: string[], result: CardScan): void {
  for (let i = 0; i < groups.length; i++) {
    let digits = '';
    for (let j = i; j < groups.length; j++) {
      digits += groups[j];
      if (digits.length > 19) break;
      if (i === 0 && j === groups.length - 1) break; // the whole run was judged already
      if (digits.length < 13) continue;
      const issuer = issuerOf(digits);
      if (issuer && luhnValid(digits)) {
        result.issuerShaped++;
        result.cards.push({ brand: issuer.brand, last4: digits.slice(-4) });
        i = j;
        break;
      }
    }
  }
}

/** Fewer than this many issuer-shaped numbers say nothing about a chance rate. */
const CHANCE_MIN = 20;
/** Above one in ten (chance) by a margin: a column of real cards passes Luhn nearly always. */
const CHANCE_RATE = 0.3;

export interface CardVerdict {
  /** `cards`: a policy violation; `chance`: issuer-shaped numbers passing Luhn at chance rate (ids); `none`. */
  kind: 'cards' | 'chance' | 'none';
  confidence: number;
  evidence: string;
}

/** Judges a column from the totals of its values' scans. */
export function judgeCards(cards: number, issuerShaped: number): CardVerdict {
  if (cards === 0) return { kind: 'none', confidence: 0, evidence: 'no card numbers' };
  const rate = issuerShaped ? cards / issuerShaped : 1;
  if (issuerShaped >= CHANCE_MIN && rate <= CHANCE_RATE) {
    return {
      kind: 'chance',
      confidence: 0.2,
      evidence: `${cards} of ${issuerShaped} card-shaped numbers pass Luhn, about the one-in-ten of chance: order numbers or ids, not cards`,
    };
  }
  return {
    kind: 'cards',
    confidence: rate >= 0.9 ? 0.95 : 0.8,
    evidence: `${cards} value(s) with an issuer's prefix and length and a valid Luhn checksum (${cards} of ${issuerShaped} card-shaped numbers)`,
  };
}
