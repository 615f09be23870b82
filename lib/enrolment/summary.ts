// A trial's enrolment summary, read from the kept counters (lib/enrolment/tally.ts): the same numbers for the
// dashboard, GET /api/v1/trials/{id}/enrolment, the live events and the reports. Counts only, never patient rows.
// Enrolment is cumulative: withdrawn and completed participants were enrolled and still count.
import type { Country } from "@/lib/db/generated/enums";
import type { Db, Tx } from "@/lib/db/prisma";
import { addDays, addMonths, daysBetween, DAYS_PER_MONTH, fromDbDate, todayIn } from "@/lib/dates/calendar";
import type { FederationView } from "@/lib/federation/status";
import { jointTallies } from "./joint";
import type { TallyRow } from "./tally";

export const METRICS = ["screened", "eligible", "screenFailed", "consented", "enrolled", "withdrawn", "completed"] as const;
export type Metric = (typeof METRICS)[number];
export type Counts = Record<Metric, number>;

export const zero = (): Counts => ({ screened: 0, eligible: 0, screenFailed: 0, consented: 0, enrolled: 0, withdrawn: 0, completed: 0 });
const add = (a: Counts, b: Counts) => {
  for (const m of METRICS) a[m] += b[m];
};

export interface SiteSummary extends Counts {
  siteId: string;
  code: string;
  nameEn: string;
  nameLocal: string;
  country: Country;
  status: string;
  activationDate: string | null;
  screenFailureReasons: { code: string; count: number }[];
  /** Months since activation, in the site's calendar (at least a day's worth once open). */
  monthsActive: number | null;
  enrolmentRatePerMonth: number | null;
  lastScreeningDate: string | null;
  daysSinceLastScreening: number | null;
}

export interface EnrolmentSummary {
  trialId: string;
  asOf: string;
  target: number;
  totals: Counts;
  byCountry: Record<Country, Counts>;
  bySite: SiteSummary[];
  byCohort: {
    cohortId: string;
    code: string;
    name: string;
    target: number;
    enrolled: number;
    byCountry: Record<Country, number>;
    /** Each country's places (enforced when the trial runs on two nodes), or null when none are set. */
    places: Record<Country, number> | null;
    /** Places held for consented patients (lib/matching/places.ts), not yet used or expired. */
    held: number;
  }[];
  timeline: {
    month: string;
    screened: Record<Country, number>;
    enrolled: Record<Country, number>;
    cumulative: { US: number; CN: number; joint: number };
    planned: number;
  }[];
  subtypeYield: Record<Country, { tested: number; detected: Record<string, number> }>;
  screenFailureReasons: { code: string; count: number }[];
  /** The peer node whose latest verified counts are included (its state and as-of time), or null on a single node. */
  federation: FederationView | null;
}

type Reader = Pick<Db, "tally" | "trial" | "trialSite" | "cohort" | "site" | "federationPeer" | "peerCount" | "$queryRaw">;

