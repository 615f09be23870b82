// The recruitment forecast: a Poisson-Gamma model (Anisimov & Fedorov, Stat Med 2007) computed by Monte Carlo.
// Pure: no database, no framework, no validation (./engine.ts validates; this module loads without zod, for the
// command's second thread). Input and output types are in ./schema.ts.
//
// Model. Site i screens patients as a Poisson process with rate lambda_i ~ Gamma(shape_i, rate_i), updated by what
// it has screened: Gamma(shape + screened, rate + months). It screens from max(activationMonth, asOfMonth). A
// screened patient in country c belongs to cohort j with probability p[c][j] (cohorts are mutually exclusive) and
// then enrols with probability q (enrolFraction), so, given the rates, cohort j recruits as a Poisson process with
// cumulative intensity H_j(t) = sum_i lambda_i p[c_i][j] q (t - s_i)+. A cohort is complete when it has recruited
// target - enrolled more; the trial when every cohort is. A scenario is the same model over some countries' sites.
//
// Computation. Given the rates, the r-th event of a Poisson process with cumulative intensity H happens at
// H^-1(E_1 + ... + E_r), E_k ~ Exp(1), and E_1 + ... + E_r ~ Gamma(r, 1). So each replicate draws the site rates,
// one Gamma(r_j, 1) per cohort, and inverts the piecewise-linear H_j: exact, and independent of the targets' size.
// For the fan chart of cumulative enrolment, the first FAN_REPLICATES replicates draw every arrival instead.
//
// Learned inputs (lib/forecast/learning.ts; decisions 020, 021), each optional, so that without them the engine is
// exactly the model above (the closed-form tests run that way):
//   planRatio    one ratio rho of actual to planned rates per replicate: each site's prior rate b becomes b / rho;
//   rateModels   a mixture instead: each replicate picks a model by weight, with its own rho and a rate that moves
//                with a site's age u (months open), lambda g(u), g(u) = 1 + boost e^(-u/months). A site's data then
//                update Gamma(shape + screened, b / rho + exposure) (exposure: the integral of g over its time open),
//                and H_j stays piecewise linear with g's mean between fixed ages (AGE_KNOTS) as its steps;
//   openingDelay one delay rate theta per replicate (Gamma), and each site not yet open opens Exp(theta) after
//                max(activationMonth, asOfMonth); the breakpoints of those sites are merged in each replicate.
//
// Prevalence: without `prevalence`, every cohort has share 1 in every country. A country missing from `prevalence`
// gets share 1 for every cohort; a cohort missing from a country's map has share 0 there.
import { exposure } from "./learning";
import { Random } from "./random";
import type { ForecastInput, ForecastResult, Quantiles, ScenarioResult } from "./schema";
import { AGE_KNOTS, breakpointOffsets, forecastBreakpoints } from "./work";

/**
 * Replicates that draw every arrival, for the fan chart of enrolment (the others draw only each cohort's completion).
 * 500 give a smooth 10-90% band; 2,000 cost a command a sixth of its time (npm run bench:forecast).
 */
const FAN_REPLICATES = 500;
const FAN_POINTS = 120;
const HORIZON_STEP_MONTHS = 6;

interface PreparedSite {
  shape: number;
  /** The prior's rate alone, and the months observed (rate = priorRate + months): a plan ratio scales the first. */
  priorRate: number;
  months: number;
  start: number;
  /** Months the site has been open at `start` (0 for a site not open yet). */
  age: number;
  /** Not open yet: opens later than planned when the input has an opening delay. */
  closed: boolean;
  /** Per cohort: p * q. */
  weight: Float64Array;
}

/**
 * A rate model as the engine uses it: its weight, plans' ratio, and per site its exposure so far and the steps of its
 * rate from `start` on (piecewise constant between AGE_KNOTS; 1 after the last), relative to its steady rate.
 */
