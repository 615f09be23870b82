// The append-only enrolment event log: one row each time the folder moves a trial's committed counter changes into
// its counts (so nothing rolled back is ever sent, and nothing committed is missed), carrying the trial's new counts
// (totals, by country, by cohort: no patient-level data). NOTIFY wakes every app instance once the fold commits. The
// trial's fold lock makes event ids follow commit order within a trial. Writers themselves never NOTIFY: PostgreSQL
// serialises the commits of every notifying transaction in the database, which would make all trials wait on each.
import { checkAlertRules } from "@/lib/alerts/check";
import type { Country } from "@/lib/db/generated/enums";
import type { Tx } from "@/lib/db/prisma";
import type { FederationView } from "@/lib/federation/status";
import { jointTallies } from "./joint";
import { METRICS, zero, type Counts, type Metric } from "./summary";

export const ENROLMENT_CHANNEL = "enrolment";

export interface EnrolmentCounts {
  totals: Counts;
  byCountry: Record<Country, Counts>;
  byCohort: Record<string, Record<Country, number>>;
  /** Each site's counts (metrics it has none of are left out), so open dashboards redraw their site table at once. */
  bySite: Record<string, Partial<Counts>>;
  /** The peer node's state and as-of time, when the trial's counts include a peer's. */
  federation: FederationView | null;
  /** Places held for consented patients, by cohort (lib/matching/places.ts). */
  held: Record<string, number>;
}

/**
 * Appends the trial's event with its new counts (this node's and its peer's, lib/enrolment/joint.ts) and notifies, in
 * one statement. The caller holds the trial's fold lock (lib/enrolment/tally.ts foldTrial), which keeps the trial's
 * event ids in commit order.
 */
export async function appendEnrolmentEvent(tx: Tx, trialId: string) {
  const payload = await currentCounts(tx, trialId);
  // The trial's alert rules see the same counts, in the same transaction: once per rule, person and occasion.
  await checkAlertRules(tx, trialId, payload);
  const [event] = await tx.$queryRaw<{ id: bigint }[]>`
    WITH e AS (INSERT INTO "EnrolmentEvent" ("trialId", "type", "payload") VALUES (${trialId}, 'enrolment', ${JSON.stringify(payload)}::jsonb) RETURNING "id")
    SELECT e."id" FROM e, LATERAL (SELECT pg_notify(${ENROLMENT_CHANNEL}, ${trialId} || ':' || e."id")) AS n`;
  return event!;
}

/** The trial's counts as an event carries them (this node's and its peer's), as they stand in the transaction. */
export async function currentCounts(tx: Tx, trialId: string): Promise<EnrolmentCounts> {
  const joint = await jointTallies(tx, trialId);
  const sites = await tx.trialSite.findMany({ where: { trialId }, select: { siteId: true, site: { select: { country: true } } } });
  const countryOf = new Map(sites.map((s) => [s.siteId, s.site.country]));
  const held = await tx.placeReservation.groupBy({
    by: ["cohortId"],
    where: { state: "HELD", expiresAt: { gt: new Date() }, cohort: { trialId } },
    _count: true,
  });
  const payload: EnrolmentCounts = {
    totals: zero(),
    byCountry: { US: zero(), CN: zero() },
    byCohort: {},
    bySite: {},
    federation: joint.federation,
    held: Object.fromEntries(held.map((h) => [h.cohortId, h._count])),
  };
  for (const t of joint.tallies) {
    if (t.dimension === "site" && (METRICS as readonly string[]).includes(t.metric)) {
      const metric = t.metric as Metric;
      const country = countryOf.get(t.key);
      payload.totals[metric] += t.value;
      if (country) payload.byCountry[country][metric] += t.value;
      (payload.bySite[t.key] ??= {})[metric] = t.value;
    } else if (t.dimension === "cohort") {
      const i = t.key.lastIndexOf(":");
      const country = t.key.slice(i + 1) as Country;
      const cohort = (payload.byCohort[t.key.slice(0, i)] ??= { US: 0, CN: 0 });
      cohort[country] += t.value;
    }
  }
  return payload;
}
