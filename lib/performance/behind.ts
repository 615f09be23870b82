// Whether a site is behind plan, judged as the forecast judges a site (lib/forecast/live.ts): its screening rate is
// Gamma(6m, 6) before it opens (m its planned patients a month, held with the weight of six months of data), updated
// by what it has screened since, Gamma(6m + k, 6 + T) after k in T months. Its share is what its plan asks of it
// from its activation to the trial's planned end, m (T + R) for R months left. What it screens in the months left is
// then negative binomial, NegBin(6m + k, (6 + T) / (6 + T + R)), and the probability of missing the share is
// P(k + future < share): a site with few months open and a small gap is not behind, one whose gap the months left
// cannot plausibly close is, whatever its size.
import { negBinPmf } from "@/lib/forecast/exact";

/** Months of data the plan's rate is held with (the forecast's prior). */
export const PRIOR_MONTHS = 6;
/** The forecast's floor on a planned rate (a rate of 0 has no Gamma prior). */
const RATE_FLOOR = 0.05;

export interface PlanStanding {
  /** Planned patients screened a month. */
  planned: number;
  screened: number;
  monthsOpen: number;
  /** Months from today to the trial's planned end of recruitment (0 or less: it has passed). */
  monthsLeft: number;
}

/** The site's share of plan, in patients screened, from its activation to the planned end. */
export function planShare(s: PlanStanding): number {
  return s.planned * (s.monthsOpen + Math.max(0, s.monthsLeft));
}

/** The probability that the site screens fewer than its share by the trial's planned end. */
export function missProbability(s: PlanStanding): number {
  const short = planShare(s) - s.screened;
  if (short <= 0) return 0;
  if (s.monthsLeft <= 0) return 1;
  const shape = Math.max(s.planned, RATE_FLOOR) * PRIOR_MONTHS + s.screened;
  const rate = PRIOR_MONTHS + s.monthsOpen;
  // The future count must stay below `short`: P(F <= ceil(short) - 1).
  const pmf = negBinPmf(shape, rate / (rate + s.monthsLeft), Math.ceil(short));
  const p = pmf.reduce((sum, x) => sum + x, 0);
  return Math.min(1, Math.max(0, p));
}
