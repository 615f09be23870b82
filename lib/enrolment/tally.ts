// Kept enrolment counts. Every change to a participant subtracts what the participant contributed before and adds
// what it contributes after, in the same transaction, so the dashboard reads a few hundred counters instead of
// recounting a million rows. `recount` computes the same numbers from the rows in SQL: `npm run db:verify` compares
// the two, and `--repair` rebuilds the counters from the recount.
//
// A participant contributes (unless voided):
//   site:<siteId>               screened; and eligible, screenFailed, consented, enrolled, withdrawn, completed for
//                               each step its history reached (cumulative: a withdrawn patient was enrolled)
//   cohort:<cohortId>:<country> enrolled, when enrolled into that cohort
//   month:<YYYY-MM>:<country>   screened in the month of its screening date; enrolled in the month of its enrolment
//                               (the site's calendar dates, so months never shift between time zones)
//   reason:<siteId>:<code>      count, when it failed screening for that reason
//   tested:<country>            count, when at least one test gave a result
//   yield:<country>:<subtype>   count, for each subtype detected in a tested patient
import type { Tx } from "@/lib/db/prisma";
import type { Db } from "@/lib/db/prisma";
import { fromDbDate, monthOf } from "@/lib/dates/calendar";

export const STEP_METRICS: Record<string, string> = {
  ELIGIBLE: "eligible",
  SCREEN_FAILED: "screenFailed",
  CONSENTED: "consented",
  ENROLLED: "enrolled",
  WITHDRAWN: "withdrawn",
  COMPLETED: "completed",
};

export interface Contribution {
  dimension: string;
  key: string;
  metric: string;
}

export interface ParticipantSnapshot {
  siteId: string;
  country: string;
  cohortId: string | null;
  screeningDate: string;
  voided: boolean;
  steps: { to: string; date: string; reasonCode: string | null }[];
  results: { key: string; result: string }[];
}

export function contributions(p: ParticipantSnapshot | null): Contribution[] {
  if (!p || p.voided) return [];
  const out: Contribution[] = [
    { dimension: "site", key: p.siteId, metric: "screened" },
    { dimension: "month", key: `${monthOf(p.screeningDate)}:${p.country}`, metric: "screened" },
  ];
  for (const step of p.steps) {
    const metric = STEP_METRICS[step.to];
    if (!metric) continue;
    out.push({ dimension: "site", key: p.siteId, metric });
    if (step.to === "ENROLLED") {
      out.push({ dimension: "month", key: `${monthOf(step.date)}:${p.country}`, metric: "enrolled" });
      if (p.cohortId) out.push({ dimension: "cohort", key: `${p.cohortId}:${p.country}`, metric: "enrolled" });
    }
    if (step.to === "SCREEN_FAILED" && step.reasonCode) out.push({ dimension: "reason", key: `${p.siteId}:${step.reasonCode}`, metric: "count" });
  }
  if (p.results.some((r) => r.result !== "FAILED")) {
    out.push({ dimension: "tested", key: p.country, metric: "count" });
    for (const r of p.results) if (r.result === "DETECTED") out.push({ dimension: "yield", key: `${p.country}:${r.key}`, metric: "count" });
  }
  return out;
}

export async function snapshot(tx: Tx, participantId: string): Promise<ParticipantSnapshot | null> {
  const p = await tx.participant.findUnique({
    where: { id: participantId },
    select: {
      siteId: true, cohortId: true, screeningDate: true, voidedAt: true, trialId: true,
      statusChanges: { select: { toStatus: true, date: true, reasonCode: true } },
      results: { select: { result: true, subtype: { select: { key: true } } } },
    },
  });
  if (!p) return null;
  const site = await tx.site.findUniqueOrThrow({ where: { id: p.siteId }, select: { country: true } });
  return {
    siteId: p.siteId, country: site.country, cohortId: p.cohortId, screeningDate: fromDbDate(p.screeningDate), voided: p.voidedAt !== null,
    steps: p.statusChanges.map((s) => ({ to: s.toStatus, date: fromDbDate(s.date), reasonCode: s.reasonCode })),
    results: p.results.map((r) => ({ key: r.subtype.key, result: r.result })),
  };
}

/**
 * Serialises a trial's writers until commit: counters and event ids then follow commit order, so a live client that
 * has seen event n has seen every event before n.
 */
