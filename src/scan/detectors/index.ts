// Every value detector, in the order their findings are listed. The column-name and card detectors work differently
// (a name; a per-value scan with row keys) and are called directly.
import type { ValueDetector } from '../detector.ts';
import { birthdateDetector } from './birthdate.ts';
import { emailDetector } from './email.ts';
import { ibanDetector } from './iban.ts';
import { ipDetector } from './ip.ts';
import { phoneDetector } from './phone.ts';
import { postalCodeDetector } from './postal-code.ts';

export function valueDetectors(now?: () => Date): ValueDetector[] {
  return [emailDetector, phoneDetector, ipDetector, birthdateDetector(now), postalCodeDetector, ibanDetector];
}

/** The detector that checks a declared category's values, if any (contact.email -> email, ...). */
export function detectorForCategory(detectors: readonly ValueDetector[], category: string): ValueDetector | undefined {
  return detectors.find((d) => category === d.category || category.startsWith(d.category + '.'));
}
