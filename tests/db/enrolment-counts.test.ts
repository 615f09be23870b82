import fs from "node:fs";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { ENROLMENT_CHANNEL } from "@/lib/enrolment/events";
import { enrolmentSummary } from "@/lib/enrolment/summary";
import { liveForecastInput } from "@/lib/forecast/live";
import { applyChanges, compare, foldPending, keptTallies, recount } from "@/lib/enrolment/tally";
import { correctParticipant, voidParticipant } from "@/lib/participants/correct";
import { registerParticipant } from "@/lib/participants/register";
import { transitionParticipant } from "@/lib/participants/transition";
import { DEMO_ACCOUNTS, DEMO_COORDINATOR_SITES } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";
import { verifyTallies } from "../../scripts/db";

let trialId: string;
let us: Actor;
let cn: Actor;
let sites: { us: string; cn: string };
let egfr: string;

beforeAll(async () => {
  await seedDemoData();
  const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" }, include: { cohorts: true } });
  trialId = trial.id;
  egfr = trial.cohorts.find((c) => c.code === "EGFR-S")!.id;
  us = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
  cn = await actorFor(DEMO_ACCOUNTS.coordinatorCn);
  sites = {
    us: (await db().site.findUniqueOrThrow({ where: { code: DEMO_COORDINATOR_SITES.US } })).id,
    cn: (await db().site.findUniqueOrThrow({ where: { code: DEMO_COORDINATOR_SITES.CN } })).id,
  };
});

const differences = async (id = trialId) => compare(await keptTallies(db(), id), await recount(db(), id));

function registration(actor: Actor, i: number) {
  const siteId = actor === us ? sites.us : sites.cn;
  const tz = actor === us ? "America/New_York" : "Asia/Shanghai";
  return registerParticipant(actor, trialId, {
    siteId,
    screeningDate: addDays(todayIn(tz), -(i % 20)),
    ageAtScreening: 40 + (i % 40),
    sex: i % 2 ? "female" : "male",
    results: [{ subtype: i % 3 ? "exon 19 deletion" : "G12C", result: i % 5 ? "detected" : "not_detected", method: "NGS_TISSUE" }],
  });
}

