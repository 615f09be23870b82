// Site performance (issue 18 item 5): per site, its funnel from screening to enrolment, its pace against plan and
// since activation, how long its patients wait, how long since it last screened and enrolled; and funnel plots of its
// screen-failure share and its enrolment rate against the other sites' (./funnel.ts). Counts come from the kept
// counters, joint with the peer's when there are two nodes (lib/enrolment/joint.ts); waits and last dates are this
// node's own sites' (computed in SQL over their rows: days and counts only, never a patient). Any member of the trial
// may read it, like the dashboard's counts.
import "server-only";
import { trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { daysBetween, fromDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { trialTallies } from "@/lib/enrolment/joint";
import { months } from "@/lib/forecast/observed";
import { funnel, funnelLimits, type Flag } from "./funnel";

/** Below these no site is flagged: patients screened (screen failures), months open (enrolment rate). */
export const MINIMUM = { screened: 10, monthsOpen: 3 } as const;

export interface SitePerformance {
  siteId: string;
  code: string;
  nameEn: string;
  nameLocal: string;
  country: string;
  status: string;
  activationDate: string | null;
  monthsOpen: number;
  plannedPerMonth: number;
  screened: number;
  eligible: number;
  screenFailed: number;
  consented: number;
  enrolled: number;
  screenFailureShare: number | null;
  /** Why they failed screening, by reason code (this node's sites only; null for the peer's). */
  reasons: Record<string, number> | null;
  /** Consented among those found eligible. */
  consentShare: number | null;
  enrolledPerMonth: number | null;
  /** Screened against what the plan asked for over the months open. */
  shareOfPlan: number | null;
  medianDaysToConsent: number | null;
  medianDaysToEnrolment: number | null;
  daysSinceScreening: number | null;
  daysSinceEnrolment: number | null;
  /** Funnel-plot scores and flags (null flag: within limits, or too few to judge). */
  screenFailure: { z: number | null; flag: Flag; tooFew: boolean };
  enrolment: { z: number | null; flag: Flag; tooFew: boolean };
}

interface LocalFacts {
  siteId: string;
  toConsent: number | null;
  toEnrolment: number | null;
  lastScreening: Date | null;
  lastEnrolment: Date | null;
}

export async function sitePerformance(actor: Actor, trialId: string, today = todayIn("UTC")) {
  await trialAccess(actor, trialId); // not found unless a member; counts only from here on
  const [trial, tallies, local] = await Promise.all([
    db().trial.findUniqueOrThrow({
      where: { id: trialId },
      select: {
        code: true,
        trialSites: {
          select: {
            siteId: true,
            status: true,
            plannedScreeningRate: true,
            activationDate: true,
            site: { select: { code: true, nameEn: true, nameLocal: true, country: true, timeZone: true } },
          },
          orderBy: { site: { code: "asc" } },
        },
      },
    }),
    trialTallies(db(), trialId),
    db().$queryRaw<LocalFacts[]>`
      WITH p AS (SELECT "id", "siteId", "screeningDate" FROM "Participant" WHERE "trialId" = ${trialId} AND "voidedAt" IS NULL),
      steps AS (
        SELECT p."siteId", p."screeningDate", c."toStatus", c."date" FROM p JOIN "StatusChange" c ON c."participantId" = p."id"
         WHERE c."toStatus" IN ('CONSENTED', 'ENROLLED')
           AND NOT EXISTS (SELECT 1 FROM "StatusChange" corr WHERE corr."correctsId" = c."id")
      )
      SELECT p."siteId",
             (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s."date" - s."screeningDate") FROM steps s WHERE s."siteId" = p."siteId" AND s."toStatus" = 'CONSENTED')::float8 AS "toConsent",
             (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s."date" - s."screeningDate") FROM steps s WHERE s."siteId" = p."siteId" AND s."toStatus" = 'ENROLLED')::float8 AS "toEnrolment",
             max(p."screeningDate") AS "lastScreening",
             (SELECT max(s."date") FROM steps s WHERE s."siteId" = p."siteId" AND s."toStatus" = 'ENROLLED') AS "lastEnrolment"
        FROM p GROUP BY p."siteId"`,
  ]);
  const count = new Map(tallies.map((r) => [`${r.dimension}|${r.key}|${r.metric}`, r.value]));
  const get = (siteId: string, metric: string) => count.get(`site|${siteId}|${metric}`) ?? 0;
  const facts = new Map(local.map((f) => [f.siteId, f]));
  const reasonsOf = (siteId: string) => {
    const out: Record<string, number> = {};
    for (const r of tallies) if (r.dimension === "reason" && r.key.startsWith(`${siteId}:`)) out[r.key.slice(siteId.length + 1)] = r.value;
    return out;
  };

  const base = trial.trialSites.map((ts) => {
    const activation = ts.activationDate ? fromDbDate(ts.activationDate) : null;
    const monthsOpen = activation ? Math.max(0, months(activation, today)) : 0;
    const screened = get(ts.siteId, "screened");
    const f = facts.get(ts.siteId);
    const siteToday = todayIn(ts.site.timeZone);
    const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
    return {
      siteId: ts.siteId,
      code: ts.site.code,
      nameEn: ts.site.nameEn,
      nameLocal: ts.site.nameLocal,
      country: ts.site.country,
      status: ts.status,
      activationDate: activation,
      monthsOpen,
      plannedPerMonth: ts.plannedScreeningRate,
      screened,
      eligible: get(ts.siteId, "eligible"),
      screenFailed: get(ts.siteId, "screenFailed"),
      consented: get(ts.siteId, "consented"),
      enrolled: get(ts.siteId, "enrolled"),
      screenFailureShare: ratio(get(ts.siteId, "screenFailed"), screened),
      reasons: f || screened === 0 ? reasonsOf(ts.siteId) : null,
      consentShare: ratio(get(ts.siteId, "consented"), get(ts.siteId, "eligible")),
      enrolledPerMonth: ratio(get(ts.siteId, "enrolled"), monthsOpen),
      shareOfPlan: ratio(screened, ts.plannedScreeningRate * monthsOpen),
      medianDaysToConsent: f?.toConsent ?? null,
      medianDaysToEnrolment: f?.toEnrolment ?? null,
      daysSinceScreening: f?.lastScreening ? daysBetween(fromDbDate(f.lastScreening), siteToday) : null,
      daysSinceEnrolment: f?.lastEnrolment ? daysBetween(fromDbDate(f.lastEnrolment), siteToday) : null,
    };
  });

  const open = base.filter((s) => s.activationDate !== null);
  const failures = funnel(
    "share",
    open.map((s) => ({ id: s.siteId, numerator: s.screenFailed, denominator: s.screened })),
    MINIMUM.screened,
  );
  const enrolment = funnel(
    "rate",
    open.map((s) => ({ id: s.siteId, numerator: s.enrolled, denominator: s.monthsOpen })),
    MINIMUM.monthsOpen,
  );
  const scoreOf = (f: typeof failures, siteId: string) => {
    const s = f.sites.find((x) => x.id === siteId);
    return { z: s?.z ?? null, flag: s?.flag ?? null, tooFew: s?.tooFew ?? true };
  };
  const sites: SitePerformance[] = base.map((s) => ({ ...s, screenFailure: scoreOf(failures, s.siteId), enrolment: scoreOf(enrolment, s.siteId) }));
  const steps = (max: number) => Array.from({ length: 40 }, (_, i) => Math.max(1, (max * (i + 1)) / 40));
  return {
    trialCode: trial.code,
    asOf: today,
    minimum: MINIMUM,
    sites,
    funnels: {
      screenFailure: {
        overall: failures.overall,
        phi: failures.phi,
        limits: funnelLimits(failures, steps(Math.max(MINIMUM.screened, ...open.map((s) => s.screened)))),
      },
      enrolment: {
        overall: enrolment.overall,
        phi: enrolment.phi,
        limits: funnelLimits(enrolment, steps(Math.max(MINIMUM.monthsOpen, ...open.map((s) => s.monthsOpen)))),
      },
    },
  };
}

export type SitePerformanceReport = Awaited<ReturnType<typeof sitePerformance>>;