interface PreparedModel {
  weight: number;
  /** boost 0: a steady rate, simulated on the short layout (one breakpoint a site). */
  steady: boolean;
  planRatio: { shape: number; rate: number } | undefined;
  /** Per site: exposure over its months observed. */
  exposure: Float64Array;
  /** Per breakpoint slot (site * SLOTS + k): the change of the rate factor at that breakpoint. */
  steps: Float64Array;
}

/** The step between two of AGE_KNOTS (ages at which a time-varying rate changes step) is g's mean there. */
const SLOTS = AGE_KNOTS.length + 1;

export function runForecast(input: ForecastInput): ForecastResult {
  return assemble(
    input,
    input.scenarios.map((_, k) => scenarioOf(input, k)),
  );
}

/**
 * One scenario of a validated input (by its index). Each scenario draws from its own generator, seeded by the input,
 * so scenarios run apart (on other threads: scripts/forecast.ts) give exactly what runForecast gives.
 */
export function scenarioOf(input: ForecastInput, index: number): ScenarioResult {
  const scenario = input.scenarios[index]!;
  return runScenario(input, scenario.name, scenario.countries);
}

/** The result from each scenario's, in the input's order. */
export function assemble(input: ForecastInput, scenarios: ScenarioResult[]): ForecastResult {
  return { replicates: input.replicates, seed: input.seed, horizonMonths: input.horizonMonths, asOfMonth: input.asOfMonth, scenarios };
}

/** A scenario's work, for sharing scenarios between threads: its sites (and their steps) times the replicates. */
export function scenarioWork(input: ForecastInput, index: number): number {
  const countries = input.scenarios[index]!.countries as readonly string[];
  return input.replicates * input.cohorts.length * forecastBreakpoints({ ...input, sites: input.sites.filter((s) => countries.includes(s.country)) });
}

function share(input: ForecastInput, country: string, cohortId: string): number {
  const map = input.prevalence?.[country as keyof NonNullable<ForecastInput["prevalence"]>];
  if (!map) return 1;
  return map[cohortId] ?? 0;
}

function prepareSites(input: ForecastInput, countries: readonly string[]): PreparedSite[] {
  return input.sites
    .filter((site) => countries.includes(site.country))
    .map((site) => ({
      shape: site.rate.shape + (site.observed?.screened ?? 0),
      priorRate: site.rate.rate,
      months: site.observed?.months ?? 0,
      start: Math.max(site.activationMonth, input.asOfMonth),
      age: site.observed ? Math.max(0, input.asOfMonth - site.activationMonth) : 0,
      closed: !site.observed,
      weight: Float64Array.from(input.cohorts, (cohort) => share(input, site.country, cohort.id) * input.enrolFraction),
    }))
    .sort((a, b) => a.start - b.start);
}

function prepareModels(input: ForecastInput, sites: readonly PreparedSite[], trend: boolean): PreparedModel[] {
  const models = input.rateModels ?? [{ weight: 1, boost: 0, months: 1, planRatio: input.planRatio }];
  return models.map((m) => {
    const g = (from: number, to: number) => (exposure(to, m.boost, m.months) - exposure(from, m.boost, m.months)) / (to - from);
    const steps = new Float64Array(sites.length * SLOTS);
    sites.forEach((site, i) => {
      const offsets = breakpointOffsets(site.age, trend);
      let previous = 0;
      offsets.forEach((offset, k) => {
        const from = site.age + offset;
        const to = k + 1 < offsets.length ? site.age + offsets[k + 1]! : Infinity;
        const level = Number.isFinite(to) ? g(from, to) : 1; // after the last knot the rate is its steady one
        steps[i * SLOTS + k] = level - previous;
        previous = level;
      });
    });
    return {
      weight: m.weight,
      steady: m.boost === 0,
      planRatio: m.planRatio,
      exposure: Float64Array.from(sites, (site) => exposure(site.months, m.boost, m.months)),
      steps,
    };
  });
}