describe("kept enrolment counts", () => {
  it("equal a recount from the rows after seeding", async () => {
    for (const trial of await db().trial.findMany()) expect(await differences(trial.id)).toEqual([]);
  });

  it("the migration that began keeping each site's screening by month fills it in as a recount would", async () => {
    // Its statement, run with the month counts taken away (as in a database from before it), in a rolled-back transaction.
    const sql = fs.readFileSync("prisma/migrations/20261203090000_site_month_tallies/migration.sql", "utf8");
    const rolledBack = new Error("rolled back");
    let rows: { trialId: string; key: string; value: number }[] = [];
    await db()
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`DELETE FROM "Tally" WHERE "dimension" = 'siteMonth'`);
        await tx.$executeRawUnsafe(sql);
        rows = await tx.$queryRawUnsafe(`SELECT "trialId", "key", "value" FROM "Tally" WHERE "dimension" = 'siteMonth'`);
        throw rolledBack;
      })
      .catch((error: unknown) => {
        if (error !== rolledBack) throw error;
      });
    expect(rows.length).toBeGreaterThan(20);
    for (const trial of await db().trial.findMany()) {
      const expected = (await recount(db(), trial.id)).filter((r) => r.dimension === "siteMonth");
      const got = rows.filter((r) => r.trialId === trial.id);
      expect(Object.fromEntries(got.map((r) => [r.key, r.value]))).toEqual(Object.fromEntries(expected.map((r) => [r.key, r.value])));
    }
  });

  it("stay equal to a recount under concurrent registrations, transitions, corrections and voids from many clients", async () => {
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => registration(i % 2 ? us : cn, i)));
    const views = created.map((c) => c.body);
    await Promise.all(
      views.map(async (p, i) => {
        const actor = p.siteId === sites.us ? us : cn;
        const today = todayIn(actor === us ? "America/New_York" : "Asia/Shanghai");
        if (i % 4 === 0) return voidParticipant(actor, trialId, p.id, { version: 1, reason: "duplicate" });
        if (i % 4 === 1) return correctParticipant(actor, trialId, p.id, { version: 1, reason: "date typo", screeningDate: addDays(today, -25) });
        const eligible = await transitionParticipant(actor, trialId, p.id, { to: "ELIGIBLE", date: today, version: 1 });
        if (i % 4 === 2)
          return transitionParticipant(actor, trialId, p.id, { to: "SCREEN_FAILED", date: today, reasonCode: "DECLINED", version: eligible.version });
        const consented = await transitionParticipant(actor, trialId, p.id, { to: "CONSENTED", date: today, version: eligible.version });
        if (!p.results.some((r) => r.subtype === "EGFR:ex19del" && r.result === "detected")) return consented;
        const enrolled = await transitionParticipant(actor, trialId, p.id, { to: "ENROLLED", date: today, cohortId: egfr, version: consented.version });
        return transitionParticipant(actor, trialId, p.id, { to: "WITHDRAWN", date: today, reasonCode: "PATIENT_DECISION", version: enrolled.version });
      }),
    );
    expect(await differences()).toEqual([]);
    const lines: string[] = [];
    expect(await verifyTallies(process.env.DATABASE_URL!, false, (line) => lines.push(line))).toBe(0); // npm run db:verify
    expect(lines).toContain("TB-201: kept counts equal the recount.");
  });

  it("give a summary whose parts add up", async () => {
    const s = await enrolmentSummary(db(), trialId);
    expect(s.bySite.reduce((a, b) => a + b.enrolled, 0)).toBe(s.totals.enrolled);
    expect(s.byCountry.US.screened + s.byCountry.CN.screened).toBe(s.totals.screened);
    expect(s.byCohort.reduce((a, b) => a + b.enrolled, 0)).toBe(s.totals.enrolled);
    expect(s.timeline.at(-1)!.cumulative.joint).toBe(s.totals.enrolled);
    expect(s.timeline.reduce((a, m) => a + m.screened.US + m.screened.CN, 0)).toBe(s.totals.screened);
    expect(s.totals.withdrawn).toBeGreaterThan(0);
    expect(s.totals.enrolled).toBeGreaterThanOrEqual(s.totals.withdrawn + s.totals.completed);
    // Detected counts, not the screen failures kept beside them under the same subtype.
    const [ex19] = await db().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM "Participant" p JOIN "Site" s ON s."id" = p."siteId"
        JOIN "ParticipantResult" r ON r."participantId" = p."id" AND r."result" = 'DETECTED'
        JOIN "Subtype" st ON st."id" = r."subtypeId" AND st."key" = 'EGFR:ex19del'
       WHERE p."trialId" = ${trialId} AND p."voidedAt" IS NULL AND s."country" = 'US'`;
    expect(s.subtypeYield.US.detected["EGFR:ex19del"]).toBe(ex19!.n);
    expect(s.subtypeYield.CN.detected["EGFR:ex19del"]! / s.subtypeYield.CN.tested).toBeGreaterThan(
      s.subtypeYield.US.detected["EGFR:ex19del"]! / s.subtypeYield.US.tested,
    );
  });

  // The forecast reads the kept counters only; the reference here counts the same quantities from the rows.
  it("give the forecast the same inputs as a count from the participant rows", async () => {
    const { input } = await liveForecastInput(await actorFor(DEMO_ACCOUNTS.investigator), trialId);
    const screened = await db().$queryRaw<{ code: string; n: number }[]>`
      SELECT s."code", count(*)::int AS n FROM "Participant" p JOIN "Site" s ON s."id" = p."siteId"
       WHERE p."trialId" = ${trialId} AND p."voidedAt" IS NULL GROUP BY 1`;
    for (const site of input.sites.filter((x) => x.observed))
      expect([site.id, site.observed!.screened]).toEqual([site.id, screened.find((r) => r.code === site.id)?.n ?? 0]);
    const enrolled = await db().$queryRaw<{ code: string; n: number }[]>`
      SELECT c."code", count(*)::int AS n FROM "Participant" p JOIN "Cohort" c ON c."id" = p."cohortId"
       WHERE p."trialId" = ${trialId} AND p."voidedAt" IS NULL AND p."status" IN ('ENROLLED', 'WITHDRAWN', 'COMPLETED') GROUP BY 1`;
    expect(Object.fromEntries(input.cohorts.map((c) => [c.id, c.enrolled]))).toEqual(
      Object.fromEntries(input.cohorts.map((c) => [c.id, Math.min(c.target, enrolled.find((r) => r.code === c.id)?.n ?? 0)])),
    );
    // Matched patients who failed screening, one per detected subtype of the trial's cohorts (as the counters keep it).
    const [decided] = await db().$queryRaw<{ failed: number }[]>`
      SELECT count(*)::int AS failed FROM "Participant" p
        JOIN "ParticipantResult" r ON r."participantId" = p."id" AND r."result" = 'DETECTED'
       WHERE p."trialId" = ${trialId} AND p."voidedAt" IS NULL AND p."status" = 'SCREEN_FAILED'
         AND r."subtypeId" IN (SELECT cs."subtypeId" FROM "CohortSubtype" cs JOIN "Cohort" c ON c."id" = cs."cohortId" WHERE c."trialId" = ${trialId})`;
    const allEnrolled = enrolled.reduce((a, r) => a + r.n, 0);
    expect(decided!.failed).toBeGreaterThan(0);
    expect(input.enrolFraction).toBeCloseTo((allEnrolled + 12) / (allEnrolled + decided!.failed + 20), 3);
  });

  it("send nothing for a rolled-back change: its counter changes are never folded and no NOTIFY is delivered", async () => {
    await foldPending(db());
    const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await listener.connect();
    const received: string[] = [];
    const next = new Promise<void>((resolve) =>
      listener.on("notification", (n) => {
        received.push(n.payload ?? "");
        resolve();
      }),
    );
    await listener.query(`LISTEN ${ENROLMENT_CHANNEL}`);
    const before = await db().enrolmentEvent.count();
    const site = await db().site.findUniqueOrThrow({ where: { code: DEMO_COORDINATOR_SITES.US } });
    await expect(
      db().$transaction(async (tx) => {
        await applyChanges(tx, trialId, [
          { before: null, after: { siteId: site.id, country: "US", cohortId: null, screeningDate: "2026-11-01", voided: false, steps: [], results: [] } },
        ]);
        throw new Error("the change fails after its counter changes were written");
      }),
    ).rejects.toThrow("the change fails");
    expect(await foldPending(db())).toEqual([]);
    expect(await db().enrolmentEvent.count()).toBe(before);
    const committed = await registration(us, 1);
    expect(await foldPending(db())).toEqual([trialId]);
    await next;
    const last = await db().enrolmentEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(received).toEqual([`${trialId}:${last.id}`]); // only the committed change's event arrived
    expect(committed.status).toBe(201);
    expect(compare(await keptTallies(db(), trialId), await recount(db(), trialId))).toEqual([]);
    await listener.end();
  });
});
