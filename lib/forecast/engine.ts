// The recruitment forecast: a Poisson-Gamma model (Anisimov & Fedorov, Stat Med 2007) computed by Monte Carlo.
// Pure: no database, no framework. Input and output types are in ./schema.ts.
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
import { AGE_KNOTS, forecastInput, type ForecastInput, type ForecastInputJson, type ForecastResult, type Quantiles, type ScenarioResult } from "./schema";

const FAN_REPLICATES = 2_000;
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
  planRatio: { shape: number; rate: number } | undefined;
  /** Per site: exposure over its months observed. */
  exposure: Float64Array;
  /** Per breakpoint slot (site * SLOTS + k): the change of the rate factor at that breakpoint. */
  steps: Float64Array;
}

/** The step between two of AGE_KNOTS (ages at which a time-varying rate changes step) is g's mean there. */
const SLOTS = AGE_KNOTS.length + 1;

/** Validates (throws a ZodError on bad input) and runs the forecast. */
export function forecast(json: ForecastInputJson): ForecastResult {
  return runForecast(forecastInput.parse(json));
}

export function runForecast(input: ForecastInput): ForecastResult {
  return {
    replicates: input.replicates,
    seed: input.seed,
    horizonMonths: input.horizonMonths,
    asOfMonth: input.asOfMonth,
    scenarios: input.scenarios.map((scenario) => runScenario(input, scenario.name, scenario.countries)),
  };
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

/** Each site's breakpoints after `start`: offsets from it, one per slot used (slot 0 at start itself). */
function breakpointOffsets(age: number, trend: boolean): number[] {
  if (!trend) return [0];
  return [0, ...AGE_KNOTS.filter((knot) => knot > age).map((knot) => knot - age)];
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

  // Breakpoints of the cumulative intensity: each site's start and the steps of its rate after it. Those of sites
  // that open on their dates are sorted once; those of sites whose opening slips move every replicate.
  const fixed: { time: number; site: number; slot: number }[] = [];
  const moving: { offset: number; site: number; slot: number }[] = [];
  sites.forEach((site, i) => {
    breakpointOffsets(site.age, trend).forEach((offset, slot) => {
      if (delay && site.closed) moving.push({ offset, site: i, slot });
      else fixed.push({ time: site.start + offset, site: i, slot });
    });
  });
  fixed.sort((a, b) => a.time - b.time);
  const count = fixed.length + moving.length;
  const bpTime = new Float64Array(count);
  const bpSite = new Int32Array(count);
  const bpSlot = new Int32Array(count);
  fixed.forEach((bp, b) => {
    bpTime[b] = bp.time;
    bpSite[b] = bp.site;
    bpSlot[b] = bp.slot;
  });
  const movingTime = new Float64Array(moving.length);
  const movingOrder = Int32Array.from(moving, (_, m) => m);
  const siteDelay = new Float64Array(sites.length);
  const fixedTime = Float64Array.from(fixed, (bp) => bp.time);

  const weights = new Float64Array(sites.length * cohorts.length);
  sites.forEach((site, i) => weights.set(site.weight, i * cohorts.length));
  const lambdas = new Float64Array(sites.length);
  const slopes = new Float64Array(count);
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
    if (delay && moving.length) {
      // One delay rate for the replicate (the trial's openings slip together); each closed site its own delay.
      const theta = random.gamma(delay.shape) / delay.rate;
      for (let i = 0; i < sites.length; i++) siteDelay[i] = sites[i]!.closed ? -Math.log(random.uniform()) / theta : 0;
      for (let m = 0; m < moving.length; m++) movingTime[m] = sites[moving[m]!.site]!.start + siteDelay[moving[m]!.site]! + moving[m]!.offset;
      movingOrder.sort((x, y) => movingTime[x]! - movingTime[y]!);
      // Merge the moving breakpoints into the fixed ones.
      let f = 0;
      let m = 0;
      for (let b = 0; b < count; b++) {
        if (m >= moving.length || (f < fixed.length && fixedTime[f]! <= movingTime[movingOrder[m]!]!)) {
          bpTime[b] = fixedTime[f]!;
          bpSite[b] = fixed[f]!.site;
          bpSlot[b] = fixed[f]!.slot;
          f++;
        } else {
          const bp = moving[movingOrder[m]!]!;
          bpTime[b] = movingTime[movingOrder[m]!]!;
          bpSite[b] = bp.site;
          bpSlot[b] = bp.slot;
          m++;
        }
      }
    }
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