/**
 * Inverts a piecewise-linear cumulative intensity. `starts` are sorted; `slopes[k]` is the rate added at starts[k].
 * Returns the times at which H reaches each of the increasing `levels` (Infinity where it never does).
 */
function invert(starts: Float64Array, slopes: Float64Array, levels: ArrayLike<number>, out: Float64Array) {
  let k = 0;
  let slope = 0;
  let h = 0; // H at starts[k - 1]... advanced lazily
  let t = starts.length ? starts[0]! : 0;
  for (let n = 0; n < levels.length; n++) {
    const level = levels[n]!;
    for (;;) {
      // Absorb every site that has started by t.
      while (k < starts.length && starts[k]! <= t) slope += slopes[k++]!;
      const next = k < starts.length ? starts[k]! : Infinity;
      const reach = slope > 0 ? t + (level - h) / slope : Infinity;
      if (reach <= next) {
        out[n] = reach;
        break;
      }
      h += slope * (next - t);
      t = next;
    }
  }
}

function quantile(sorted: Float64Array, p: number): number | null {
  const position = p * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  return round(a + (b - a) * (position - lo));
}

const round = (x: number) => Math.round(x * 100) / 100;

function summarise(times: Float64Array): Quantiles & { incompleteShare: number } {
  const sorted = Float64Array.from(times).sort();
  let incomplete = 0;
  let sum = 0;
  for (const t of sorted) {
    if (Number.isFinite(t)) sum += t;
    else incomplete++;
  }
  return {
    mean: incomplete ? null : round(sum / sorted.length),
    p2_5: quantile(sorted, 0.025),
    p10: quantile(sorted, 0.1),
    p25: quantile(sorted, 0.25),
    p50: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    p90: quantile(sorted, 0.9),
    p97_5: quantile(sorted, 0.975),
    incompleteShare: incomplete / sorted.length,
  };
}

/** Breakpoints in time order: those of sites that open on their dates sorted once, the moving ones merged in. */
interface Layout {
  count: number;
  time: Float64Array;
  site: Int32Array;
  slot: Int32Array;
  slopes: Float64Array;
  fixedTime: Float64Array;
  fixedSite: Int32Array;
  fixedSlot: Int32Array;
  /** A site not open yet is at age 0 when it opens: every such site has the same offsets after its opening. */
  offsets: Float64Array;
  heads: Int32Array;
}

function layout(sites: readonly PreparedSite[], movingSites: Int32Array, trend: boolean): Layout {
  const moving = new Set(movingSites);
  const fixed = sites
    .flatMap((site, i) => (moving.has(i) ? [] : breakpointOffsets(site.age, trend).map((offset, slot) => ({ time: site.start + offset, site: i, slot }))))
    .sort((a, b) => a.time - b.time);
  const offsets = Float64Array.from(breakpointOffsets(0, trend));
  const count = fixed.length + movingSites.length * offsets.length;
  const out: Layout = {
    count,
    time: new Float64Array(count),
    site: new Int32Array(count),
    slot: new Int32Array(count),
    slopes: new Float64Array(count),
    fixedTime: Float64Array.from(fixed, (bp) => bp.time),
    fixedSite: Int32Array.from(fixed, (bp) => bp.site),
    fixedSlot: Int32Array.from(fixed, (bp) => bp.slot),
    offsets,
    heads: new Int32Array(offsets.length),
  };
  out.time.set(out.fixedTime);
  out.site.set(out.fixedSite);
  out.slot.set(out.fixedSlot);
  return out;
}

/**
 * Merges the moving sites' breakpoints (each opening, `opens`, plus the shared offsets) with the fixed ones. With the
 * moving sites in order of opening, their k-th breakpoints are in that order too, so the fixed list and one list per
 * offset merge head by head.
 */
