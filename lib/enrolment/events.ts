// The append-only enrolment event log: one row per change to a trial's counts, written in the same transaction as
// the change (so nothing committed is missed and nothing rolled back is ever sent), carrying the trial's new counts
// (totals, by country, by cohort: no patient-level data). NOTIFY wakes every app instance once the transaction
// commits. The trial lock makes event ids follow commit order within a trial.
import type { Country } from "@/lib/db/generated/enums";
import type { Tx } from "@/lib/db/prisma";
import { METRICS, zero, type Counts, type Metric } from "./summary";

export const ENROLMENT_CHANNEL = "enrolment";

export interface EnrolmentCounts {
  totals: Counts;
  byCountry: Record<Country, Counts>;
  byCohort: Record<string, Record<Country, number>>;
}


/** The trial's counts from its kept counters, in one small aggregate query. */
export async function currentCounts(tx: Pick<Tx, "$queryRaw">, trialId: string): Promise<EnrolmentCounts> {
  const rows = await tx.$queryRaw<{ scope: string; metric: string; value: number }[]>`
    SELECT s."country"::text AS scope, t."metric", sum(t."value")::int AS value
      FROM "Tally" t JOIN "Site" s ON s."id" = t."key"
     WHERE t."trialId" = ${trialId} AND t."dimension" = 'site'
     GROUP BY s."country", t."metric"
    UNION ALL
    SELECT 'cohort:' || t."key", t."metric", t."value" FROM "Tally" t WHERE t."trialId" = ${trialId} AND t."dimension" = 'cohort'`;
  const counts: EnrolmentCounts = { totals: zero(), byCountry: { US: zero(), CN: zero() }, byCohort: {} };
  for (const row of rows) {
    if (row.scope.startsWith("cohort:")) {
      const [, cohortId, country] = row.scope.split(":") as [string, string, Country];
      counts.byCohort[cohortId] ??= { US: 0, CN: 0 };
      counts.byCohort[cohortId][country] += row.value;
    } else if ((METRICS as readonly string[]).includes(row.metric)) {
      counts.byCountry[row.scope as Country][row.metric as Metric] += row.value;
      counts.totals[row.metric as Metric] += row.value;
    }
  }
  return counts;
}

/**
 * Appends the trial's event with its new counts and notifies, in one statement: under the trial's lock (taken by the
 * counters' update earlier in the transaction, or here), this and the commit are the trial's whole critical section.
 */
export async function appendEnrolmentEvent(tx: Tx, trialId: string) {
  const [event] = await tx.$queryRaw<{ id: bigint }[]>`
    WITH l AS (SELECT pg_advisory_xact_lock(hashtext(${`tally:${trialId}`}))),
    site AS (
      SELECT s."country"::text AS country, t."metric", sum(t."value")::int AS value
        FROM "Tally" t JOIN "Site" s ON s."id" = t."key"
       WHERE t."trialId" = ${trialId} AND t."dimension" = 'site' AND t."metric" = ANY(${[...METRICS]}::text[])
       GROUP BY 1, 2),
    cohort AS (
      SELECT split_part(t."key", ':', 1) AS cohort, split_part(t."key", ':', 2) AS country, sum(t."value")::int AS value
        FROM "Tally" t WHERE t."trialId" = ${trialId} AND t."dimension" = 'cohort' GROUP BY 1, 2),
    e AS (
      INSERT INTO "EnrolmentEvent" ("trialId", "type", "payload")
      SELECT ${trialId}, 'enrolment', jsonb_build_object(
        'totals', (SELECT jsonb_object_agg(m, COALESCE((SELECT sum(value) FROM site WHERE metric = m), 0)) FROM unnest(${[...METRICS]}::text[]) m),
        'byCountry', (SELECT jsonb_object_agg(c, (SELECT jsonb_object_agg(m, COALESCE((SELECT value FROM site WHERE country = c AND metric = m), 0)) FROM unnest(${[...METRICS]}::text[]) m))
                        FROM unnest(ARRAY['US', 'CN']) c),
        'byCohort', COALESCE((SELECT jsonb_object_agg(cohort, jsonb_build_object('US', us, 'CN', cn))
                                FROM (SELECT cohort, sum(value) FILTER (WHERE country = 'US')::int AS us, sum(value) FILTER (WHERE country = 'CN')::int AS cn FROM cohort GROUP BY 1) x), '{}'::jsonb))
        FROM l
      RETURNING "id")
    SELECT e."id" FROM e, LATERAL (SELECT pg_notify(${ENROLMENT_CHANNEL}, ${trialId} || ':' || e."id")) AS n`;
  return event!;
}
