// Back-tests of the forecast: simulated trials whose truth is known, forecast at an interim from only what they would
// have observed, then run to completion; over many trials, how often the truth falls inside each interval. Pure and
// seeded: the same seed gives the same figures (`npm run backtest`, docs/forecast.md).
//
// Every simulated trial: 15 US and 15 Chinese sites planning U(0.3, 1.5) patients a month each, opening at planned
// months spread over the first 8, one cohort of 400 patients (every screened patient counts), interim at month 9.
// The forecast is given each site's plan as a Gamma prior (shape 4: a plan believed within about +-50%), the months
// each open site has been open and what it screened, and for a site not yet open its planned date (or now, if that
// has passed). Families of truth:
//   model       each site's rate drawn from its prior (the forecast's own assumptions);
//   optimistic  the same, times a trial-wide 0.4-0.7 (plans too high);
//   declining   an opening backlog: the rate starts at 3x and decays to the site's rate with a 3-month time constant;
//   slipping    each site opens 0-6 months (Gamma, mean 3) after its planned date;
//   mix         optimistic, declining and slipping at once.
import { runForecast } from "./engine";
import { Random } from "./random";
import { forecastInput, type ForecastInputJson, type Quantiles } from "./schema";

export const FAMILIES = ["model", "optimistic", "declining", "slipping", "mix"] as const;
export type Family = (typeof FAMILIES)[number];

const SITES_PER_COUNTRY = 15;
const TARGET = 400;
const INTERIM = 9;
const HORIZON = 240;
const PRIOR_SHAPE = 4;

interface SimulatedSite {
  id: string;
  country: "US" | "CN";
  plannedRate: number;
  plannedOpen: number;
  actualOpen: number;
  /** Screening times (months), in order. */
  arrivals: number[];
}

function poissonArrivals(random: Random, rate: number, start: number, end: number, boost: (since: number) => number, maxBoost: number): number[] {
  // Thinning: candidates at the highest intensity, each kept with the intensity's share at its time.
  const out: number[] = [];
  let t = start;
  const top = rate * maxBoost;
  if (top <= 0) return out;
  for (;;) {
    t += -Math.log(random.uniform()) / top;
    if (t >= end) return out;
    if (random.uniform() * maxBoost <= boost(t - start)) out.push(t);
  }
}

export function simulateTrial(random: Random, family: Family): SimulatedSite[] {
  const optimism = family === "optimistic" || family === "mix" ? 0.4 + 0.3 * random.uniform() : 1;
  const declining = family === "declining" || family === "mix";
  const slipping = family === "slipping" || family === "mix";
  const sites: SimulatedSite[] = [];
  for (const country of ["US", "CN"] as const) {
    for (let i = 0; i < SITES_PER_COUNTRY; i++) {
      const plannedRate = 0.3 + 1.2 * random.uniform();
      const plannedOpen = 8 * random.uniform();
      const actualOpen = plannedOpen + (slipping ? (random.gamma(2) / 2) * 3 : 0);
      const rate = (random.gamma(PRIOR_SHAPE) / (PRIOR_SHAPE / plannedRate)) * optimism;
      const arrivals = declining
        ? poissonArrivals(random, rate, actualOpen, HORIZON, (since) => 1 + 2 * Math.exp(-since / 3), 3)
        : poissonArrivals(random, rate, actualOpen, HORIZON, () => 1, 1);
      sites.push({ id: `${country}-${i}`, country, plannedRate, plannedOpen, actualOpen, arrivals });
    }
  }
  return sites;
}

/** The forecast's input at the interim: plans as priors, and only what had been observed by then. */
export function interimInput(sites: SimulatedSite[], seed: number, replicates: number): ForecastInputJson {
  const enrolled = sites.reduce((n, s) => n + s.arrivals.filter((t) => t < INTERIM).length, 0);
  return {
    asOfMonth: INTERIM,
    horizonMonths: HORIZON,
    replicates,
    seed,
    cohorts: [{ id: "all", target: TARGET, enrolled: Math.min(enrolled, TARGET) }],
    sites: sites.map((s) => {
      const open = s.actualOpen < INTERIM;
      return {
        id: s.id,
        country: s.country,
        activationMonth: open ? s.actualOpen : Math.max(s.plannedOpen, INTERIM),
        rate: { shape: PRIOR_SHAPE, rate: PRIOR_SHAPE / s.plannedRate },
        plannedActivationMonth: s.plannedOpen,
        ...(open ? { observed: observedAt(s, INTERIM) } : {}),
      };
    }),
  };
}

