// Sums and averages of an aggregate's cells and totals, exact for exact numerics: 2328.60, not 2328.599999999999.
// Values are taken as the decimal text they print as (a DECIMAL's text, or a number's shortest form), added as
// scaled integers, and given back as a number when that number prints as the exact result, else as text.

interface Scaled {
  units: bigint;
  scale: number;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;
/** Decimal places an average keeps (more when its inputs have more), whatever trailing zeros a driver printed. */
const AVERAGE_SCALE = 6;

function scaled(v: unknown): Scaled | undefined {
  if (typeof v === 'bigint') return { units: v, scale: 0 };
  const text = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : typeof v === 'string' ? v.trim() : '';
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  const units = BigInt(m[2] + fraction);
  return { units: m[1] === '-' ? -units : units, scale: fraction.length };
}

function rescale(s: Scaled, scale: number): bigint {
  return s.units * 10n ** BigInt(scale - s.scale);
}

function text(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale ? digits.slice(digits.length - scale).replace(/0+$/, '') : '';
  return `${negative && /[1-9]/.test(digits) ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** The number when it prints as exactly this decimal, else the decimal's text. */
function result(decimal: string): number | string {
  const n = Number(decimal);
  return String(n) === decimal ? n : decimal;
}

/** Adds values one at a time; a value that is not a plain decimal (a float in exponent form) makes the sum a float. */
export class ExactSum {
  private units = 0n;
  private scale = 0;
  private float = 0;
  private inexact = false;
  /** Values added (NULL and empty text are not values). */
  count = 0;

  add(v: unknown): void {
    if (v === null || v === undefined || v === '') return;
    const s = scaled(v);
    if (s === undefined) {
      const n = Number(v);
      if (!Number.isFinite(n)) return;
      this.inexact = true;
      this.float += n;
    } else {
      if (s.scale > this.scale) {
        this.units *= 10n ** BigInt(s.scale - this.scale);
        this.scale = s.scale;
      }
      this.units += rescale(s, this.scale);
      this.float += Number(v);
    }
    this.count++;
  }

  /** The sum, or null when nothing was added. */
  sum(): number | string | null {
    if (!this.count) return null;
    return this.inexact ? this.float : result(text(this.units, this.scale));
  }

  /** The sum divided by `n` (default: the values added), rounded half away from zero to six places (or the inputs' scale). */
  average(n: number = this.count): number | string | null {
    if (!this.count || !n) return null;
    if (this.inexact) return this.float / n;
    const scale = Math.max(this.scale, AVERAGE_SCALE);
    const numerator = rescale({ units: this.units, scale: this.scale }, scale) * 2n;
    const divisor = BigInt(n) * 2n;
    const q = (numerator + (numerator < 0n ? -BigInt(n) : BigInt(n))) / divisor; // half away from zero
    return result(text(q, scale));
  }
}

/** The exact sum of values (null when none is a value). */
export function exactSum(values: Iterable<unknown>): number | string | null {
  const s = new ExactSum();
  for (const v of values) s.add(v);
  return s.sum();
}
