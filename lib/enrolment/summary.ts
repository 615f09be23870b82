// Enrolment counts per trial and country, recounted from participant rows. Enrolment is cumulative: withdrawn and
// completed participants were enrolled and still count. Voided records never count.
import "server-only";
import { db } from "@/lib/db/client";
import type { Country } from "@/lib/db/generated/enums";

export interface CountryCounts {
  screened: number;
  enrolled: number;
}

export interface TrialCounts {
  screened: number;
  enrolled: number;
  byCountry: Record<Country, CountryCounts>;
}

const empty = (): TrialCounts => ({ screened: 0, enrolled: 0, byCountry: { US: { screened: 0, enrolled: 0 }, CN: { screened: 0, enrolled: 0 } } });

export async function countsByTrial(trialIds: readonly string[]): Promise<Map<string, TrialCounts>> {
  const result = new Map(trialIds.map((id) => [id, empty()]));
  if (trialIds.length === 0) return result;
  const rows = await db().$queryRaw<{ trialId: string; country: Country; screened: number; enrolled: number }[]>`
    SELECT p."trialId", s."country",
           count(*)::int AS screened,
           count(*) FILTER (WHERE p."status" IN ('ENROLLED', 'WITHDRAWN', 'COMPLETED'))::int AS enrolled
      FROM "Participant" p
      JOIN "Site" s ON s."id" = p."siteId"
     WHERE p."trialId" = ANY(${[...trialIds]}) AND p."voidedAt" IS NULL
     GROUP BY p."trialId", s."country"`;
  for (const row of rows) {
    const counts = result.get(row.trialId)!;
    counts.screened += row.screened;
    counts.enrolled += row.enrolled;
    counts.byCountry[row.country] = { screened: row.screened, enrolled: row.enrolled };
  }
  return result;
}

export async function enrolledByCohort(trialId: string): Promise<Map<string, number>> {
  const rows = await db().participant.groupBy({
    by: ["cohortId"],
    where: { trialId, voidedAt: null, status: { in: ["ENROLLED", "WITHDRAWN", "COMPLETED"] } },
    _count: { _all: true },
  });
  return new Map(rows.filter((r) => r.cohortId).map((r) => [r.cohortId!, r._count._all]));
}
