// Kept enrolment counts. Every change to a participant subtracts what the participant contributed before and adds
// what it contributes after, in the same transaction, so the dashboard reads a few hundred counters instead of
// recounting a million rows. The change's transaction only appends its deltas (TallyDelta: inserts, so writers in one
// trial never queue on the same counter rows, and nothing but the change itself sits between its work and its
// commit); the folder moves committed deltas into Tally, one trial at a time, and appends the trial's live event with
// the new counts. The counts at any moment are Tally plus the deltas not folded yet (`keptTallies`). `recount` computes the same numbers from the rows in SQL: `npm run db:verify` compares
// the two, and `--repair` rebuilds the counters from the recount.
//
// A participant contributes (unless voided):
//   site:<siteId>               screened; and eligible, screenFailed, consented, enrolled, withdrawn, completed for
//                               each step its history reached (cumulative: a withdrawn patient was enrolled)
//   cohort:<cohortId>:<country> enrolled, when enrolled into that cohort
//   month:<YYYY-MM>:<country>   screened in the month of its screening date; enrolled in the month of its enrolment
//                               (the site's calendar dates, so months never shift between time zones)
//   siteMonth:<siteId>:<YYYY-MM> screened in the month of its screening date (how each site's rate moves over its
//                               time open, for the forecast's learning: lib/forecast/learning.ts)
//   reason:<siteId>:<code>      count, when it failed screening for that reason
//   tested:<country>            count, when at least one test gave a result
//   yield:<country>:<subtype>   count, for each subtype detected in a tested patient; screenFailed, when that patient
//                               failed screening (the forecast's enrolment fraction among matched patients)
import type { Tx } from "@/lib/db/prisma";
import type { Db } from "@/lib/db/prisma";
import { fromDbDate, monthOf } from "@/lib/dates/calendar";
import { stepsInEffect } from "@/lib/participants/steps";

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
    { dimension: "siteMonth", key: `${p.siteId}:${monthOf(p.screeningDate)}`, metric: "screened" },
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
    const failed = p.steps.some((s) => s.to === "SCREEN_FAILED");
    for (const r of p.results) {
      if (r.result !== "DETECTED") continue;
      out.push({ dimension: "yield", key: `${p.country}:${r.key}`, metric: "count" });
      if (failed) out.push({ dimension: "yield", key: `${p.country}:${r.key}`, metric: "screenFailed" });
    }
  }
  return out;
}

export async function snapshot(tx: Tx, participantId: string): Promise<ParticipantSnapshot | null> {
  const p = await tx.participant.findUnique({
    where: { id: participantId },
    select: {
      siteId: true,
      cohortId: true,
      screeningDate: true,
      voidedAt: true,
      trialId: true,
      statusChanges: { where: stepsInEffect, select: { toStatus: true, date: true, reasonCode: true } },
      results: { select: { result: true, subtype: { select: { key: true } } } },
    },
  });
  if (!p) return null;
  const site = await tx.site.findUniqueOrThrow({ where: { id: p.siteId }, select: { country: true } });
  return {
    siteId: p.siteId,
    country: site.country,
    cohortId: p.cohortId,
    screeningDate: fromDbDate(p.screeningDate),
    voided: p.voidedAt !== null,
    steps: p.statusChanges.map((s) => ({ to: s.toStatus, date: fromDbDate(s.date), reasonCode: s.reasonCode })),
    results: p.results.map((r) => ({ key: r.subtype.key, result: r.result })),
  };
}

/** The trial's fold lock: one folder (or rebuild) of a trial at a time, so its events follow commit order. */
export const foldLockKey = (trialId: string) => `tally:${trialId}`;

