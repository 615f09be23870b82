// The append-only enrolment event log: one row each time the folder moves a trial's committed counter changes into
// its counts (so nothing rolled back is ever sent, and nothing committed is missed), carrying the trial's new counts
// (totals, by country, by cohort: no patient-level data). NOTIFY wakes every app instance once the fold commits. The
// trial's fold lock makes event ids follow commit order within a trial. Writers themselves never NOTIFY: PostgreSQL
// serialises the commits of every notifying transaction in the database, which would make all trials wait on each.
import type { Country } from "@/lib/db/generated/enums";
import type { Tx } from "@/lib/db/prisma";
import { METRICS, type Counts } from "./summary";

export const ENROLMENT_CHANNEL = "enrolment";

export interface EnrolmentCounts {
  totals: Counts;
  byCountry: Record<Country, Counts>;
  byCohort: Record<string, Record<Country, number>>;
  /** Each site's counts (metrics it has none of are left out), so open dashboards redraw their site table at once. */
  bySite: Record<string, Partial<Counts>>;
}

/**
 * Appends the trial's event with its new counts and notifies, in one statement. The caller holds the trial's fold
 * lock (lib/enrolment/tally.ts foldTrial), which keeps the trial's event ids in commit order.
 */
export async function appendEnrolmentEvent(tx: Tx, trialId: string) {
  const [event] = await tx.$queryRaw<{ id: bigint }[]>`
    WITH site AS (
      SELECT s."country"::text AS country, t."metric", sum(t."value")::int AS value
        FROM "Tally" t JOIN "Site" s ON s."id" = t."key"
       WHERE t."trialId" = ${trialId} AND t."dimension" = 'site' AND t."metric" = ANY(${[...METRICS]}::text[])
       GROUP BY 1, 2),
    cohort AS (
      SELECT split_part(t."key", ':', 1) AS cohort, split_part(t."key", ':', 2) AS country, sum(t."value")::int AS value
        FROM "Tally" t WHERE t."trialId" = ${trialId} AND t."dimension" = 'cohort' GROUP BY 1, 2),
    bysite AS (
      SELECT t."key" AS site, jsonb_object_agg(t."metric", t."value") AS counts
        FROM "Tally" t WHERE t."trialId" = ${trialId} AND t."dimension" = 'site' AND t."metric" = ANY(${[...METRICS]}::text[]) GROUP BY 1),
    e AS (
      INSERT INTO "EnrolmentEvent" ("trialId", "type", "payload")
      SELECT ${trialId}, 'enrolment', jsonb_build_object(
        'totals', (SELECT jsonb_object_agg(m, COALESCE((SELECT sum(value) FROM site WHERE metric = m), 0)) FROM unnest(${[...METRICS]}::text[]) m),
        'byCountry', (SELECT jsonb_object_agg(c, (SELECT jsonb_object_agg(m, COALESCE((SELECT value FROM site WHERE country = c AND metric = m), 0)) FROM unnest(${[...METRICS]}::text[]) m))
                        FROM unnest(ARRAY['US', 'CN']) c),
        'byCohort', COALESCE((SELECT jsonb_object_agg(cohort, jsonb_build_object('US', us, 'CN', cn))
                                FROM (SELECT cohort, sum(value) FILTER (WHERE country = 'US')::int AS us, sum(value) FILTER (WHERE country = 'CN')::int AS cn FROM cohort GROUP BY 1) x), '{}'::jsonb),
        'bySite', COALESCE((SELECT jsonb_object_agg(site, counts) FROM bysite), '{}'::jsonb))
      RETURNING "id")
    SELECT e."id" FROM e, LATERAL (SELECT pg_notify(${ENROLMENT_CHANNEL}, ${trialId} || ':' || e."id")) AS n`;
  return event!;
}