function arrange(lay: Layout, movingSites: Int32Array, opens: Float64Array, order: Int32Array) {
  const { offsets, heads, fixedTime } = lay;
  heads.fill(0);
  let f = 0;
  for (let b = 0; b < lay.count; b++) {
    let best = -1;
    let bestTime = f < fixedTime.length ? fixedTime[f]! : Infinity;
    for (let k = 0; k < offsets.length; k++) {
      if (heads[k]! < movingSites.length) {
        const t = opens[order[heads[k]!]!]! + offsets[k]!;
        if (t < bestTime) {
          best = k;
          bestTime = t;
        }
      }
    }
    lay.time[b] = bestTime;
    if (best < 0) {
      lay.site[b] = lay.fixedSite[f]!;
      lay.slot[b] = lay.fixedSlot[f]!;
      f++;
    } else {
      lay.site[b] = movingSites[order[heads[best]!]!]!;
      lay.slot[b] = best;
      heads[best]!++;
    }
  }
}

function runScenario(input: ForecastInput, name: string, countries: readonly string[]): ScenarioResult {
  const sites = prepareSites(input, countries);
  const cohorts = input.cohorts;
  const remaining = cohorts.map((c) => Math.max(0, c.target - c.enrolled));
  const horizon = input.horizonMonths;
  const replicates = input.replicates;
  const random = new Random(input.seed);
  const trend = (input.rateModels ?? []).some((m) => m.boost !== 0);
  const models = prepareModels(input, sites, trend);
  const cumulativeWeight = Float64Array.from(models, (_, c) => models.slice(0, c + 1).reduce((sum, m) => sum + m.weight, 0));
  const delay = input.openingDelay;

  // Breakpoints of the cumulative intensity: each site's start and, under a trend, the steps of its rate after it.
  // A replicate whose rate model is steady uses the short layout (one breakpoint a site), so a trend the data do not
  // support costs little.
  const movingSites = Int32Array.from(sites.flatMap((site, i) => (delay && site.closed ? [i] : [])));
  const steadyLayout = layout(sites, movingSites, false);
  const trendLayout = trend ? layout(sites, movingSites, true) : steadyLayout;
  const opens = new Float64Array(movingSites.length);
  const order = new Int32Array(movingSites.length);

  const weights = new Float64Array(sites.length * cohorts.length);
  sites.forEach((site, i) => weights.set(site.weight, i * cohorts.length));
  const lambdas = new Float64Array(sites.length);
  const cohortTimes = cohorts.map(() => new Float64Array(replicates));
  const trialTimes = new Float64Array(replicates);
  const oneLevel = new Float64Array(1);
  const oneTime = new Float64Array(1);

  const fanReplicates = Math.min(FAN_REPLICATES, replicates);
  const fanGrid = Float64Array.from({ length: FAN_POINTS + 1 }, (_, i) => (horizon * i) / FAN_POINTS);
  const fanCounts = Array.from(fanGrid, () => new Float64Array(fanReplicates));
  const maxRemaining = Math.max(0, ...remaining);
  const arrivalLevels = new Float64Array(maxRemaining);
  const arrivalTimes = new Float64Array(maxRemaining);

  for (let r = 0; r < replicates; r++) {
    // One rate model and one ratio of actual to planned rates for the whole replicate: every site's prior moves with
    // the ratio, then its own data (over its exposure under the model) update it.
    let model = models[0]!;
    if (models.length > 1) {
      const u = random.uniform() * cumulativeWeight[models.length - 1]!;
      let c = 0;
      while (c < models.length - 1 && cumulativeWeight[c]! < u) c++;
      model = models[c]!;
    }
    const rho = model.planRatio ? random.gamma(model.planRatio.shape) / model.planRatio.rate : 1;
    for (let i = 0; i < sites.length; i++) lambdas[i] = random.gamma(sites[i]!.shape) / (sites[i]!.priorRate / rho + model.exposure[i]!);
    if (delay && movingSites.length) {
      // One delay rate for the replicate (the trial's openings slip together); each closed site its own delay.
      const theta = random.gamma(delay.shape) / delay.rate;
      for (let m = 0; m < movingSites.length; m++) opens[m] = sites[movingSites[m]!]!.start - Math.log(random.uniform()) / theta;
      // The moving sites in order of opening (insertion sort: they are few).
      for (let m = 0; m < movingSites.length; m++) {
        let at = m;
        while (at > 0 && opens[order[at - 1]!]! > opens[m]!) {
          order[at] = order[at - 1]!;
          at--;
        }
        order[at] = m;
      }
    }
    const lay = model.steady ? steadyLayout : trendLayout;
    if (delay && movingSites.length) arrange(lay, movingSites, opens, order);
    const { time: bpTime, site: bpSite, slot: bpSlot, slopes, count } = lay;
    const steps = model.steps;
    let trialTime = input.asOfMonth;
    for (let j = 0; j < cohorts.length; j++) {
      const need = remaining[j]!;
      for (let b = 0; b < count; b++) {
        const i = bpSite[b]!;
        slopes[b] = lambdas[i]! * steps[i * SLOTS + bpSlot[b]!]! * weights[i * cohorts.length + j]!;
      }
      let time: number;
      if (need === 0) {
        time = input.asOfMonth;
      } else if (r < fanReplicates) {
        // Every arrival: cumulative sums of Exp(1) mapped through H^-1.
        let level = 0;
        for (let n = 0; n < need; n++) arrivalLevels[n] = level -= Math.log(random.uniform());
        invert(bpTime, slopes, arrivalLevels.subarray(0, need), arrivalTimes);
        time = arrivalTimes[need - 1]!;
        const enrolledBefore = cohorts[j]!.enrolled;
        let n = 0;
        for (let g = 0; g < fanGrid.length; g++) {
          while (n < need && arrivalTimes[n]! <= fanGrid[g]!) n++;
          fanCounts[g]![r]! += Math.min(cohorts[j]!.target, enrolledBefore + n);
        }
      } else {
        oneLevel[0] = random.gamma(need);
        invert(bpTime, slopes, oneLevel, oneTime);
        time = oneTime[0]!;
      }
      if (need === 0 && r < fanReplicates) {
        for (let g = 0; g < fanGrid.length; g++) fanCounts[g]![r]! += cohorts[j]!.enrolled;
      }
      if (time > horizon) time = Infinity;
      cohortTimes[j]![r] = time;
      if (time > trialTime) trialTime = time;
    }
    trialTimes[r] = trialTime;
  }

  const completion = summarise(trialTimes);
  const { incompleteShare, ...completionMonth } = completion;
  const sortedTrial = Float64Array.from(trialTimes).sort();
  const probabilityByHorizon: ScenarioResult["probabilityByHorizon"] = [];
  for (let month = 0; month <= horizon; month += HORIZON_STEP_MONTHS) probabilityByHorizon.push({ month, probability: cdf(sortedTrial, month) });
  if (probabilityByHorizon.at(-1)!.month !== horizon) probabilityByHorizon.push({ month: horizon, probability: cdf(sortedTrial, horizon) });

  return {
    name,
    countries: [...countries],
    completionMonth,
    probabilityByHorizon,
    incompleteShare,
    cohorts: cohorts.map((cohort, j) => {
      const s = summarise(cohortTimes[j]!);
      return { id: cohort.id, p10: s.p10, p50: s.p50, p90: s.p90, incompleteShare: s.incompleteShare };
    }),
    enrolmentFan: Array.from(fanGrid, (month, g) => {
      const sorted = fanCounts[g]!.sort();
      return { month: round(month), p10: quantile(sorted, 0.1)!, p50: quantile(sorted, 0.5)!, p90: quantile(sorted, 0.9)! };
    }),
  };
}

/** Share of sorted values at or below x. */
function cdf(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}
