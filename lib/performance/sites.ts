// Site performance (issue 18 item 5): per site, its funnel from screening to enrolment, its pace against plan and
// since activation, how long its patients wait, how long since it last screened and enrolled; and funnel plots of its
// screen-failure share and its enrolment rate against the other sites' (./funnel.ts). Counts come from the kept
// counters through the dashboard's summary (lib/enrolment/summary.ts), joint with the peer's when there are two
// nodes; waits and the last enrolment are this node's own sites' (SQL over their rows: days and counts only). Any member of the trial
// may read it, like the dashboard's counts.
import "server-only";
import { trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { addMonths, daysBetween, DAYS_PER_MONTH, fromDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import type { Country } from "@/lib/db/generated/enums";
import { enrolmentSummary, type EnrolmentSummary } from "@/lib/enrolment/summary";
import { missProbability } from "./behind";
import { funnel, funnelLimits, type Flag } from "./funnel";

/** Below these no site is flagged: patients screened (screen failures), months open (enrolment rate, behind plan). */
export const MINIMUM = { screened: 10, monthsOpen: 3 } as const;
/** A site is shown behind plan from this probability of missing its share (alert rules choose their own). */
export const BEHIND_AT = 0.9;

/** Whether a site is behind plan at a chance of missing its share (0 to 1): open long enough to judge, and that likely. */
export function isBehind(site: { missProbability: number | null; monthsOpen: number }, at = BEHIND_AT): boolean {
  return site.missProbability !== null && site.monthsOpen >= MINIMUM.monthsOpen && site.missProbability >= at;
}

export interface SitePerformance {
  siteId: string;
  code: string;
  nameEn: string;
  nameLocal: string;
  country: Country;
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
  /**
   * The probability that the site screens fewer than its plan asks of it by the trial's planned end (./behind.ts);
   * null for a site not open.
   */
  missProbability: number | null;
  /** Open long enough to judge (MINIMUM.monthsOpen) and at least BEHIND_AT likely to miss its share. */
  behind: boolean;
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
  lastEnrolment: Date | null;
}

export async function sitePerformance(actor: Actor, trialId: string) {
  await trialAccess(actor, trialId); // not found unless a member; counts only from here on
  return performanceFrom(await enrolmentSummary(db(), trialId));
}

/**
 * The same from the dashboard's summary already read (the Excel report reads one for its other sheets; its caller
 * has checked access): its per-site figures (counts, reasons, activation, months active, days since the last
 * screening), so that the two never disagree; waits and the last enrolment from this node's own rows.
 */
export async function performanceFrom(summary: EnrolmentSummary) {
  const trialId = summary.trialId;
  const [trial, local] = await Promise.all([
    db().trial.findUniqueOrThrow({
      where: { id: trialId },
      select: {
        code: true,
        plannedStart: true,
        plannedEnrolmentMonths: true,
        trialSites: { select: { siteId: true, plannedScreeningRate: true, site: { select: { timeZone: true } } } },
      },
    }),
    db().$queryRaw<LocalFacts[]>`
      WITH p AS (SELECT "id", "siteId", "screeningDate" FROM "Participant" WHERE "trialId" = ${trialId} AND "voidedAt" IS NULL),
      steps AS (
        SELECT p."siteId", p."screeningDate", c."toStatus", c."date" FROM p JOIN "StatusChange" c ON c."participantId" = p."id"
         WHERE c."toStatus" IN ('CONSENTED', 'ENROLLED')
           AND NOT EXISTS (SELECT 1 FROM "StatusChange" corr WHERE corr."correctsId" = c."id")
      )
      SELECT s."siteId",
             percentile_cont(0.5) WITHIN GROUP (ORDER BY s."date" - s."screeningDate") FILTER (WHERE s."toStatus" = 'CONSENTED')::float8 AS "toConsent",
             percentile_cont(0.5) WITHIN GROUP (ORDER BY s."date" - s."screeningDate") FILTER (WHERE s."toStatus" = 'ENROLLED')::float8 AS "toEnrolment",
             max(s."date") FILTER (WHERE s."toStatus" = 'ENROLLED') AS "lastEnrolment"
        FROM steps s GROUP BY s."siteId"`,
  ]);
  const plan = new Map(trial.trialSites.map((ts) => [ts.siteId, ts]));
  const facts = new Map(local.map((f) => [f.siteId, f]));
  // The peer's sites: their counts come in its snapshots, their reasons, waits and dates do not.
  const peerCountry = summary.federation?.country ?? null;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  const plannedEnd = addMonths(fromDbDate(trial.plannedStart), trial.plannedEnrolmentMonths);

  const base = summary.bySite.map((site) => {
    const monthsOpen = site.monthsActive ?? 0;
    const planned = plan.get(site.siteId)!;
    const f = facts.get(site.siteId);
    const peer = site.country === peerCountry;
    const miss =
      site.status === "ACTIVE" && site.activationDate
        ? missProbability({
            planned: planned.plannedScreeningRate,
            screened: site.screened,
            monthsOpen,
            monthsLeft: daysBetween(todayIn(planned.site.timeZone), plannedEnd) / DAYS_PER_MONTH,
          })
        : null;
    return {
      siteId: site.siteId,
      code: site.code,
      nameEn: site.nameEn,
      nameLocal: site.nameLocal,
      country: site.country,
      status: site.status,
      activationDate: site.activationDate,
      monthsOpen,
      plannedPerMonth: planned.plannedScreeningRate,
      screened: site.screened,
      eligible: site.eligible,
      screenFailed: site.screenFailed,
      consented: site.consented,
      enrolled: site.enrolled,
      screenFailureShare: ratio(site.screenFailed, site.screened),
      reasons: peer ? null : Object.fromEntries(site.screenFailureReasons.map((r) => [r.code, r.count])),
      consentShare: ratio(site.consented, site.eligible),
      enrolledPerMonth: site.enrolmentRatePerMonth,
      shareOfPlan: ratio(site.screened, planned.plannedScreeningRate * monthsOpen),
      missProbability: miss,
      behind: isBehind({ missProbability: miss, monthsOpen }),
      medianDaysToConsent: f?.toConsent ?? null,
      medianDaysToEnrolment: f?.toEnrolment ?? null,
      daysSinceScreening: site.daysSinceLastScreening,
      daysSinceEnrolment: f?.lastEnrolment ? daysBetween(fromDbDate(f.lastEnrolment), todayIn(planned.site.timeZone)) : null,
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
  const scores = (f: typeof failures) => new Map(f.sites.map((x) => [x.id, { z: x.z, flag: x.flag, tooFew: x.tooFew }]));
  const [failureScores, enrolmentScores] = [scores(failures), scores(enrolment)];
  const unscored = { z: null, flag: null, tooFew: true };
  const sites: SitePerformance[] = base.map((s) => ({
    ...s,
    screenFailure: failureScores.get(s.siteId) ?? unscored,
    enrolment: enrolmentScores.get(s.siteId) ?? unscored,
  }));
  const steps = (max: number) => Array.from({ length: 40 }, (_, i) => Math.max(1, (max * (i + 1)) / 40));
  return {
    trialCode: trial.code,
    asOf: summary.asOf.slice(0, 10),
    minimum: MINIMUM,
    behindAt: BEHIND_AT,
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

export type SitePerformanceReport = Awaited<ReturnType<typeof performanceFrom>>;
