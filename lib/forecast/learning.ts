// Learning from the trial itself (issue 17): planned rates and planned openings are information to weigh, not truth.
// Pure: no database. The live forecast (./live.ts) and the back-tests (./backtest.ts) call `learnFromSites`; the
// engine (./engine.ts) draws from what it returns, once per replicate. Decisions 020 and 021.
//
// Optimism of plans. Site i's prior is its plan, Gamma(a_i, b_i). The plans share a ratio rho of actual to planned
// rates: given rho, site i's rate is Gamma(a_i, b_i/rho). Hyperprior Gamma(2, 2): plans right on average, within
// about +-70%.
//
// Rates that change. A site's rate at age u (months since it opened) is lambda_i g(u), g(u) = 1 + beta e^(-u/T): a
// backlog of known patients that runs out (beta > 0: starts at 1 + beta times the steady rate and decays with time
// constant T), a slow start (beta < 0), or neither (beta = 0). beta and T are shared by the trial's sites, on a grid;
// the prior puts half its weight on "no trend" and spreads the rest evenly, so a trend is believed only when the
// sites' own histories show it, and with too little history the forecast keeps both and is wider for it.
// Given (rho, beta, T), site i's count k_i over its exposure E_i = integral of g over its time open is negative
// binomial, and its split over periods of its history is multinomial with shares E_ip / E_i (Poisson splitting, so
// lambda_i drops out). Each (beta, T) is weighed by its marginal likelihood (rho summed on a log grid); within it,
// rho's posterior is summarised as a Gamma by its mean and variance. The engine picks a (beta, T) by weight, draws
// rho, then each site's rate from Gamma(a_i + k_i, b_i/rho + E_i).
//
// Openings that slip. A site opens an exponential time after its planned month (on time, or early, counts as no
// delay), at a rate theta shared by the trial's sites, Gamma(2, 1) a priori (a month's delay on average, held with
// the weight of two sites). Sites opened tell their delays; sites past their planned month and still not open are
// censored (their delay is at least the time since); theta's posterior is Gamma(2 + opened, 1 + total delay seen).
// The engine draws theta once per replicate and opens each site not yet open at max(planned, now) + Exp(theta):
// the exponential's lack of memory makes "past its date and still closed" the same as "from now".
// With no site open yet, the plans stand as they are.
import type { ForecastInputJson } from "./schema";

const RATIO_PRIOR = 2;
const RATIO_GRID = Array.from({ length: 240 }, (_, i) => Math.exp(Math.log(0.02) + (i / 239) * (Math.log(50) - Math.log(0.02))));
const NO_TREND_PRIOR = 0.5;
/**
 * The trend models are weighed by their evidence raised to this power (a power posterior over the models only;
 * within a model, rho's posterior is the plain one). With power 1 the back-tests' intervals were too wide wherever
 * the data could not tell neighbouring trends apart (80% intervals held 85-89% of trials with a backlog, and 83-87%
 * of trials with none); keeping only the best trend made them far too narrow (50-60%). Chosen by `npm run backtest`
 * (docs/forecast.md, decision 021).
 */
const EVIDENCE_POWER = 2;
export const TREND_BOOSTS = [-0.5, 0.5, 1, 2, 4] as const;
export const TREND_MONTHS = [1, 2, 4] as const;
const DELAY_PRIOR = { shape: 2, rate: 1 };
/** Below this posterior weight a rate model is left out (and the others renormalised). */
const NEGLIGIBLE = 1e-4;

type Site = ForecastInputJson["sites"][number];
export type RateModel = NonNullable<ForecastInputJson["rateModels"]>[number];
type GammaParams = { shape: number; rate: number };

export function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9): about 15 digits for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Integral of g(u) = 1 + boost e^(-u/months) from 0 to `age`: a site's exposure in months of its steady rate. */
export function exposure(age: number, boost: number, months: number): number {
  return boost === 0 ? age : age + boost * months * (1 - Math.exp(-age / months));
}

interface Evidence {
  site: Site;
  k: number;
  months: number;
  periods: { from: number; to: number; screened: number }[];
}