export async function lockTrial(tx: Pick<Tx, "$executeRaw">, trialId: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`tally:${trialId}`}))`;
}

/** Applies after - before to the trial's counters, in sorted key order (no deadlocks between writers). */
export async function applyChange(tx: Tx, trialId: string, before: ParticipantSnapshot | null, after: ParticipantSnapshot | null) {
  await applyChanges(tx, trialId, [{ before, after }]);
}

/**
 * Applies many participants' changes at once (an import's thousands in one statement). Takes the trial's lock: call
 * it last in the transaction, so the trial's writers wait for each other only for this short critical section.
 */
export async function applyChanges(tx: Tx, trialId: string, changes: readonly { before: ParticipantSnapshot | null; after: ParticipantSnapshot | null }[]) {
  const delta = new Map<string, number>();
  const add = (c: Contribution, sign: number) => {
    const id = `${c.dimension}\u0000${c.key}\u0000${c.metric}`;
    delta.set(id, (delta.get(id) ?? 0) + sign);
  };
  for (const { before, after } of changes) {
    for (const c of contributions(before)) add(c, -1);
    for (const c of contributions(after)) add(c, +1);
  }
  const rows = [...delta.entries()].filter(([, v]) => v !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (rows.length === 0) return;
  const split = rows.map(([id]) => id.split("\u0000") as [string, string, string]);
  // The trial's lock and the counters' update in one statement (the lock is taken before the first row is written).
  await tx.$executeRaw`
    WITH l AS (SELECT pg_advisory_xact_lock(hashtext(${`tally:${trialId}`})))
    INSERT INTO "Tally" ("trialId", "dimension", "key", "metric", "value")
    SELECT ${trialId}, d, k, m, v FROM l, unnest(${split.map((s) => s[0])}::text[], ${split.map((s) => s[1])}::text[], ${split.map((s) => s[2])}::text[], ${rows.map(([, v]) => v)}::int[]) AS t(d, k, m, v)
    ON CONFLICT ("trialId", "dimension", "key", "metric") DO UPDATE SET "value" = "Tally"."value" + EXCLUDED."value"`;
}

export interface TallyRow {
  dimension: string;
  key: string;
  metric: string;
  value: number;
}

/** The same counters, recounted from the participant rows and their histories. */
export async function recount(db: Pick<Db, "$queryRaw">, trialId: string): Promise<TallyRow[]> {
  return db.$queryRaw<TallyRow[]>`
    WITH p AS (
      SELECT p."id", p."siteId", s."country"::text AS country, p."cohortId", to_char(p."screeningDate", 'YYYY-MM') AS month
        FROM "Participant" p JOIN "Site" s ON s."id" = p."siteId"
       WHERE p."trialId" = ${trialId} AND p."voidedAt" IS NULL
    ), h AS (
      SELECT sc."participantId", sc."toStatus", sc."date", sc."reasonCode" FROM "StatusChange" sc JOIN p ON p."id" = sc."participantId"
    ), tested AS (
      SELECT DISTINCT r."participantId" FROM "ParticipantResult" r JOIN p ON p."id" = r."participantId" WHERE r."result" <> 'FAILED'
    )
    SELECT 'site' AS dimension, "siteId" AS key, 'screened' AS metric, count(*)::int AS value FROM p GROUP BY "siteId"
    UNION ALL
    SELECT 'site', p."siteId",
           CASE h."toStatus" WHEN 'ELIGIBLE' THEN 'eligible' WHEN 'SCREEN_FAILED' THEN 'screenFailed' WHEN 'CONSENTED' THEN 'consented'
                             WHEN 'ENROLLED' THEN 'enrolled' WHEN 'WITHDRAWN' THEN 'withdrawn' ELSE 'completed' END,
           count(*)::int
      FROM p JOIN h ON h."participantId" = p."id" WHERE h."toStatus" <> 'SCREENED' GROUP BY 1, 2, 3
    UNION ALL
    SELECT 'cohort', p."cohortId" || ':' || p.country, 'enrolled', count(*)::int
      FROM p JOIN h ON h."participantId" = p."id" AND h."toStatus" = 'ENROLLED' WHERE p."cohortId" IS NOT NULL GROUP BY 1, 2, 3
    UNION ALL
    SELECT 'month', p.month || ':' || p.country, 'screened', count(*)::int FROM p GROUP BY 1, 2, 3
    UNION ALL
    SELECT 'month', to_char(h."date", 'YYYY-MM') || ':' || p.country, 'enrolled', count(*)::int
      FROM p JOIN h ON h."participantId" = p."id" AND h."toStatus" = 'ENROLLED' GROUP BY 1, 2, 3
    UNION ALL
    SELECT 'reason', p."siteId" || ':' || h."reasonCode", 'count', count(*)::int
      FROM p JOIN h ON h."participantId" = p."id" AND h."toStatus" = 'SCREEN_FAILED' WHERE h."reasonCode" IS NOT NULL GROUP BY 1, 2, 3
    UNION ALL
    SELECT 'tested', p.country, 'count', count(*)::int FROM p JOIN tested t ON t."participantId" = p."id" GROUP BY 1, 2, 3
    UNION ALL
    SELECT 'yield', p.country || ':' || st."key", 'count', count(*)::int
      FROM p JOIN tested t ON t."participantId" = p."id"
      JOIN "ParticipantResult" r ON r."participantId" = p."id" AND r."result" = 'DETECTED'
      JOIN "Subtype" st ON st."id" = r."subtypeId"
     GROUP BY 1, 2, 3`;
}

export async function keptTallies(db: Pick<Db, "tally">, trialId: string): Promise<TallyRow[]> {
  return db.tally.findMany({ where: { trialId, value: { not: 0 } }, select: { dimension: true, key: true, metric: true, value: true } });
}

const id = (r: TallyRow) => `${r.dimension}|${r.key}|${r.metric}`;

/** Differences between the kept counters and a recount (empty when they agree). */
export function compare(kept: TallyRow[], counted: TallyRow[]) {
  const a = new Map(kept.map((r) => [id(r), r.value]));
  const b = new Map(counted.map((r) => [id(r), r.value]));
  const differences: { counter: string; kept: number; recounted: number }[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if ((a.get(key) ?? 0) !== (b.get(key) ?? 0)) differences.push({ counter: key, kept: a.get(key) ?? 0, recounted: b.get(key) ?? 0 });
  }
  return differences.sort((x, y) => x.counter.localeCompare(y.counter));
}

/** Replaces a trial's counters by a recount (derived data: nothing of record is touched). */
export async function rebuild(db: Db, trialId: string) {
  await db.$transaction(async (tx) => {
    await lockTrial(tx, trialId);
    const rows = await recount(tx, trialId);
    await tx.tally.deleteMany({ where: { trialId } });
    if (rows.length) await tx.tally.createMany({ data: rows.map((r) => ({ trialId, ...r })) });
  }, { timeout: 600_000 });
}
