import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { createCohort, updateCohort } from "@/lib/admin/trials";
import { trialAccess } from "@/lib/auth/access";
import { cohortCandidates } from "@/lib/matching/candidates";
import { cohortCriteria, evaluate } from "@/lib/matching/criteria";
import { matchPatient } from "@/lib/matching/match";
import { currentCriteria, patientFacts } from "@/lib/matching/store";
import { registerParticipant } from "@/lib/participants/register";
import { transitionParticipant } from "@/lib/participants/transition";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let admin: Actor;
let us: Actor;
beforeAll(async () => {
  await seedDemoData();
  admin = await actorFor(DEMO_ACCOUNTS.admin);
  us = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
});

const MIGRATION = "prisma/migrations/20261202120000_cohort_criteria_and_places/migration.sql";

describe("cohort criteria as data", () => {
  it("the migration's criteria keep every demo cohort matching exactly the patients it matched by its subtypes", async () => {
    // The migration's own backfill statement, run over the demo into a scratch table, next to the old rule in SQL.
    const sql = fs.readFileSync(MIGRATION, "utf8");
    const backfill = sql
      .slice(sql.indexOf("-- backfill"), sql.indexOf("-- end backfill"))
      .replace('INSERT INTO "CohortCriteria"', 'INSERT INTO "MigratedCriteria"');
    const { migrated, oldRule } = await db().$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`CREATE TEMP TABLE "MigratedCriteria" (LIKE "CohortCriteria" INCLUDING DEFAULTS) ON COMMIT DROP`);
      await tx.$executeRawUnsafe(backfill);
      const migrated = await tx.$queryRawUnsafe<{ cohortId: string; criteria: unknown }[]>(`SELECT "cohortId", "criteria" FROM "MigratedCriteria"`);
      const oldRule = await tx.$queryRawUnsafe<{ cohortId: string; participantId: string }[]>(`
        SELECT DISTINCT cs."cohortId", p."id" AS "participantId"
          FROM "CohortSubtype" cs
          JOIN "Cohort" c ON c."id" = cs."cohortId"
          JOIN "Participant" p ON p."trialId" = c."trialId"
          JOIN "ParticipantResult" r ON r."participantId" = p."id" AND r."subtypeId" = cs."subtypeId" AND r."result" = 'DETECTED'`);
      return { migrated, oldRule };
    });
    const cohorts = await db().cohort.findMany({ select: { id: true, trialId: true } });
    expect(migrated).toHaveLength(cohorts.length);
    const participants = await db().participant.findMany({ select: { id: true, trialId: true } });
    const facts = await patientFacts(participants.map((p) => p.id));
    const seeded = await currentCriteria(cohorts.map((c) => c.id));
    let compared = 0;
    for (const { cohortId, criteria } of migrated) {
      const parsed = cohortCriteria.parse(criteria);
      expect(parsed).toEqual(seeded.get(cohortId)!.criteria); // the seed writes what the migration would
      const trialId = cohorts.find((c) => c.id === cohortId)!.trialId;
      const before = new Set(oldRule.filter((r) => r.cohortId === cohortId).map((r) => r.participantId));
      const now = new Set(participants.filter((p) => p.trialId === trialId && evaluate(parsed, facts.get(p.id)!).outcome === "met").map((p) => p.id));
      expect(before.size).toBeGreaterThan(0);
      expect([...now].sort()).toEqual([...before].sort());
      compared += before.size;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it("a new version with a reason and amendment is audited, and enrolment follows the criteria in force", async () => {
    const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" }, include: { cohorts: true } });
    const egfr = trial.cohorts.find((c) => c.code === "EGFR-S")!;
    const site = await db().site.findUniqueOrThrow({ where: { code: "US-BOS1" } });
    const { body } = await registerParticipant(us, trial.id, {
      siteId: site.id,
      screeningDate: addDays(todayIn(site.timeZone), -3),
      ageAtScreening: 61,
      sex: "female",
      results: [
        { subtype: "EGFR L858R mutation", result: "detected", method: "NGS_TISSUE" },
        { subtype: "T790M", result: "detected", method: "NGS_TISSUE" },
      ],
    });
    await updateCohort(admin, trial.id, egfr.id, {
      reason: "Protocol amendment 3: T790M-positive patients go to the third-generation arm",
      amendment: "Amendment 3",
      criteria: JSON.stringify({
        version: 1,
        include: [
          { kind: "subtype", key: "EGFR:L858R" },
          { kind: "exon", gene: "EGFR", exon: 19, event: "deletion" },
        ],
        requireNotDetected: [{ kind: "subtype", key: "EGFR:T790M" }],
      }),
    });
    const inForce = (await currentCriteria([egfr.id])).get(egfr.id)!;
    expect(inForce.version).toBe(2);
    expect(inForce.amendment).toBe("Amendment 3");
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "cohort.criteria", entityId: egfr.id }, orderBy: { id: "desc" } });
    expect(audit.reason).toMatch(/Amendment 3|amendment 3/);
    expect(await db().cohortSubtype.count({ where: { cohortId: egfr.id } })).toBe(2); // ex19del and L858R, as before

    // Move the patient to consent, then try to enrol: T790M detected, so the cohort refuses.
    let version = body.version;
    for (const to of ["ELIGIBLE", "CONSENTED"] as const) {
      version = (await transitionParticipant(us, trial.id, body.id, { to, date: addDays(todayIn(site.timeZone), -1), version })).version;
    }
    const investigator = await actorFor(DEMO_ACCOUNTS.investigator);
    await expect(
      transitionParticipant(investigator, trial.id, body.id, { to: "ENROLLED", date: todayIn(site.timeZone), version, cohortId: egfr.id }),
    ).rejects.toMatchObject({
      code: "invalid",
      fields: { cohortId: [expect.stringContaining("validation.cohortNoMatch")] },
    });
    // The pre-screening says why, in Chinese for a Chinese reader.
    const answer = await matchPatient(
      us,
      {
        results: [
          { subtype: "EGFR L858R mutation", result: "detected" },
          { subtype: "T790M", result: "detected" },
        ],
      },
      "zh-CN",
    );
    const row = answer.trials.find((t) => t.code === "TB-201")!.cohorts.find((c) => c.code === "EGFR-S")!;
    expect(row.outcome).toBe("failed");
    expect(row.reasons.map((r) => r.text)).toContain("检出 EGFR T790M：本队列要求未检出");
    // Criteria versions are kept: none is ever changed or removed.
    await expect(db().$executeRawUnsafe(`UPDATE "CohortCriteria" SET "reason" = 'x'`)).rejects.toThrow(/append-only/);
  });

  it("refuses criteria that do not parse or name a subtype the vocabulary does not have, writing nothing", async () => {
    const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" }, include: { cohorts: true } });
    const alk = trial.cohorts.find((c) => c.code === "ALK")!;
    const before = await db().cohortCriteria.count();
    await expect(updateCohort(admin, trial.id, alk.id, { reason: "typo", criteria: "{ not json" })).rejects.toMatchObject({ code: "invalid" });
    await expect(
      updateCohort(admin, trial.id, alk.id, { reason: "typo", criteria: JSON.stringify({ version: 1, include: [{ kind: "subtype", key: "ALK:fusoin" }] }) }),
    ).rejects.toMatchObject({ code: "invalid", fields: { criteria: [expect.stringContaining("validation.unknownSubtype")] } });
    expect(await db().cohortCriteria.count()).toBe(before);
  });

  it("lists screen failures whose results fit a cohort opened since, by number for their site, in counts for others", async () => {
    const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-305" } });
    const site = await db().site.findUniqueOrThrow({ where: { code: "US-BOS1" } });
    const { body } = await registerParticipant(us, trial.id, {
      siteId: site.id,
      screeningDate: addDays(todayIn(site.timeZone), -20),
      ageAtScreening: 66,
      sex: "male",
      results: [{ subtype: "KRAS c.34G>T (p.Gly12Cys)", result: "detected", method: "NGS_TISSUE" }],
    });
    await transitionParticipant(us, trial.id, body.id, {
      to: "SCREEN_FAILED",
      date: addDays(todayIn(site.timeZone), -19),
      version: body.version,
      reasonCode: "BIOMARKER_NEGATIVE",
    });
    const before = await cohortCandidates(await trialAccess(us, trial.id), trial.id);
    expect(before.rows.map((r) => r.participantId)).not.toContain(body.id); // no KRAS cohort in TB-305 yet

    await createCohort(admin, trial.id, { code: "KRAS-G12", name: "KRAS G12 (any)", target: 10, subtypes: ["KRAS:G12C"] });
    const mine = await cohortCandidates(await trialAccess(us, trial.id), trial.id);
    expect(mine.rows.find((r) => r.participantId === body.id)).toMatchObject({
      reasonCode: "BIOMARKER_NEGATIVE",
      cohorts: [{ code: "KRAS-G12", outcome: "met" }],
    });
    expect(mine.byCountry.US).toBeGreaterThanOrEqual(1);
    expect(mine.bySite.find((s) => s.code === "US-BOS1")!.count).toBeGreaterThanOrEqual(1);
    // A coordinator at a Chinese site sees the count, never the American patient's row.
    const cn = await actorFor(DEMO_ACCOUNTS.coordinatorCn);
    const theirs = await cohortCandidates(await trialAccess(cn, trial.id), trial.id);
    expect(theirs.total).toBe(mine.total);
    expect(theirs.rows.map((r) => r.participantId)).not.toContain(body.id);
  });
});
