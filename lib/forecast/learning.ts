// Learning from the trial itself (issue 17): planned rates are information to weigh, not truth.
//
// Optimism of plans. Site i's prior is its plan, Gamma(a_i, b_i) with mean m_i = a_i/b_i. The plans share a ratio
// rho of actual to planned rates: given rho, site i's rate is Gamma(a_i, b_i/rho), so what it screened in its tau_i
// months open, k_i, is negative binomial: P(k_i | rho) = NB(k_i; size a_i, prob (b_i/rho)/(b_i/rho + tau_i)). With a
// Gamma(A0, A0) hyperprior on rho (plans right on average, within about +-70%), rho's posterior over every open site
// is computed on a grid (log scale, 0.02 to 50) and summarised as a Gamma by its mean and variance; the engine draws
// rho once per replicate and updates each site's scaled prior with its own data (lib/forecast/engine.ts). So a trial
// whose sites all run at half their plan is forecast at about half after a few months, a new site starts from what
// the others have shown, and the ratio's uncertainty moves every site together, as it should.
// With no site open yet the plans stand as they are (no ratio).
import type { ForecastInputJson } from "./schema";

const A0 = 2;
const GRID = 400;

function logGamma(x: number): number {
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

/** The posterior of the plans' ratio, as a Gamma (shape, rate), or null when no site has been open. */
export function planRatioPosterior(sites: ForecastInputJson["sites"]): { shape: number; rate: number } | null {
  const open = sites.filter((s) => s.observed && s.observed.months > 0);
  if (!open.length) return null;
  const grid = Array.from({ length: GRID }, (_, i) => Math.exp(Math.log(0.02) + (i / (GRID - 1)) * (Math.log(50) - Math.log(0.02))));
  const logPost = grid.map((rho) => {
    let lp = (A0 - 1) * Math.log(rho) - A0 * rho + Math.log(rho); // Gamma(A0, A0) prior, times rho for the log-scale grid
    for (const s of open) {
      const a = s.rate.shape;
      const b = s.rate.rate / rho;
      const k = s.observed!.screened;
      const tau = s.observed!.months;
      lp += logGamma(a + k) - logGamma(a) + a * Math.log(b / (b + tau)) + k * Math.log(tau / (b + tau));
    }
    return lp;
  });
  const top = Math.max(...logPost);
  const weights = logPost.map((lp) => Math.exp(lp - top));
  const total = weights.reduce((x, y) => x + y, 0);
  const mean = grid.reduce((sum, rho, i) => sum + rho * weights[i]!, 0) / total;
  const variance = grid.reduce((sum, rho, i) => sum + (rho - mean) ** 2 * weights[i]!, 0) / total;
  return { shape: (mean * mean) / variance, rate: mean / variance };
}

/** The input with what the trial has taught: the plans' ratio (when any site has been open). */
export function learnFromSites(input: ForecastInputJson): ForecastInputJson {
  const ratio = planRatioPosterior(input.sites);
  return ratio ? { ...input, planRatio: ratio } : input;
}

/** The learned ratio for a reader: its mean and 80% interval (Wilson-Hilferty's approximation of Gamma quantiles). */
export function planRatioSummary(ratio: { shape: number; rate: number }) {
  const quantile = (z: number) => (ratio.shape / ratio.rate) * Math.max(0, 1 - 1 / (9 * ratio.shape) + z * Math.sqrt(1 / (9 * ratio.shape))) ** 3;
  return { mean: ratio.shape / ratio.rate, p10: quantile(-1.2816), p90: quantile(1.2816) };
}