/** log P(data | rho, beta, T) on the ratio grid, and the periods' split term (which does not depend on rho). */
function logLikelihoods(open: Evidence[], boost: number, months: number): { byRatio: Float64Array; split: number } {
  const byRatio = new Float64Array(RATIO_GRID.length);
  let split = 0;
  for (const { site, k, months: tau, periods } of open) {
    const a = site.rate.shape;
    const e = exposure(tau, boost, months);
    for (let g = 0; g < RATIO_GRID.length; g++) {
      const b = site.rate.rate / RATIO_GRID[g]!;
      byRatio[g]! += a * Math.log(b / (b + e)) + k * Math.log(e / (b + e));
    }
    // (logGamma(a + k) - logGamma(a) is the same for every rho and every trend: left out of both.)
    for (const p of periods) {
      if (p.screened === 0) continue;
      const share = (exposure(p.to, boost, months) - exposure(p.from, boost, months)) / e;
      split += p.screened * Math.log(share);
    }
  }
  return { byRatio, split };
}

function ratioPosterior(logPost: Float64Array): { logMarginal: number; ratio: GammaParams } {
  let top = -Infinity;
  for (const lp of logPost) if (lp > top) top = lp;
  let total = 0;
  let sum = 0;
  const weights = new Float64Array(logPost.length);
  for (let g = 0; g < logPost.length; g++) {
    weights[g] = Math.exp(logPost[g]! - top);
    total += weights[g]!;
    sum += weights[g]! * RATIO_GRID[g]!;
  }
  const mean = sum / total;
  let variance = 0;
  for (let g = 0; g < logPost.length; g++) variance += weights[g]! * (RATIO_GRID[g]! - mean) ** 2;
  variance /= total;
  return { logMarginal: top + Math.log(total), ratio: { shape: (mean * mean) / variance, rate: mean / variance } };
}

const ratioPrior = RATIO_GRID.map((rho) => (RATIO_PRIOR - 1) * Math.log(rho) - RATIO_PRIOR * rho + Math.log(rho)); // times rho: log grid

function evidence(sites: readonly Site[]): Evidence[] {
  return sites.flatMap((site) =>
    site.observed && site.observed.months > 0 ? [{ site, k: site.observed.screened, months: site.observed.months, periods: site.observed.periods ?? [] }] : [],
  );
}

/** The rate models the trial's open sites support: (beta, T) with weights, each with rho's posterior. Null: none open. */
export function rateModelPosterior(sites: readonly Site[]): RateModel[] | null {
  const open = evidence(sites);
  if (!open.length) return null;
  const candidates = [
    { boost: 0, months: 1, prior: NO_TREND_PRIOR },
    ...TREND_BOOSTS.flatMap((boost) =>
      TREND_MONTHS.map((months) => ({ boost, months, prior: (1 - NO_TREND_PRIOR) / (TREND_BOOSTS.length * TREND_MONTHS.length) })),
    ),
  ];
  const fitted = candidates.map((c) => {
    const { byRatio, split } = logLikelihoods(open, c.boost, c.months);
    for (let g = 0; g < byRatio.length; g++) byRatio[g]! += ratioPrior[g]!;
    const { logMarginal, ratio } = ratioPosterior(byRatio);
    return { ...c, logWeight: Math.log(c.prior) + EVIDENCE_POWER * (logMarginal + split), ratio };
  });
  const top = Math.max(...fitted.map((f) => f.logWeight));
  const raw = fitted.map((f) => Math.exp(f.logWeight - top));
  const total = raw.reduce((a, b) => a + b, 0);
  const kept = fitted.map((f, i) => ({ f, w: raw[i]! / total })).filter((x) => x.w >= NEGLIGIBLE);
  const keptTotal = kept.reduce((a, x) => a + x.w, 0);
  return kept.map(({ f, w }) => ({ weight: w / keptTotal, boost: f.boost, months: f.months, planRatio: f.ratio }));
}

/** The posterior of the plans' ratio with no trend: a Gamma (shape, rate), or null when no site has been open. */
export function planRatioPosterior(sites: readonly Site[]): GammaParams | null {
  const open = evidence(sites);
  if (!open.length) return null;
  const { byRatio } = logLikelihoods(open, 0, 1);
  for (let g = 0; g < byRatio.length; g++) byRatio[g]! += ratioPrior[g]!;
  return ratioPosterior(byRatio).ratio;
}

/**
 * What the trial's openings show, from the sites whose planned month is known: how many opened, how many are past
 * their date and still closed (censored: their delay is at least the time since), and the months of delay seen in all.
 */
