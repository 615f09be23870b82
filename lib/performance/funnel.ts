// Funnel plots of site performance with over-dispersion (issue 18): the normal approximation of Gilead's gsm method
// (Analyze_NormalApprox), so a small site is not flagged for noise and a large one not excused by it. Pure.
//
// For a share (screen failures among patients screened): overall p = sum x / sum n; each site's unadjusted z0 =
// (x/n - p) / sqrt(p(1-p)/n); the over-dispersion factor phi = mean(z0^2) over the sites; the site's score z = (x/n
// - p) / sqrt(phi p(1-p)/n). For a rate (enrolments per month open): p = sum x / sum t, z0 = (x/t - p) / sqrt(p/t),
// the same phi, z = (x/t - p) / sqrt(phi p/t). A site is amber at |z| >= 2 and red at |z| >= 3, and never flagged
// while its denominator is under the minimum (it still counts in p and phi). The funnel's limits at denominator n
// are p +- k sqrt(phi p(1-p)/n) (a share, within 0 and 1) or p +- k sqrt(phi p/n) (a rate, at least 0).

export type FunnelKind = "share" | "rate";
export type Flag = "red" | "amber" | null;

export interface FunnelInput {
  id: string;
  numerator: number;
  denominator: number;
}

export interface FunnelSite extends FunnelInput {
  metric: number | null;
  z: number | null;
  flag: Flag;
  /** Under the minimum denominator: shown, never flagged. */
  tooFew: boolean;
}

export interface Funnel {
  kind: FunnelKind;
  overall: number | null;
  phi: number | null;
  minimum: number;
  sites: FunnelSite[];
}

export const AMBER = 2;
export const RED = 3;

export function funnel(kind: FunnelKind, rows: readonly FunnelInput[], minimum: number): Funnel {
  const counted = rows.filter((r) => r.denominator > 0);
  const x = counted.reduce((s, r) => s + r.numerator, 0);
  const n = counted.reduce((s, r) => s + r.denominator, 0);
  const p = n > 0 ? x / n : null;
  const variance = (denominator: number) => (p === null ? 0 : kind === "share" ? (p * (1 - p)) / denominator : p / denominator);
  const degenerate = p === null || p === 0 || (kind === "share" && p === 1);
  const z0 = counted.map((r) => (degenerate ? 0 : (r.numerator / r.denominator - p!) / Math.sqrt(variance(r.denominator))));
  const phi = counted.length ? z0.reduce((s, z) => s + z * z, 0) / counted.length : null;
  return {
    kind,
    overall: p,
    phi,
    minimum,
    sites: rows.map((r) => {
      if (r.denominator <= 0) return { ...r, metric: null, z: null, flag: null, tooFew: true };
      const metric = r.numerator / r.denominator;
      const z = degenerate || !phi ? 0 : (metric - p!) / Math.sqrt(phi * variance(r.denominator));
      const tooFew = r.denominator < minimum;
      const flag: Flag = tooFew ? null : Math.abs(z) >= RED ? "red" : Math.abs(z) >= AMBER ? "amber" : null;
      return { ...r, metric, z, flag, tooFew };
    }),
  };
}

/** The funnel's limits at each denominator: the lines of the plot (k = 2 and 3). */
export function funnelLimits(f: Funnel, denominators: readonly number[]) {
  return denominators.map((n) => {
    const p = f.overall ?? 0;
    const spread = Math.sqrt((f.phi ?? 0) * (f.kind === "share" ? (p * (1 - p)) / n : p / n));
    const clamp = (v: number) => (f.kind === "share" ? Math.min(1, Math.max(0, v)) : Math.max(0, v));
    return {
      denominator: n,
      lower3: clamp(p - RED * spread),
      lower2: clamp(p - AMBER * spread),
      centre: p,
      upper2: clamp(p + AMBER * spread),
      upper3: clamp(p + RED * spread),
    };
  });
}
