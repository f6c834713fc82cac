// Statutory response deadlines: GDPR art. 12(3) one month (taken as 30 days), CCPA §1798.130 45 days.
export type Law = 'gdpr' | 'ccpa';

export const RESPONSE_DAYS: Record<Law, number> = { gdpr: 30, ccpa: 45 };

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(text: string): boolean {
  return ISO_DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
}

/** The UTC calendar date of an instant, `YYYY-MM-DD`. */
export function utcDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return utcDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}

export function dueDate(receivedOn: string, law: Law): string {
  return addDays(receivedOn, RESPONSE_DAYS[law]);
}

/** Whole days from `now`'s UTC date to the due date: 0 on the due date, negative once overdue. */
export function daysLeft(dueOn: string, now: Date): number {
  return Math.round((Date.parse(`${dueOn}T00:00:00Z`) - Date.parse(`${utcDate(now)}T00:00:00Z`)) / DAY_MS);
}
