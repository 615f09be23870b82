// Time-based alert rules (a site that has screened nobody for N days): nothing happens to trigger them, so each
// instance's sweep (lib/jobs/background.ts) enqueues every rule's check for the current period, keyed by rule and
// period (the queue keeps one job a key waiting), and the job (lib/jobs/work.ts) runs `runAlertCheck`. The check takes
// the rule's lock, passes over a period already checked, tells, and writes its AlertCheck row in one transaction:
// two instances, or a retry after a crash, check a rule once per period, and a check that dies tells nobody.
import type { Db, Tx } from "@/lib/db/prisma";
import { daysBetween, fromDbDate, todayIn } from "@/lib/dates/calendar";
import { tell, type Occasion } from "./tell";

/** The start of the period `now` falls in (ISO 8601, UTC): periods of `seconds` from the epoch. */
export function periodOf(now: Date, seconds: number): string {
  return new Date(Math.floor(now.getTime() / (seconds * 1000)) * seconds * 1000).toISOString();
}

/** Time-based rules not yet checked in `period`. */
export async function dueChecks(db: Db, period: string): Promise<{ ruleId: string; period: string }[]> {
  const rules = await db.alertRule.findMany({
    where: { kind: "SITE_SILENT", disabledAt: null, checks: { none: { period } } },
    select: { id: true },
  });
  return rules.map((r) => ({ ruleId: r.id, period }));
}

/**
 * A trial's open sites that have screened nobody for `days` days or more (counted from their activation when they
 * have screened nobody yet), each in its own calendar. The occasion is the silence's start, so one silence is told
 * once, and the next silence again.
 */
export async function silentOccasions(tx: Tx, trialId: string, days: number, now = new Date()): Promise<Occasion[]> {
  const sites = await tx.$queryRaw<{ siteId: string; code: string; timeZone: string; activationDate: Date; last: Date | null }[]>`
    SELECT ts."siteId", s."code", s."timeZone", ts."activationDate",
           (SELECT max(p."screeningDate") FROM "Participant" p
             WHERE p."trialId" = ts."trialId" AND p."siteId" = ts."siteId" AND p."voidedAt" IS NULL) AS last
      FROM "TrialSite" ts JOIN "Site" s ON s."id" = ts."siteId"
     WHERE ts."trialId" = ${trialId} AND ts."status" = 'ACTIVE' AND ts."activationDate" IS NOT NULL`;
  const occasions: Occasion[] = [];
  for (const site of sites) {
    const since = fromDbDate(site.last ?? site.activationDate);
    const silent = daysBetween(since, todayIn(site.timeZone, now));
    if (silent >= days) occasions.push({ occasion: `silent:${site.siteId}:${since}`, siteId: site.siteId, params: { site: site.code, days: silent, since } });
  }
  return occasions;
}

export interface CheckOutcome {
  /** False when the period had been checked already (by another instance, or before a crash's retry). */
  checked: boolean;
  told: number;
}

/** Checks one time-based rule for one period, once. `holdMs` keeps the lock that long first (crash tests). */
export async function runAlertCheck(db: Db, job: { ruleId: string; period: string }, holdMs = 0): Promise<CheckOutcome> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('alert-check'), hashtext(${job.ruleId}))`;
      const done = await tx.alertCheck.findUnique({ where: { ruleId_period: job }, select: { id: true } });
      const rule = await tx.alertRule.findUnique({
        where: { id: job.ruleId },
        select: { id: true, trialId: true, kind: true, days: true, roles: true, baseline: true, disabledAt: true },
      });
      if (done || !rule || rule.disabledAt || rule.kind !== "SITE_SILENT" || !rule.days) return { checked: false, told: 0 };
      if (holdMs) await new Promise((resolve) => setTimeout(resolve, holdMs));
      const told = await tell(tx, rule.trialId, rule, await silentOccasions(tx, rule.trialId, rule.days));
      await tx.alertCheck.create({ data: { ruleId: rule.id, period: job.period, told } });
      return { checked: true, told };
    },
    { timeout: holdMs + 60_000 },
  );
}