export async function lockTrial(tx: Pick<Tx, "$executeRaw">, trialId: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${foldLockKey(trialId)}))`;
}

/** Appends after - before of one participant's contribution to the trial's pending deltas. */
export async function applyChange(tx: Tx, trialId: string, before: ParticipantSnapshot | null, after: ParticipantSnapshot | null) {
  await applyChanges(tx, trialId, [{ before, after }]);
}

/** Appends many participants' changes at once (an import's thousands in one statement), without any lock. */
export async function applyChanges(
  tx: Pick<Tx, "$executeRaw">,
  trialId: string,
  changes: readonly { before: ParticipantSnapshot | null; after: ParticipantSnapshot | null }[],
) {
  const delta = new Map<string, number>();
  const add = (c: Contribution, sign: number) => {
    const id = `${c.dimension}\u0000${c.key}\u0000${c.metric}`;
    delta.set(id, (delta.get(id) ?? 0) + sign);
  };
  for (const { before, after } of changes) {
    for (const c of contributions(before)) add(c, -1);
    for (const c of contributions(after)) add(c, +1);
  }
  const rows = [...delta.entries()].filter(([, v]) => v !== 0);
  if (rows.length === 0) return;
  const split = rows.map(([id]) => id.split("\u0000") as [string, string, string]);
  await tx.$executeRaw`
    INSERT INTO "TallyDelta" ("trialId", "dimension", "key", "metric", "value")
    SELECT ${trialId}, d, k, m, v FROM unnest(${split.map((s) => s[0])}::text[], ${split.map((s) => s[1])}::text[], ${split.map((s) => s[2])}::text[], ${rows.map(([, v]) => v)}::int[]) AS t(d, k, m, v)`;
}

/**
 * A change that moves no counter but that open dashboards should hear of (a place held or released): a delta of zero,
 * so the folder, after commit, sends the trial's event with its new state. Its Tally row stays 0 (a recount has none,
 * which compares as 0).
 */
export async function wakeFold(tx: Pick<Tx, "$executeRaw">, trialId: string) {
  await tx.$executeRaw`INSERT INTO "TallyDelta" ("trialId", "dimension", "key", "metric", "value") VALUES (${trialId}, 'wake', 'places', 'changed', 0)`;
}

/**
 * Folds a trial's committed deltas into Tally and appends its live event, in one transaction under the trial's fold
 * lock (skipped, returning null, when another folder holds it: that one will see these deltas or the next pass will).
 */
export async function foldTrial(db: Db, trialId: string): Promise<{ eventId: bigint } | null> {
  return db.$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtext(${foldLockKey(trialId)})) AS ok`;
    if (!lock?.ok) return null;
    const folded = await tx.$executeRaw`
      WITH d AS (DELETE FROM "TallyDelta" WHERE "trialId" = ${trialId} RETURNING "dimension", "key", "metric", "value"),
      agg AS (SELECT "dimension", "key", "metric", sum("value")::int AS value FROM d GROUP BY 1, 2, 3)
      INSERT INTO "Tally" ("trialId", "dimension", "key", "metric", "value")
      SELECT ${trialId}, "dimension", "key", "metric", value FROM agg ORDER BY 1, 2, 3, 4
      ON CONFLICT ("trialId", "dimension", "key", "metric") DO UPDATE SET "value" = "Tally"."value" + EXCLUDED."value"`;
    if (folded === 0) return null;
    const { appendEnrolmentEvent } = await import("./events");
    return { eventId: (await appendEnrolmentEvent(tx, trialId)).id };
  });
}

/** Folds every trial with pending deltas; returns the trials folded. */
export async function foldPending(db: Db): Promise<string[]> {
  const trials = await db.$queryRaw<{ trialId: string }[]>`SELECT DISTINCT "trialId" FROM "TallyDelta"`;
  const done: string[] = [];
  for (const { trialId } of trials) if (await foldTrial(db, trialId)) done.push(trialId);
  return done;
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
       WHERE NOT EXISTS (SELECT 1 FROM "StatusChange" corr WHERE corr."correctsId" = sc."id") -- steps in effect (steps.ts)
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
    SELECT 'siteMonth', p."siteId" || ':' || p.month, 'screened', count(*)::int FROM p GROUP BY 1, 2, 3
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
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT 'yield', p.country || ':' || st."key", 'screenFailed', count(*)::int
      FROM p JOIN "ParticipantResult" r ON r."participantId" = p."id" AND r."result" = 'DETECTED'
      JOIN "Subtype" st ON st."id" = r."subtypeId"
     WHERE EXISTS (SELECT 1 FROM h WHERE h."participantId" = p."id" AND h."toStatus" = 'SCREEN_FAILED')
     GROUP BY 1, 2, 3`;
}

/** The kept counters of a trial: Tally plus the deltas not folded yet. */
export async function keptTallies(db: Pick<Db, "$queryRaw">, trialId: string): Promise<TallyRow[]> {
  return db.$queryRaw<TallyRow[]>`
    SELECT "dimension", "key", "metric", sum("value")::int AS value
      FROM (SELECT "dimension", "key", "metric", "value" FROM "Tally" WHERE "trialId" = ${trialId}
            UNION ALL SELECT "dimension", "key", "metric", "value" FROM "TallyDelta" WHERE "trialId" = ${trialId}) c
     GROUP BY 1, 2, 3 HAVING sum("value") <> 0`;
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

/**
 * Replaces a trial's counters by a recount (derived data: nothing of record is touched). One snapshot (repeatable
 * read) for the recount and the deltas it replaces: a change committed meanwhile keeps its delta.
 */
export async function rebuild(db: Db, trialId: string) {
  await db.$transaction(
    async (tx) => {
      await lockTrial(tx, trialId);
      const rows = await recount(tx, trialId);
      await tx.tallyDelta.deleteMany({ where: { trialId } });
      await tx.tally.deleteMany({ where: { trialId } });
      if (rows.length) await tx.tally.createMany({ data: rows.map((r) => ({ trialId, ...r })) });
    },
    { timeout: 600_000, isolationLevel: "RepeatableRead" },
  );
}
