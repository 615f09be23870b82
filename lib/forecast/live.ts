// Builds a forecast input from a trial's live data. Month 0 is the trial's planned start (or an earlier activation); "now" is today (UTC).
//   site rate prior   the planned screening rate m per month, held with the weight of 6 months of data:
//                     Gamma(6m, 6), updated by what the site has screened since activation (the engine does this)
//   sites not active  counted from their planned activation date; closed sites are left out
//   prevalence        each country's observed share of tested patients with one of the cohort's subtypes, shrunk
//                     toward the published default (lib/subtypes/prevalence.ts) with the weight of 50 patients
//   enrolFraction     of biomarker-matched patients whose screening has ended, the share enrolled, shrunk toward
//                     0.6 with the weight of 20 patients
//   rateModels        what the open sites have shown (lib/forecast/learning.ts): the plans' shared ratio of actual
//                     to planned rates, and whether rates fall or rise over a site's time open (from each site's
//                     screening by month), drawn once per replicate
//   openingDelay      how late sites open against their planned dates, from those opened and those overdue
// All of it from the trial's kept counts (lib/enrolment/tally.ts), never a scan of its participants.
import "server-only";
import { trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { fromDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import type { Country } from "@/lib/db/generated/enums";
import { trialTallies } from "@/lib/enrolment/joint";
import type { TallyRow } from "@/lib/enrolment/tally";
import { DEFAULT_PREVALENCE } from "@/lib/subtypes/prevalence";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { learnFromSites } from "./learning";
import { months, observedSince } from "./observed";
import { forecastOffThread } from "./pool";
import { COUNTRIES, DEFAULT_SCENARIOS, FORECAST_WORK_BUDGET, forecastBreakpoints, type ForecastInputJson } from "./schema";

const PRIOR_MONTHS = 6;
const LIVE_REPLICATES = 20_000;
const PREVALENCE_PRIOR_PATIENTS = 50;
const ENROL_FRACTION_PRIOR = { value: 0.6, patients: 20 };

export interface LiveForecastInput {
  monthZero: string;
  asOf: string;
  input: ForecastInputJson;
  cohortNames: Record<string, string>;
}

export async function liveForecastInput(actor: Actor, trialId: string, today = todayIn("UTC")): Promise<LiveForecastInput> {
  await trialAccess(actor, trialId); // not found unless the actor may see the trial; counts only from here on
  // Two small reads whatever the trial's size: its definition and its kept counts (lib/enrolment/tally.ts).
  const [trial, tallies] = await Promise.all([
    db().trial.findUniqueOrThrow({
      where: { id: trialId },
      include: {
        cohorts: { orderBy: { code: "asc" }, include: { subtypes: { include: { subtype: { select: { key: true } } } } } },
        trialSites: { include: { site: { select: { code: true, country: true } } } },
      },
    }),
    trialTallies(db(), trialId),
  ]);
  return forecastInputFromCounts(trial, tallies, today);
}

type TrialDefinition = {
  plannedStart: Date;
  cohorts: { id: string; code: string; name: string; target: number; subtypes: { subtype: { key: string } }[] }[];
  trialSites: {
    siteId: string;
    status: string;
    plannedScreeningRate: number;
    activationDate: Date | null;
    plannedActivationDate: Date | null;
    site: { code: string; country: Country };
  }[];
};

/**
 * The forecast input from a trial's definition and its counts (kept counters, or the joint counts of two nodes):
 *   screened by site        site:<siteId> screened
 *   tested, per country     tested:<country>
 *   matched, per cohort     the sum over the cohort's subtypes of yield:<country>:<subtype> (a patient with two of
 *                           one cohort's subtypes counts twice; at most the tested count)
 *   enrolled, per cohort    cohort:<cohortId>:<country> enrolled, summed over countries
 *   enrol fraction          enrolled / (enrolled + yield screenFailed over the trial's subtypes)
 */
export function forecastInputFromCounts(trial: TrialDefinition, tallies: readonly TallyRow[], today: string): LiveForecastInput {
  const count = new Map(tallies.map((r) => [`${r.dimension}|${r.key}|${r.metric}`, r.value]));
  const get = (dimension: string, key: string, metric: string) => count.get(`${dimension}|${key}|${metric}`) ?? 0;
  // Month 0 is the planned start, or the first site's activation if one opened before it: every site's time open
  // then fits between its activation month and now.
  const activations = trial.trialSites.flatMap((ts) => (ts.activationDate && ts.status !== "CLOSED" ? [fromDbDate(ts.activationDate)] : []));
  const monthZero = [fromDbDate(trial.plannedStart), ...activations].sort()[0]!;
  const asOfMonth = Math.max(0, months(monthZero, today));

  // Each site's screening by calendar month (siteMonth:<siteId>:<YYYY-MM>), for the learning's view of its history.
  const byMonth = new Map<string, Map<string, number>>();
  for (const r of tallies) {
    if (r.dimension !== "siteMonth" || r.metric !== "screened") continue;
    const [siteId, month] = [r.key.slice(0, r.key.lastIndexOf(":")), r.key.slice(r.key.lastIndexOf(":") + 1)];
    const line = byMonth.get(siteId) ?? new Map<string, number>();
    line.set(month, (line.get(month) ?? 0) + r.value);
    byMonth.set(siteId, line);
  }

  const sites: ForecastInputJson["sites"] = trial.trialSites
    .filter((ts) => ts.status !== "CLOSED")
    .map((ts) => {
      const m = Math.max(ts.plannedScreeningRate, 0.05);
      const activation = ts.activationDate ? fromDbDate(ts.activationDate) : ts.plannedActivationDate ? fromDbDate(ts.plannedActivationDate) : today;
      const active = ts.status === "ACTIVE" && ts.activationDate !== null;
      return {
        id: ts.site.code,
        country: ts.site.country,
        activationMonth: Math.max(0, months(monthZero, activation)),
        // (a rounding of either month can make the time open exceed asOfMonth - activationMonth by 0.01)
        rate: { shape: Math.round(m * PRIOR_MONTHS * 1000) / 1000, rate: PRIOR_MONTHS },
        ...(ts.plannedActivationDate ? { plannedActivationMonth: Math.max(0, months(monthZero, fromDbDate(ts.plannedActivationDate))) } : {}),
        ...(active ? { observed: observedSince(activation, today, get("site", ts.siteId, "screened"), byMonth.get(ts.siteId)) } : {}),
      };
    });

  const prevalence: NonNullable<ForecastInputJson["prevalence"]> = {};
  for (const country of COUNTRIES) {
    const n = get("tested", country, "count");
    const shares: Record<string, number> = {};
    for (const cohort of trial.cohorts) {
      const prior = cohort.subtypes.reduce((sum, s) => sum + (DEFAULT_PREVALENCE[country][s.subtype.key] ?? 0), 0);
      const k = Math.min(
        n,
        cohort.subtypes.reduce((sum, s) => sum + get("yield", `${country}:${s.subtype.key}`, "count"), 0),
      );
      shares[cohort.code] = (k + PREVALENCE_PRIOR_PATIENTS * prior) / (n + PREVALENCE_PRIOR_PATIENTS);
    }
    const total = Object.values(shares).reduce((a, b) => a + b, 0);
    if (total > 1) for (const key of Object.keys(shares)) shares[key] = shares[key]! / total;
    for (const key of Object.keys(shares)) shares[key] = Math.round(shares[key]! * 10_000) / 10_000;
    prevalence[country] = shares;
  }

  const enrolledByCohort = new Map<string, number>();
  for (const r of tallies) {
    if (r.dimension !== "cohort" || r.metric !== "enrolled") continue;
    const cohortId = r.key.slice(0, r.key.lastIndexOf(":"));
    enrolledByCohort.set(cohortId, (enrolledByCohort.get(cohortId) ?? 0) + r.value);
  }
  const enrolled = [...enrolledByCohort.values()].reduce((a, b) => a + b, 0);
  const trialSubtypes = new Set(trial.cohorts.flatMap((c) => c.subtypes.map((s) => s.subtype.key)));
  let failed = 0;
  for (const country of COUNTRIES) for (const key of trialSubtypes) failed += get("yield", `${country}:${key}`, "screenFailed");
  const enrolFraction =
    Math.round(((enrolled + ENROL_FRACTION_PRIOR.patients * ENROL_FRACTION_PRIOR.value) / (enrolled + failed + ENROL_FRACTION_PRIOR.patients)) * 1000) / 1000;

  return {
    monthZero,
    asOf: today,
    cohortNames: Object.fromEntries(trial.cohorts.map((c) => [c.code, c.name])),
    // What the trial has taught (lib/forecast/learning.ts): its plans' ratio, its rates' trend and its openings' delay.
    input: withinBudget(
      learnFromSites({
        sites,
        cohorts: trial.cohorts.map((c) => ({ id: c.code, target: c.target, enrolled: Math.min(c.target, enrolledByCohort.get(c.id) ?? 0) })),
        prevalence,
        enrolFraction,
        asOfMonth,
        replicates: LIVE_REPLICATES,
        seed: 1,
        horizonMonths: 240,
      }),
    ),
  };
}

/** The live forecast is never refused for its size: a large trial with young sites gets fewer replicates. */
function withinBudget(input: ForecastInputJson): ForecastInputJson {
  const perReplicate = forecastBreakpoints(input) * input.cohorts.length * DEFAULT_SCENARIOS.length;
  const replicates = Math.max(1_000, Math.min(LIVE_REPLICATES, Math.floor(FORECAST_WORK_BUDGET / perReplicate / 1_000) * 1_000));
  return replicates === input.replicates ? input : { ...input, replicates };
}

/**
 * The trial's forecast from its live data, for the page and GET /trials/{id}/forecast alike: rate-limited like
 * POST /forecast (it is as costly), simulated off the request thread.
 */
export async function liveForecast(actor: Actor, trialId: string) {
  const live = await liveForecastInput(actor, trialId);
  await enforce(LIMITS.forecasts(actor.id));
  return { ...live, result: await forecastOffThread(live.input) };
}
