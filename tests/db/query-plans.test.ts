// The hot queries at 100,000 participants use their indexes (EXPLAIN, after ANALYZE): a cohort's enrolment count
// (taken under the cohort's lock on every enrolment), the screening log by status, the listing's keyset order and a
// record's audit history. A sequential scan of a big table here would make every enrolment slower as a trial grows.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { seedDemoData } from "../support/demo";

const PARTICIPANTS = 100_000;
let trialId: string;
let cohortId: string;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

async function plan(sql: string, ...params: unknown[]) {
  const [row] = await db().$queryRawUnsafe<{ "QUERY PLAN": { Plan: PlanNode }[] }[]>(`EXPLAIN (FORMAT JSON) ${sql}`, ...params);
  const nodes: PlanNode[] = [];
  const walk = (n: PlanNode) => {
    nodes.push(n);
    n.Plans?.forEach(walk);
  };
  walk(row!["QUERY PLAN"][0]!.Plan);
  return {
    seqScans: nodes.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"]),
    indexes: nodes.map((n) => n["Index Name"]).filter(Boolean),
  };
}

beforeAll(async () => {
  await seedDemoData();
  const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" }, include: { cohorts: true } });
  trialId = trial.id;
  cohortId = trial.cohorts[0]!.id;
  await db().$executeRaw`
    INSERT INTO "Participant" ("id", "trialId", "siteId", "screeningNumber", "screeningDate", "ageAtScreening", "sex", "status", "cohortId", "version", "updatedAt")
    SELECT 'plan-' || g, ${trialId}, ts."siteId", 'P-' || lpad(g::text, 7, '0'), DATE '2025-06-01' + (g % 540), 30 + (g % 60),
           (ARRAY['FEMALE','MALE']::"Sex"[])[1 + g % 2],
           (ARRAY['SCREENED','SCREEN_FAILED','SCREEN_FAILED','ELIGIBLE','CONSENTED','ENROLLED']::"ParticipantStatus"[])[1 + g % 6],
           CASE WHEN g % 6 = 5 THEN (SELECT "id" FROM "Cohort" WHERE "trialId" = ${trialId} ORDER BY "id" OFFSET (g % 4) LIMIT 1) END, 1, now()
      FROM generate_series(1, ${PARTICIPANTS}) g
      JOIN LATERAL (SELECT "siteId" FROM "TrialSite" WHERE "trialId" = ${trialId} ORDER BY "siteId" OFFSET (g % 43) LIMIT 1) ts ON true`;
  await db().$executeRaw`
    INSERT INTO "AuditEvent" ("at", "action", "entityType", "entityId", "trialId")
    SELECT now(), 'participant.create', 'Participant', 'plan-' || g, ${trialId} FROM generate_series(1, ${PARTICIPANTS}) g`;
  await db().$executeRawUnsafe(`ANALYZE`);
}, 120_000);

describe("query plans at 100,000 participants", () => {
  it("counts a cohort's enrolments through its index", async () => {
    const p = await plan(
      `SELECT count(*) FROM "Participant" WHERE "cohortId" = $1 AND "voidedAt" IS NULL AND "status" IN ('ENROLLED', 'WITHDRAWN', 'COMPLETED')`,
      cohortId,
    );
    expect(p.seqScans).not.toContain("Participant");
    expect(p.indexes).toContain("Participant_cohortId_status_idx");
  });

  it("lists one status of a trial without reading the whole trial", async () => {
    const p = await plan(
      `SELECT "id" FROM "Participant" WHERE "trialId" = $1 AND "status" = 'CONSENTED' ORDER BY "screeningDate" DESC, "id" DESC LIMIT 51`,
      trialId,
    );
    expect(p.seqScans).not.toContain("Participant");
  });

  it("pages the listing by (trial, id)", async () => {
    const p = await plan(`SELECT "id" FROM "Participant" WHERE "trialId" = $1 AND "id" > $2 ORDER BY "id" LIMIT 1000`, trialId, "plan-5");
    expect(p.seqScans).not.toContain("Participant");
    // (trial, id), or the primary key when nearly every participant is in this trial, as here
    expect(p.indexes.some((i) => i === "Participant_trialId_id_idx" || i === "Participant_pkey")).toBe(true);
  });

  it("reads a record's audit history by its id", async () => {
    const p = await plan(`SELECT * FROM "AuditEvent" WHERE "entityId" = $1 ORDER BY "id"`, "plan-7");
    expect(p.seqScans).not.toContain("AuditEvent");
  });

  it("refuses a participant at a site that does not take part in its trial", async () => {
    const outside = await db()
      .site.findFirstOrThrow({ where: { trialSites: { none: { trialId } } } })
      .catch(() => null);
    const site =
      outside ??
      (await db().site.create({ data: { code: "US-PLAN9", nameEn: "Plan", nameLocal: "Plan", country: "US", city: "X", timeZone: "America/New_York" } }));
    await expect(db().$executeRaw`
      INSERT INTO "Participant" ("id", "trialId", "siteId", "screeningNumber", "screeningDate", "ageAtScreening", "sex", "version", "updatedAt")
      VALUES ('plan-outside', ${trialId}, ${site.id}, 'X-1', DATE '2026-01-01', 50, 'MALE', 1, now())`).rejects.toThrow(
      /foreign key|Participant_trialId_siteId_fkey/,
    );
  });
});
