// Exact results of the Poisson-Gamma model, against which the Monte Carlo engine is checked. A site with rate
// lambda ~ Gamma(shape, rate), thinned by c and exposed for (t - start)+ months, recruits
// N(t) ~ NegBin(size = shape, prob = rate / (rate + c (t - start)+)); sites are independent, so the total is the
// convolution of their distributions. Time to n recruits: P(T_n <= t) = P(N(t) >= n).

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** P(N = k) for k = 0..kmax-1, N ~ NegBin(size, prob). */
export function negBinPmf(size: number, prob: number, kmax: number): Float64Array {
  const pmf = new Float64Array(kmax);
  if (prob >= 1) {
    if (kmax > 0) pmf[0] = 1;
    return pmf;
  }
  const logP = Math.log(prob);
  const log1mP = Math.log1p(-prob);
  for (let k = 0; k < kmax; k++) {
    pmf[k] = Math.exp(lnGamma(k + size) - lnGamma(size) - lnGamma(k + 1) + size * logP + k * log1mP);
  }
  return pmf;
}

export interface ExactSite {
  shape: number;
  rate: number;
  start: number;
  /** Thinning: share of screened patients who count (prevalence x enrolment fraction). */
  weight: number;
}

/** P(N(t) >= n): the probability that n more have been recruited by month t. */
export function probabilityReached(sites: readonly ExactSite[], n: number, t: number): number {
  let below = new Float64Array(n);
  below[0] = 1;
  for (const site of sites) {
    const exposure = Math.max(0, t - site.start) * site.weight;
    if (exposure === 0) continue;
    const pmf = negBinPmf(site.shape, site.rate / (site.rate + exposure), n);
    const next = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      if (below[a] === 0) continue;
      for (let b = 0; a + b < n; b++) next[a + b]! += below[a]! * pmf[b]!;
    }
    below = next;
  }
  return Math.max(0, 1 - below.reduce((s, x) => s + x, 0));
}

/** The month by which n more are recruited with probability p (bisection on the identity above). */
export function exactQuantile(sites: readonly ExactSite[], n: number, p: number, hi = 1_000): number {
  let lo = 0;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (probabilityReached(sites, n, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
