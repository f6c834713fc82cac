// IP addresses (v4 and v6), as whole values; an inet column's `/prefix` is allowed.
import net from 'node:net';
import { byShare, countMatching, type ColumnValues, type Detection, type ValueDetector } from '../detector.ts';

export function isIpAddress(text: string): boolean {
  const t = text.trim();
  if (t.length < 2 || t.length > 49 || !/^[\d.:a-fA-F/]+$/.test(t)) return false;
  const slash = t.indexOf('/');
  const address = slash < 0 ? t : t.slice(0, slash);
  if (slash >= 0 && !/^\d{1,3}$/.test(t.slice(slash + 1))) return false;
  return net.isIP(address) !== 0;
}

export const ipDetector: ValueDetector = {
  id: 'ip-address',
  category: 'online.ip',
  detect(column: ColumnValues): Detection | undefined {
    return byShare(this.id, this.category, countMatching(column.texts, isIpAddress), column.texts.length, 'are IP addresses');
  },
};