function months(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split("-").map(Number) as [number, number];
  const [ty, tm] = to.split("-").map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** Builds the summary. `tallies` may be passed in (e.g. read inside a transaction); otherwise they are read. */
export async function enrolmentSummary(db: Reader | Tx, trialId: string, now = new Date()): Promise<EnrolmentSummary> {
  const [{ tallies, federation }, trial, trialSites, cohorts, lastDates] = await Promise.all([
    jointTallies(db, trialId, now),
    db.trial.findUniqueOrThrow({ where: { id: trialId }, select: { target: true, plannedStart: true, plannedEnrolmentMonths: true } }),
    db.trialSite.findMany({
      where: { trialId },
      select: {
        siteId: true,
        status: true,
        activationDate: true,
        site: { select: { code: true, nameEn: true, nameLocal: true, country: true, timeZone: true } },
      },
      orderBy: { site: { code: "asc" } },
    }),
    db.cohort.findMany({
      where: { trialId },
      select: {
        id: true,
        code: true,
        name: true,
        target: true,
        allocations: { select: { country: true, places: true } },
        _count: { select: { reservations: { where: { state: "HELD", expiresAt: { gt: now } } } } },
      },
      orderBy: { code: "asc" },
    }),
    // One index lookup per site (Participant_trialId_siteId_screeningDate_idx), whatever the trial's size.
    db.$queryRaw<{ siteId: string; last: Date | null }[]>`
      SELECT ts."siteId", (SELECT max(p."screeningDate") FROM "Participant" p
                            WHERE p."trialId" = ts."trialId" AND p."siteId" = ts."siteId" AND p."voidedAt" IS NULL) AS last
        FROM "TrialSite" ts WHERE ts."trialId" = ${trialId}`,
  ]);
  const get = (rows: TallyRow[], dimension: string) => rows.filter((r) => r.dimension === dimension);
  const lastBySite = new Map(lastDates.map((r) => [r.siteId, r.last ? fromDbDate(r.last) : null]));

  const siteCounts = new Map<string, Counts>();
  for (const r of get(tallies, "site")) {
    const c = siteCounts.get(r.key) ?? zero();
    if ((METRICS as readonly string[]).includes(r.metric)) c[r.metric as Metric] += r.value;
    siteCounts.set(r.key, c);
  }
  const reasonsBySite = new Map<string, { code: string; count: number }[]>();
  const reasonTotals = new Map<string, number>();
  for (const r of get(tallies, "reason")) {
    const [siteId, code] = r.key.split(":") as [string, string];
    reasonsBySite.set(siteId, [...(reasonsBySite.get(siteId) ?? []), { code, count: r.value }]);
    reasonTotals.set(code, (reasonTotals.get(code) ?? 0) + r.value);
  }

  const totals = zero();
  const byCountry: Record<Country, Counts> = { US: zero(), CN: zero() };
  const bySite: SiteSummary[] = trialSites.map((ts) => {
    const counts = siteCounts.get(ts.siteId) ?? zero();
    add(totals, counts);
    add(byCountry[ts.site.country], counts);
    const today = todayIn(ts.site.timeZone, now);
    const activation = ts.activationDate ? fromDbDate(ts.activationDate) : null;
    const monthsActive = activation ? Math.max(daysBetween(activation, today), 1) / DAYS_PER_MONTH : null;
    const last = lastBySite.get(ts.siteId) ?? null;
    return {
      siteId: ts.siteId,
      code: ts.site.code,
      nameEn: ts.site.nameEn,
      nameLocal: ts.site.nameLocal,
      country: ts.site.country,
      status: ts.status,
      activationDate: activation,
      ...counts,
      screenFailureReasons: (reasonsBySite.get(ts.siteId) ?? []).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
      monthsActive: monthsActive ? Math.round(monthsActive * 100) / 100 : null,
      enrolmentRatePerMonth: monthsActive ? Math.round((counts.enrolled / monthsActive) * 100) / 100 : null,
      lastScreeningDate: last,
      daysSinceLastScreening: last ? daysBetween(last, today) : null,
    };
  });

  const cohortCounts = new Map<string, Record<Country, number>>();
  for (const r of get(tallies, "cohort")) {
    const [cohortId, country] = r.key.split(":") as [string, Country];
    const c = cohortCounts.get(cohortId) ?? { US: 0, CN: 0 };
    c[country] += r.value;
    cohortCounts.set(cohortId, c);
  }

  const monthly = new Map<string, { screened: Record<Country, number>; enrolled: Record<Country, number> }>();
  for (const r of get(tallies, "month")) {
    const [month, country] = r.key.split(":") as [string, Country];
    const m = monthly.get(month) ?? { screened: { US: 0, CN: 0 }, enrolled: { US: 0, CN: 0 } };
    if (r.metric === "screened" || r.metric === "enrolled") m[r.metric][country] += r.value;
    monthly.set(month, m);
  }
  const start = fromDbDate(trial.plannedStart).slice(0, 7);
  const end = todayIn("UTC", now).slice(0, 7);
  const allMonths = months([start, ...monthly.keys()].sort()[0]!, [end, ...monthly.keys()].sort().at(-1)!);
  const cumulative = { US: 0, CN: 0 };
  const plannedEnd = addMonths(fromDbDate(trial.plannedStart), trial.plannedEnrolmentMonths);
  const timeline = allMonths.map((month) => {
    const m = monthly.get(month) ?? { screened: { US: 0, CN: 0 }, enrolled: { US: 0, CN: 0 } };
    cumulative.US += m.enrolled.US;
    cumulative.CN += m.enrolled.CN;
    const monthEnd = `${addDays(`${month}-01`, 31).slice(0, 7)}-01`; // the first day of the next month
    const elapsed = Math.min(
      1,
      Math.max(0, daysBetween(fromDbDate(trial.plannedStart), monthEnd) / Math.max(1, daysBetween(fromDbDate(trial.plannedStart), plannedEnd))),
    );
    return {
      month,
      ...m,
      cumulative: { US: cumulative.US, CN: cumulative.CN, joint: cumulative.US + cumulative.CN },
      planned: Math.round(trial.target * elapsed),
    };
  });

  const subtypeYield: EnrolmentSummary["subtypeYield"] = { US: { tested: 0, detected: {} }, CN: { tested: 0, detected: {} } };
  for (const r of get(tallies, "tested")) subtypeYield[r.key as Country].tested += r.value;
  for (const r of get(tallies, "yield")) {
    if (r.metric !== "count") continue;
    const [country, ...key] = r.key.split(":");
    subtypeYield[country as Country].detected[key.join(":")] = r.value;
  }

  return {
    trialId,
    asOf: now.toISOString(),
    target: trial.target,
    totals,
    byCountry,
    bySite,
    byCohort: cohorts.map((c) => {
      const counts = cohortCounts.get(c.id) ?? { US: 0, CN: 0 };
      const places = (country: Country) => c.allocations.find((a) => a.country === country)?.places ?? 0;
      return {
        cohortId: c.id,
        code: c.code,
        name: c.name,
        target: c.target,
        enrolled: counts.US + counts.CN,
        byCountry: counts,
        places: c.allocations.length ? { US: places("US"), CN: places("CN") } : null,
        held: c._count.reservations,
      };
    }),
    timeline,
    subtypeYield,
    screenFailureReasons: [...reasonTotals.entries()].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count),
    federation,
  };
}

