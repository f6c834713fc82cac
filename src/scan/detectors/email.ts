// Email addresses: whole values, or addresses inside free text (a `notes` column that holds them is personal data).
import { byShare, type ColumnValues, type Detection, type ValueDetector } from '../detector.ts';

const ATOM = String.raw`[A-Za-z0-9\u00a1-\uffff!#$%&'*+/=?^_\x60{|}~-]+`;
const LOCAL = `${ATOM}(?:\\.${ATOM})*`;
const DOMAIN = String.raw`(?:[A-Za-z0-9\u00a1-\uffff](?:[A-Za-z0-9\u00a1-\uffff-]{0,61}[A-Za-z0-9\u00a1-\uffff])?\.)+[A-Za-z\u00a1-\uffff]{2,63}`;
const WHOLE = new RegExp(`^${LOCAL}@${DOMAIN}$`, 'u');
const INSIDE = new RegExp(`(?:^|[^A-Za-z0-9\\u00a1-\\uffff._%+-])${LOCAL}@${DOMAIN}(?![A-Za-z0-9-])`, 'u');

export function isEmail(text: string): boolean {
  return text.length <= 254 && text.includes('@') && WHOLE.test(text.trim());
}

export function containsEmail(text: string): boolean {
  return text.includes('@') && INSIDE.test(text);
}

export const emailDetector: ValueDetector = {
  id: 'email',
  category: 'contact.email',
  detect(column: ColumnValues): Detection | undefined {
    let whole = 0;
    let inside = 0;
    for (const t of column.texts) {
      if (isEmail(t)) whole++;
      else if (containsEmail(t)) inside++;
    }
    if (whole >= inside) return byShare(this.id, this.category, whole + inside, column.texts.length, inside ? 'are or contain email addresses' : 'are email addresses');
    return byShare(this.id, this.category, whole + inside, column.texts.length, 'contain email addresses in text');
  },
};
