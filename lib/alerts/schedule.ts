// Time-based alert rules (a site that has screened nobody for N days, a site likely to miss its share of plan, a peer
// node whose counts are stale, paused or refused): nothing happens to trigger them, so each
// instance's sweep (lib/jobs/background.ts) enqueues every rule's check for the current period, keyed by rule and
// period (the queue keeps one job a key waiting), and the job (lib/jobs/work.ts) runs `runAlertCheck`. The check takes
// the rule's lock, passes over a period already checked, tells, and writes its AlertCheck row in one transaction:
// two instances, or a retry after a crash, check a rule once per period, and a check that dies tells nobody.
import type { Db, Tx } from "@/lib/db/prisma";
import { daysBetween, fromDbDate, todayIn } from "@/lib/dates/calendar";
import { enrolmentSummary } from "@/lib/enrolment/summary";
import { thisNode } from "@/lib/federation/node";
import { peerState } from "@/lib/federation/status";
import { isBehind, performanceFrom } from "@/lib/performance/sites";
import { isTimed, TIMED_KINDS } from "./kinds";
import { tell, type Occasion } from "./tell";

/** The start of the period `now` falls in (ISO 8601, UTC): periods of `seconds` from the epoch. */
export function periodOf(now: Date, seconds: number): string {
  return new Date(Math.floor(now.getTime() / (seconds * 1000)) * seconds * 1000).toISOString();
}

/** Time-based rules not yet checked in `period`. */
export async function dueChecks(db: Db, period: string): Promise<{ ruleId: string; period: string }[]> {
  const rules = await db.alertRule.findMany({
    where: { kind: { in: [...TIMED_KINDS] }, disabledAt: null, checks: { none: { period } } },
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

/**
 * A trial's open sites at least `percent`% likely to miss their share of plan by its planned end, and open long
 * enough to judge (lib/performance/sites.ts, the site performance page's figures). Told once a calendar month (UTC)
 * while a site stays behind: a reminder, not a stream.
 */
export async function behindOccasions(tx: Tx, trialId: string, percent: number, now = new Date()): Promise<Occasion[]> {
  const report = await performanceFrom(await enrolmentSummary(tx, trialId, now));
  const month = now.toISOString().slice(0, 7);
  return report.sites
    .filter((s) => isBehind(s, percent / 100))
    .map((s) => ({
      occasion: `behind:${s.siteId}:${month}`,
      siteId: s.siteId,
      params: { site: s.code, chance: Math.round(s.missProbability! * 100), screened: s.screened },
    }));
}

/**
 * The peer node, when its counts are stale, paused by its origin or refused: one occasion per state and the time it
 * began from (the last verified as-of time; the refusal's time), so one outage is told once and the next again.
 */
export async function peerOccasions(tx: Tx, now = new Date()): Promise<Occasion[]> {
  if (!thisNode()) return [];
  const peer = await tx.federationPeer.findFirst();
  if (!peer) return [];
  const state = peerState(peer, now);
  if (state !== "stale" && state !== "paused" && state !== "rejected") return [];
  const since = (state === "rejected" ? peer.rejectedAt : peer.lastAsOf)?.toISOString() ?? "";
  return [{ occasion: `peer:${peer.origin}:${state}:${since}`, siteId: null, params: { origin: peer.origin, country: peer.country, state, since } }];
}

async function timedOccasions(tx: Tx, rule: { trialId: string; kind: string; days: number | null; percent: number | null }): Promise<Occasion[] | null> {
  switch (rule.kind) {
    case "SITE_SILENT":
      return rule.days ? silentOccasions(tx, rule.trialId, rule.days) : null;
    case "SITE_BEHIND_PLAN":
      return rule.percent ? behindOccasions(tx, rule.trialId, rule.percent) : null;
    case "PEER_STALE":
      return peerOccasions(tx);
    default:
      return null;
  }
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
        select: { id: true, trialId: true, kind: true, days: true, percent: true, roles: true, baseline: true, disabledAt: true },
      });
      if (done || !rule || rule.disabledAt || !isTimed(rule.kind)) return { checked: false, told: 0 };
      if (holdMs) await new Promise((resolve) => setTimeout(resolve, holdMs));
      const occasions = await timedOccasions(tx, rule);
      if (!occasions) return { checked: false, told: 0 };
      const told = await tell(tx, rule.trialId, rule, occasions);
      await tx.alertCheck.create({ data: { ruleId: rule.id, period: job.period, told } });
      return { checked: true, told };
    },
    { timeout: holdMs + 60_000 },
  );
}
