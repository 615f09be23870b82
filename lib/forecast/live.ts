// Builds a forecast input from a trial's live data. Month 0 is the trial's planned start; "now" is today (UTC).
//   site rate prior   the planned screening rate m per month, held with the weight of 6 months of data:
//                     Gamma(6m, 6), updated by what the site has screened since activation (the engine does this)
//   sites not active  counted from their planned activation date; closed sites are left out
//   prevalence        each country's observed share of tested patients with one of the cohort's subtypes, shrunk
//                     toward the published default (lib/subtypes/prevalence.ts) with the weight of 50 patients
//   enrolFraction     of biomarker-matched patients whose screening has ended, the share enrolled, shrunk toward
//                     0.6 with the weight of 20 patients
import "server-only";
import { trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { daysBetween, fromDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { DEFAULT_PREVALENCE } from "@/lib/subtypes/prevalence";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { forecastOffThread } from "./pool";
import { COUNTRIES, type ForecastInputJson } from "./schema";

const DAYS_PER_MONTH = 30.4375;
const PRIOR_MONTHS = 6;
const PREVALENCE_PRIOR_PATIENTS = 50;
const ENROL_FRACTION_PRIOR = { value: 0.6, patients: 20 };

export interface LiveForecastInput {
  monthZero: string;
  asOf: string;
  input: ForecastInputJson;
  cohortNames: Record<string, string>;
}

const months = (from: string, to: string) => Math.round((daysBetween(from, to) / DAYS_PER_MONTH) * 100) / 100;

export async function liveForecastInput(actor: Actor, trialId: string, today = todayIn("UTC")): Promise<LiveForecastInput> {
  await trialAccess(actor, trialId); // not found unless the actor may see the trial; counts only from here on
  const trial = await db().trial.findUniqueOrThrow({
    where: { id: trialId },
    include: {
      cohorts: { orderBy: { code: "asc" }, include: { subtypes: { include: { subtype: { select: { key: true, id: true } } } } } },
      trialSites: { include: { site: { select: { code: true, country: true } } } },
    },
  });
  const monthZero = fromDbDate(trial.plannedStart);
  const asOfMonth = Math.max(0, months(monthZero, today));

  const screenedBySite = new Map(
    (await db().participant.groupBy({ by: ["siteId"], where: { trialId, voidedAt: null }, _count: { _all: true } })).map((r) => [r.siteId, r._count._all]),
  );

  const sites: ForecastInputJson["sites"] = trial.trialSites
    .filter((ts) => ts.status !== "CLOSED")
    .map((ts) => {
      const m = Math.max(ts.plannedScreeningRate, 0.05);
      const activation = ts.activationDate ? fromDbDate(ts.activationDate) : ts.plannedActivationDate ? fromDbDate(ts.plannedActivationDate) : today;
      const active = ts.status === "ACTIVE" && ts.activationDate !== null;
      const activeMonths = active ? Math.max(0, months(activation, today)) : 0;
      return {
        id: ts.site.code,
        country: ts.site.country,
        activationMonth: Math.max(0, months(monthZero, activation)),
        rate: { shape: Math.round(m * PRIOR_MONTHS * 1000) / 1000, rate: PRIOR_MONTHS },
        ...(active ? { observed: { months: activeMonths, screened: screenedBySite.get(ts.siteId) ?? 0 } } : {}),
      };
    });

  // Observed subtype yield per country and cohort: tested patients (a result other than "failed") and those with a
  // detected alteration that the cohort accepts.
  const testedRows = await db().$queryRaw<{ country: string; patients: number }[]>`
    SELECT s."country", count(DISTINCT p."id")::int AS patients
      FROM "Participant" p
      JOIN "Site" s ON s."id" = p."siteId"
     WHERE p."trialId" = ${trialId} AND p."voidedAt" IS NULL
       AND EXISTS (SELECT 1 FROM "ParticipantResult" r WHERE r."participantId" = p."id" AND r."result" <> 'FAILED')
     GROUP BY s."country"`;
  const detectedRows = await db().$queryRaw<{ country: string; cohortId: string; patients: number }[]>`
    SELECT s."country", cs."cohortId", count(DISTINCT p."id")::int AS patients
      FROM "Participant" p
      JOIN "Site" s ON s."id" = p."siteId"
      JOIN "ParticipantResult" r ON r."participantId" = p."id" AND r."result" = 'DETECTED'
      JOIN "CohortSubtype" cs ON cs."subtypeId" = r."subtypeId"
      JOIN "Cohort" c ON c."id" = cs."cohortId" AND c."trialId" = p."trialId"
     WHERE p."trialId" = ${trialId} AND p."voidedAt" IS NULL
     GROUP BY s."country", cs."cohortId"`;
  const tested = new Map(testedRows.map((r) => [r.country, r.patients]));
  const detected = new Map(detectedRows.map((r) => [`${r.country}:${r.cohortId}`, r.patients]));

  const prevalence: NonNullable<ForecastInputJson["prevalence"]> = {};
  for (const country of COUNTRIES) {
    const n = tested.get(country) ?? 0;
    const shares: Record<string, number> = {};
    for (const cohort of trial.cohorts) {
      const prior = cohort.subtypes.reduce((sum, s) => sum + (DEFAULT_PREVALENCE[country][s.subtype.key] ?? 0), 0);
      const k = detected.get(`${country}:${cohort.id}`) ?? 0;
      shares[cohort.code] = (k + PREVALENCE_PRIOR_PATIENTS * prior) / (n + PREVALENCE_PRIOR_PATIENTS);
    }
    const total = Object.values(shares).reduce((a, b) => a + b, 0);
    if (total > 1) for (const key of Object.keys(shares)) shares[key] = shares[key]! / total;
    for (const key of Object.keys(shares)) shares[key] = Math.round(shares[key]! * 10_000) / 10_000;
    prevalence[country] = shares;
  }

  // Enrolment fraction among biomarker-matched patients whose screening has ended.
  const decided = await db().$queryRaw<{ enrolled: number; failed: number }[]>`
    SELECT count(*) FILTER (WHERE p."status" IN ('ENROLLED', 'WITHDRAWN', 'COMPLETED'))::int AS enrolled,
           count(*) FILTER (WHERE p."status" = 'SCREEN_FAILED')::int AS failed
      FROM "Participant" p
     WHERE p."trialId" = ${trialId} AND p."voidedAt" IS NULL
       AND EXISTS (SELECT 1 FROM "ParticipantResult" r JOIN "CohortSubtype" cs ON cs."subtypeId" = r."subtypeId"
                    JOIN "Cohort" c ON c."id" = cs."cohortId" AND c."trialId" = p."trialId"
                   WHERE r."participantId" = p."id" AND r."result" = 'DETECTED')`;
  const { enrolled = 0, failed = 0 } = decided[0] ?? {};
  const enrolFraction =
    Math.round(((enrolled + ENROL_FRACTION_PRIOR.patients * ENROL_FRACTION_PRIOR.value) / (enrolled + failed + ENROL_FRACTION_PRIOR.patients)) * 1000) / 1000;

  const enrolledByCohort = new Map(
    (
      await db().participant.groupBy({
        by: ["cohortId"],
        where: { trialId, voidedAt: null, status: { in: ["ENROLLED", "WITHDRAWN", "COMPLETED"] } },
        _count: { _all: true },
      })
    ).map((r) => [r.cohortId, r._count._all]),
  );

  return {
    monthZero,
    asOf: today,
    cohortNames: Object.fromEntries(trial.cohorts.map((c) => [c.code, c.name])),
    input: {
      sites,
      cohorts: trial.cohorts.map((c) => ({ id: c.code, target: c.target, enrolled: Math.min(c.target, enrolledByCohort.get(c.id) ?? 0) })),
      prevalence,
      enrolFraction,
      asOfMonth,
      replicates: 20_000,
      seed: 1,
      horizonMonths: 240,
    },
  };
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
