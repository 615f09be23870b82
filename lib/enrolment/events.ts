// The append-only enrolment event log: one row per change to a trial's counts, written in the same transaction as
// the change (so nothing committed is missed and nothing rolled back is ever sent), carrying the trial's new counts
// (totals, by country, by cohort: no patient-level data). NOTIFY wakes every app instance once the transaction
// commits. The trial lock makes event ids follow commit order within a trial.
import type { Country } from "@/lib/db/generated/enums";
import type { Tx } from "@/lib/db/prisma";
import { METRICS, zero, type Counts, type Metric } from "./summary";
import { lockTrial } from "./tally";

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

export async function appendEnrolmentEvent(tx: Tx, trialId: string) {
  await lockTrial(tx, trialId);
  const payload = await currentCounts(tx, trialId);
  const event = await tx.enrolmentEvent.create({ data: { trialId, type: "enrolment", payload: payload as unknown as object } });
  await tx.$executeRaw`SELECT pg_notify(${ENROLMENT_CHANNEL}, ${`${trialId}:${event.id}`})`;
  return event;
}
