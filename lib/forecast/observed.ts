// What a site has shown, in the forecast's units (months from a calendar date): pure, shared by the live input.
import { daysBetween, DAYS_PER_MONTH } from "@/lib/dates/calendar";

/** Months from one calendar date to another, to two decimals. */
export const months = (from: string, to: string) => Math.round((daysBetween(from, to) / DAYS_PER_MONTH) * 100) / 100;

/**
 * What an open site has shown: its months open, its count, and, when its months' counts add up to that count, its
 * count in each calendar month since it opened, as periods of its time open (months since activation). A patient
 * screened before the recorded activation counts in the first period. Without matching months (a peer's withheld
 * cells, counts from before the months were kept) the periods are left out and the total alone is used.
 */
export function observedSince(activation: string, today: string, screened: number, byMonth: ReadonlyMap<string, number> | undefined) {
  const open = Math.max(0, months(activation, today));
  if (!byMonth || open <= 0) return { months: open, screened };
  const periods: { from: number; to: number; screened: number }[] = [];
  let carried = [...byMonth].filter(([month]) => month < activation.slice(0, 7)).reduce((sum, [, n]) => sum + n, 0);
  for (let month = activation.slice(0, 7); month <= today.slice(0, 7); month = nextMonth(month)) {
    const from = month === activation.slice(0, 7) ? 0 : months(activation, `${month}-01`);
    const to = month === today.slice(0, 7) ? open : months(activation, `${nextMonth(month)}-01`);
    const n = (byMonth.get(month) ?? 0) + carried;
    if (to <= from) {
      carried = n; // a month of no time open (opened or seen on its last day): into the next period
      continue;
    }
    carried = 0;
    periods.push({ from, to: Math.min(to, open), screened: n });
  }
  if (carried && periods.length) periods.at(-1)!.screened += carried; // seen on the day it opened, or today the 1st
  const total = periods.reduce((sum, p) => sum + p.screened, 0);
  return total === screened ? { months: open, screened, periods } : { months: open, screened };
}

const nextMonth = (month: string) => {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
};
