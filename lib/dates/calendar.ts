// Clinical dates are calendar dates at the site ("2026-03-14" means that day in the site's own time zone), kept as
// ISO strings in the app and as DATE columns in PostgreSQL, never as instants, so they cannot shift between
// Guangzhou and New York. Prisma returns DATE columns as midnight UTC; these helpers convert at the edges only.

export type IsoDate = string; // YYYY-MM-DD

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date in YYYY-MM-DD form (2026-02-30 is not one). */
export function isIsoDate(value: string): value is IsoDate {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** The DATE column value (midnight UTC) for a calendar date. */
export function toDbDate(value: IsoDate): Date {
  return new Date(`${value}T00:00:00.000Z`);
}

/** The calendar date a DATE column holds. */
export function fromDbDate(value: Date): IsoDate {
  return value.toISOString().slice(0, 10);
}

/** Today's calendar date in an IANA time zone. */
export function todayIn(timeZone: string, now: Date = new Date()): IsoDate {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** The mean length of a month in days (a Gregorian year's 365.25 / 12): counts "a month" the same everywhere. */
export const DAYS_PER_MONTH = 30.4375;

/** The day `months` months of mean length after `start` (a trial's planned end of recruitment from its start). */
export function addMonths(start: IsoDate, months: number): IsoDate {
  return addDays(start, Math.round(months * DAYS_PER_MONTH));
}

export function addDays(value: IsoDate, days: number): IsoDate {
  const date = toDbDate(value);
  date.setUTCDate(date.getUTCDate() + days);
  return fromDbDate(date);
}

/** Whole days from a to b (b - a). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round((toDbDate(b).getTime() - toDbDate(a).getTime()) / 86_400_000);
}

/** The calendar month (YYYY-MM) of a date. */
export function monthOf(value: IsoDate): string {
  return value.slice(0, 7);
}