export interface CountryCounts {
  screened: number;
  enrolled: number;
}

export interface TrialCounts {
  screened: number;
  enrolled: number;
  byCountry: Record<Country, CountryCounts>;
}

/** Screened and enrolled per trial and country, from the kept counters (the trial list). */
export async function countsByTrial(db: Pick<Db, "$queryRaw">, trialIds: readonly string[]): Promise<Map<string, TrialCounts>> {
  const result = new Map<string, TrialCounts>(
    trialIds.map((id) => [id, { screened: 0, enrolled: 0, byCountry: { US: { screened: 0, enrolled: 0 }, CN: { screened: 0, enrolled: 0 } } }]),
  );
  if (trialIds.length === 0) return result;
  const rows = await db.$queryRaw<{ trialId: string; country: Country; metric: string; value: number }[]>`
    SELECT t."trialId", s."country", t."metric", sum(t."value")::int AS value
      FROM (SELECT "trialId", "dimension", "key", "metric", "value" FROM "Tally"
            UNION ALL SELECT "trialId", "dimension", "key", "metric", "value" FROM "TallyDelta") t
      JOIN "Site" s ON s."id" = t."key"
     WHERE t."trialId" = ANY(${[...trialIds]}) AND t."dimension" = 'site' AND t."metric" IN ('screened', 'enrolled')
     GROUP BY t."trialId", s."country", t."metric"`;
  for (const row of rows) {
    const counts = result.get(row.trialId)!;
    const metric = row.metric as "screened" | "enrolled";
    counts[metric] += row.value;
    counts.byCountry[row.country][metric] += row.value;
  }
  return result;
}