/** What a site open by `month` had shown: its months open, its count, and its count month by month since it opened. */
function observedAt(s: SimulatedSite, month: number) {
  const months = month - s.actualOpen;
  const seen = s.arrivals.filter((t) => t < month);
  const periods = Array.from({ length: Math.ceil(months) }, (_, m) => ({
    from: m,
    to: Math.min(m + 1, months),
    screened: seen.filter((t) => t - s.actualOpen >= m && t - s.actualOpen < m + 1).length,
  }));
  return { months, screened: seen.length, periods };
}

/** When each scenario's sites, after the interim, bring the trial to its target (Infinity: not within the horizon). */
export function truth(sites: SimulatedSite[], countries: readonly string[]): number {
  const enrolled = sites.reduce((n, s) => n + s.arrivals.filter((t) => t < INTERIM).length, 0);
  const needed = TARGET - enrolled;
  if (needed <= 0) return INTERIM;
  const later = sites
    .filter((s) => countries.includes(s.country))
    .flatMap((s) => s.arrivals.filter((t) => t >= INTERIM))
    .sort((a, b) => a - b);
  return later[needed - 1] ?? Infinity;
}

const INTERVALS = [
  { name: "50%", lo: "p25", hi: "p75" },
  { name: "80%", lo: "p10", hi: "p90" },
  { name: "95%", lo: "p2_5", hi: "p97_5" },
] as const;

/** Wilson's 95% interval for a binomial proportion. */
export function wilson(hits: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.959964;
  const p = hits / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export interface CoverageRow {
  family: Family;
  scenario: string;
  trials: number;
  coverage: Record<(typeof INTERVALS)[number]["name"], { share: number; ci: [number, number] }>;
  /** Median of (forecast median - truth) / (truth - interim): negative is too early. */
  medianBias: number;
}

const inside = (q: Quantiles, lo: keyof Quantiles, hi: keyof Quantiles, t: number) => {
  const low = q[lo] ?? Infinity; // a quantile beyond the horizon is null
  const high = q[hi] ?? Infinity;
  return t >= low && t <= high;
};

/** Runs `trials` simulated trials of a family and reports each scenario's coverage and bias. */
export function backtest(
  family: Family,
  trials: number,
  seed: number,
  replicates = 2_000,
  adjust: (input: ForecastInputJson) => ForecastInputJson = (x) => x,
): CoverageRow[] {
  const random = new Random(seed);
  const scenarios = [
    { name: "US only", countries: ["US"] },
    { name: "China only", countries: ["CN"] },
    { name: "Joint", countries: ["US", "CN"] },
  ];
  const hits = scenarios.map(() => ({ "50%": 0, "80%": 0, "95%": 0 }));
  const bias = scenarios.map(() => [] as number[]);
  let counted = 0;
  for (let n = 0; n < trials; n++) {
    const sites = simulateTrial(random, family);
    const input = forecastInput.parse(adjust(interimInput(sites, seed + n, replicates)));
    if (input.cohorts[0]!.enrolled >= TARGET) continue;
    const result = runForecast(input);
    counted++;
    scenarios.forEach((scenario, i) => {
      const t = truth(sites, scenario.countries);
      const q = result.scenarios.find((s) => s.name === scenario.name)!.completionMonth;
      for (const interval of INTERVALS) if (inside(q, interval.lo, interval.hi, t)) hits[i]![interval.name]++;
      if (Number.isFinite(t) && q.p50 !== null) bias[i]!.push((q.p50 - t) / Math.max(0.5, t - INTERIM));
    });
  }
  return scenarios.map((scenario, i) => {
    const sorted = bias[i]!.sort((a, b) => a - b);
    return {
      family,
      scenario: scenario.name,
      trials: counted,
      coverage: Object.fromEntries(
        INTERVALS.map((x) => [x.name, { share: hits[i]![x.name] / counted, ci: wilson(hits[i]![x.name], counted) }]),
      ) as CoverageRow["coverage"],
      medianBias: sorted.length ? sorted[Math.floor(sorted.length / 2)]! : Number.NaN,
    };
  });
}
