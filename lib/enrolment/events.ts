// The append-only enrolment event log: one row per change to a trial's counts, written in the same transaction as
// the change (so nothing committed is missed and nothing rolled back is ever sent), carrying the trial's new counts
// and no patient-level data. NOTIFY wakes every app instance once the transaction commits.
import type { Tx } from "@/lib/db/prisma";

export async function trialCountsIn(tx: Tx, trialId: string) {
  const rows = await tx.$queryRaw<{ country: "US" | "CN"; status: string; n: number }[]>`
    SELECT s."country", p."status", count(*)::int AS n
      FROM "Participant" p JOIN "Site" s ON s."id" = p."siteId"
     WHERE p."trialId" = ${trialId} AND p."voidedAt" IS NULL
     GROUP BY s."country", p."status"`;
  const empty = () => ({ screened: 0, eligible: 0, screenFailed: 0, consented: 0, enrolled: 0, withdrawn: 0, completed: 0 });
  const byCountry = { US: empty(), CN: empty() };
  const totals = empty();
  // Cumulative: each status implies the ones before it on the path.
  const reached: Record<string, (keyof ReturnType<typeof empty>)[]> = {
    SCREENED: ["screened"],
    ELIGIBLE: ["screened", "eligible"],
    SCREEN_FAILED: ["screened", "screenFailed"],
    CONSENTED: ["screened", "eligible", "consented"],
    ENROLLED: ["screened", "eligible", "consented", "enrolled"],
    WITHDRAWN: ["screened", "eligible", "consented", "enrolled", "withdrawn"],
    COMPLETED: ["screened", "eligible", "consented", "enrolled", "completed"],
  };
  for (const row of rows) {
    for (const key of reached[row.status] ?? []) {
      byCountry[row.country][key] += row.n;
      totals[key] += row.n;
    }
  }
  return { totals, byCountry };
}

export async function appendEnrolmentEvent(tx: Tx, trialId: string) {
  const counts = await trialCountsIn(tx, trialId);
  const event = await tx.enrolmentEvent.create({ data: { trialId, type: "enrolment", payload: counts } });
  await tx.$executeRaw`SELECT pg_notify('enrolment', ${`${trialId}:${event.id}`})`;
  return event;
}