export function openingEvidence(sites: readonly Site[], asOfMonth: number) {
  let known = 0;
  let opened = 0;
  let overdue = 0;
  let delay = 0;
  for (const s of sites) {
    if (s.plannedActivationMonth === undefined) continue;
    known++;
    if (s.observed) {
      opened++;
      delay += Math.max(0, (s.activationMonth ?? 0) - s.plannedActivationMonth);
    } else if (s.plannedActivationMonth < asOfMonth) {
      overdue++;
      delay += asOfMonth - s.plannedActivationMonth;
    }
  }
  return { known, opened, overdue, delay };
}

/**
 * The rate (per month) of the exponential delay after a site's planned opening: Gamma posterior from the sites whose
 * planned month is known. Null when none is (the plans' dates then stand).
 */
export function openingDelayPosterior(sites: readonly Site[], asOfMonth: number): GammaParams | null {
  const { known, opened, delay } = openingEvidence(sites, asOfMonth);
  if (!known) return null;
  return { shape: DELAY_PRIOR.shape + opened, rate: DELAY_PRIOR.rate + delay };
}

/** The input with what the trial has taught: rate models (plans' ratio and trend) and the openings' delay. */
export function learnFromSites(input: ForecastInputJson): ForecastInputJson {
  const rateModels = rateModelPosterior(input.sites);
  if (!rateModels) return input;
  const delay = input.sites.some((s) => !s.observed) ? openingDelayPosterior(input.sites, input.asOfMonth ?? 0) : null;
  return { ...input, rateModels, ...(delay ? { openingDelay: delay } : {}) };
}

/** Gamma quantiles by Wilson and Hilferty's approximation. */
function gammaQuantile(g: GammaParams, z: number): number {
  return (g.shape / g.rate) * Math.max(0, 1 - 1 / (9 * g.shape) + z * Math.sqrt(1 / (9 * g.shape))) ** 3;
}

/** The learned ratio for a reader: its mean and 80% interval. */
export function planRatioSummary(ratio: GammaParams) {
  return { mean: ratio.shape / ratio.rate, p10: gammaQuantile(ratio, -1.2816), p90: gammaQuantile(ratio, 1.2816) };
}

/**
 * What the rate models say for a reader: the ratio (mixed over the models: its mean and the 10th and 90th
 * percentiles of the mixture, found by bisection), the weight of "no trend", and the weight and strength of a backlog
 * (beta > 0) and of a slow start (beta < 0): the rate in the first month against the steady one, weighted.
 */
export function rateModelSummary(models: readonly RateModel[]) {
  const ratioModels = models.filter((m) => m.planRatio);
  const cdf = (x: number) => ratioModels.reduce((sum, m) => sum + m.weight * gammaCdf(m.planRatio!, x), 0) / ratioModels.reduce((s, m) => s + m.weight, 0);
  const quantile = (p: number) => {
    let lo = 0;
    let hi = 100;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (cdf(mid) < p) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  const firstMonth = (m: RateModel) => exposure(1, m.boost, m.months);
  const part = (pick: (m: RateModel) => boolean) => {
    const chosen = models.filter(pick);
    const weight = chosen.reduce((s, m) => s + m.weight, 0);
    return { weight, firstMonthFactor: weight ? chosen.reduce((s, m) => s + m.weight * firstMonth(m), 0) / weight : 1 };
  };
  return {
    ratio: ratioModels.length
      ? { mean: ratioModels.reduce((s, m) => s + m.weight * (m.planRatio!.shape / m.planRatio!.rate), 0), p10: quantile(0.1), p90: quantile(0.9) }
      : null,
    steady: part((m) => m.boost === 0).weight,
    backlog: part((m) => m.boost > 0),
    slowStart: part((m) => m.boost < 0),
  };
}

/** The learned delay for a reader: its mean in months and 80% interval (the delay's mean is 1/theta). */
export function openingDelaySummary(delay: GammaParams) {
  // 1/theta is inverse-gamma: its quantiles are the reciprocals of theta's.
  return { mean: delay.shape > 1 ? delay.rate / (delay.shape - 1) : Infinity, p10: 1 / gammaQuantile(delay, 1.2816), p90: 1 / gammaQuantile(delay, -1.2816) };
}

/** Regularised lower incomplete gamma P(shape, rate x), by series or continued fraction (Numerical Recipes). */
function gammaCdf(g: GammaParams, x: number): number {
  const a = g.shape;
  const t = g.rate * x;
  if (t <= 0) return 0;
  const front = Math.exp(a * Math.log(t) - t - logGamma(a));
  if (t < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 500; n++) {
      term *= t / (a + n);
      sum += term;
      if (term < sum * 1e-14) break;
    }
    return sum * front;
  }
  let b = t + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return 1 - front * h;
}
