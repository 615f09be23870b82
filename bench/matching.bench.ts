// Matching at scale, through the real use cases, with a plain-SQL reference in the same run:
//  1. Pre-screening one patient (matchPatient, as POST /api/v1/match runs it) against 50 trials of 10 cohorts each,
//     criteria of every kind. Goal: under 50 ms on the server. Reference: the same reads (trials, cohorts, criteria
//     in force, enrolments, held places) as plain SQL through `pg`, without evaluating anything.
//  2. The screen failures a new cohort fits (cohortCandidates, the trial page's list) over 100,000 screened patients
//     in one trial. Goal: under 1 s. Reference: one SQL query giving the same answer for an include-only cohort
//     (screen failures with a detected result the cohort names), whose count must equal the use case's.
// Run: npm run bench:match   (starts its own throwaway embedded PostgreSQL)
import { performance } from "node:perf_hooks";
import pg from "pg";
import { benchDatabase, time } from "./lib/app";

const TRIALS = 50;
const COHORTS = 10;
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 100_000);
const RUNS = 30;
const ms = (x: number) => `${x.toFixed(1)} ms`;

const KINDS = [
  { kind: "subtype", key: "EGFR:L858R" },
  { kind: "protein", gene: "KRAS", pattern: "G12*" },
  { kind: "exon", gene: "EGFR", exon: 19, event: "deletion" },
  { kind: "fusion", gene: "ALK" },
  { kind: "exon", gene: "MET", exon: 14, event: "skipping" },
  { kind: "fusion", gene: "RET" },
  { kind: "subtype", key: "BRAF:V600E" },
  { kind: "exon", gene: "ERBB2", exon: 20, event: "insertion" },
  { kind: "fusion", gene: "ROS1" },
  { kind: "exon", gene: "EGFR", exon: 20, event: "insertion" },
] as const;

async function main() {
  const bench = await benchDatabase({ fsync: "off", synchronous_commit: "off", max_connections: "100" });
  try {
    process.env.DB_POOL_SIZE = "8";
    const { db } = await import("@/lib/db/client");
    const { seedDemo } = await import("../prisma/seed");
    await seedDemo(db());
    const { matchPatient } = await import("@/lib/matching/match");
    const { cohortCandidates } = await import("@/lib/matching/candidates");
    const { appendCriteria } = await import("@/lib/matching/store");
    const { trialAccess } = await import("@/lib/auth/access");
    const { cohortCriteria } = await import("@/lib/matching/criteria");

    const coordinatorUser = await db().user.findUniqueOrThrow({ where: { email: "coordinator.us@example.org" } });
    const coordinator = { id: coordinatorUser.id, email: coordinatorUser.email, displayName: coordinatorUser.displayName, isAdmin: false, locale: null };
    const boston = await db().site.findUniqueOrThrow({ where: { code: "US-BOS1" } });
    const sites = await db().site.findMany({ orderBy: { code: "asc" } });

    // 1. Fifty trials of ten cohorts (the two demo trials and 48 more), the coordinator a member of each.
    const started = performance.now();
    for (let t = 0; t < TRIALS - 2; t++) {
      const trial = await db().trial.create({
        data: {
          code: `BENCH-${t}`,
          title: `Bench trial ${t}`,
          phase: "Phase 2",
          indication: "NSCLC",
          status: "RECRUITING",
          plannedStart: new Date("2026-01-01"),
          target: 500,
          sponsorName: "Bench",
          trialSites: {
            create: sites.map((s) => ({ siteId: s.id, status: "ACTIVE" as const, activationDate: new Date("2026-01-01"), plannedScreeningRate: 1 })),
          },
        },
      });
      await db().membership.create({ data: { userId: coordinator.id, trialId: trial.id, siteId: boston.id, role: "COORDINATOR" } });
      for (let c = 0; c < COHORTS; c++) {
        const cohort = await db().cohort.create({ data: { trialId: trial.id, code: `C${c}`, name: `Cohort ${c}`, target: 50 } });
        const criteria = cohortCriteria.parse({
          version: 1,
          include: [KINDS[(t + c) % KINDS.length], KINDS[(t + c + 3) % KINDS.length]],
          requireNotDetected: c % 3 === 0 ? [{ kind: "subtype", key: "EGFR:T790M" }] : [],
          exclude: c % 4 === 0 ? [{ kind: "fusion", gene: "ALK" }] : [],
          ...(c % 5 === 0 ? { age: { min: 18, max: 80 } } : {}),
        });
        await db().$transaction((tx) => appendCriteria(tx, cohort.id, criteria, { actorId: null, reason: "bench" }));
      }
    }
    const cohorts = await db().cohort.count();
    console.log(`${await db().trial.count()} trials, ${cohorts} cohorts, set up in ${((performance.now() - started) / 1000).toFixed(1)} s.`);

    const patient = {
      results: [
        { subtype: "KRAS c.34G>T (p.Gly12Cys)", result: "detected" },
        { subtype: "EGFR L858R mutation", result: "detected" },
        { subtype: "T790M", result: "not_detected" },
        { subtype: "EML4-ALK", result: "not_detected" },
      ],
      ageAtScreening: 64,
    };
    const answer = await matchPatient(coordinator, patient, "en");
    const rows = answer.trials.reduce((n, t) => n + t.cohorts.length, 0);
    const fitting = answer.trials.reduce((n, t) => n + t.cohorts.filter((c) => c.outcome === "met").length, 0);
    console.log(`matchPatient: ${answer.trials.length} trials, ${rows} cohorts evaluated, ${fitting} fit.`);
    await db().rateLimit.deleteMany({});

    const use = await time(RUNS, () => matchPatient(coordinator, patient, "en"));

    const client = new pg.Pool({ connectionString: bench.url, max: 6 });
    const reference = await time(RUNS, async () => {
      const trials = await client.query(
        `SELECT t."id", t."code", t."status" FROM "Trial" t JOIN "Membership" m ON m."trialId" = t."id" AND m."userId" = $1 AND m."revokedAt" IS NULL`,
        [coordinator.id],
      );
      const ids = trials.rows.map((r) => r.id as string);
      await Promise.all([
        client.query(`SELECT "id", "trialId", "code", "name", "target", "status" FROM "Cohort" WHERE "trialId" = ANY($1)`, [ids]),
        client.query(
          `SELECT DISTINCT ON (cc."cohortId") cc."cohortId", cc."criteria" FROM "CohortCriteria" cc JOIN "Cohort" c ON c."id" = cc."cohortId" WHERE c."trialId" = ANY($1) ORDER BY cc."cohortId", cc."version" DESC`,
          [ids],
        ),
        client.query(
          `SELECT "cohortId", count(*) FROM "Participant" WHERE "trialId" = ANY($1) AND "voidedAt" IS NULL AND "status" IN ('ENROLLED','WITHDRAWN','COMPLETED') GROUP BY 1`,
          [ids],
        ),
        client.query(`SELECT "cohortId", count(*) FROM "PlaceReservation" WHERE "state" = 'HELD' AND "expiresAt" > now() GROUP BY 1`),
        client.query(
          `SELECT ts."trialId", ts."siteId", ts."status", s."code", s."country" FROM "TrialSite" ts JOIN "Site" s ON s."id" = ts."siteId" WHERE ts."trialId" = ANY($1)`,
          [ids],
        ),
      ]);
    });
    console.log(
      `pre-screening one patient, ${RUNS} runs: use case median ${ms(use.median)}, p95 ${ms(use.p95)}; plain SQL reads median ${ms(reference.median)}, p95 ${ms(reference.p95)}`,
    );

    // 2. 100,000 screened patients in one trial; then a new KRAS G12* cohort: which screen failures does it fit?
    const tb201 = await db().trial.findFirstOrThrow({ where: { code: "TB-201" } });
    const loaded = performance.now();
    await db().$executeRaw`
      INSERT INTO "Participant" ("id", "trialId", "siteId", "screeningNumber", "screeningDate", "ageAtScreening", "sex", "status", "version", "updatedAt")
      SELECT 'bench-' || g, ${tb201.id}, ts."siteId", s."code" || '-B' || lpad(g::text, 7, '0'),
             DATE '2025-06-01' + (g % 540), 30 + (g % 60), (ARRAY['FEMALE','MALE']::"Sex"[])[1 + g % 2],
             (ARRAY['SCREENED','SCREEN_FAILED','SCREEN_FAILED','ELIGIBLE','CONSENTED','ENROLLED']::"ParticipantStatus"[])[1 + g % 6], 1, now()
        FROM generate_series(1, ${PATIENTS}) g
        JOIN LATERAL (SELECT "siteId" FROM "TrialSite" WHERE "trialId" = ${tb201.id} ORDER BY "siteId" OFFSET (g % 43) LIMIT 1) ts ON true
        JOIN "Site" s ON s."id" = ts."siteId"`;
    await db().$executeRaw`
      INSERT INTO "ParticipantResult" ("id", "participantId", "subtypeId", "result", "method")
      SELECT p."id" || '-' || st."key", p."id", st."id",
             CASE WHEN (abs(hashtext(p."id" || st."key")) % 9) = 0 THEN 'DETECTED'::"TestResult" ELSE 'NOT_DETECTED'::"TestResult" END, 'NGS_TISSUE'
        FROM "Participant" p CROSS JOIN "Subtype" st
       WHERE p."id" LIKE 'bench-%' AND st."key" IN ('EGFR:L858R', 'KRAS:G12C', 'ALK:fusion')`;
    await db().$executeRaw`
      INSERT INTO "StatusChange" ("id", "participantId", "fromStatus", "toStatus", "date", "reasonCode", "createdAt")
      SELECT p."id" || '-sf', p."id", 'SCREENED', 'SCREEN_FAILED', p."screeningDate" + 7, 'BIOMARKER_NEGATIVE', now()
        FROM "Participant" p WHERE p."id" LIKE 'bench-%' AND p."status" = 'SCREEN_FAILED'`;
    await db().$executeRawUnsafe(`ANALYZE`);
    console.log(`Loaded ${PATIENTS} patients in TB-201 in ${((performance.now() - loaded) / 1000).toFixed(1)} s.`);
    const cohort = await db().cohort.create({ data: { trialId: tb201.id, code: "KRAS-G12-NEW", name: "KRAS G12 (any change)", target: 40 } });
    await db().$transaction((tx) =>
      appendCriteria(tx, cohort.id, cohortCriteria.parse({ version: 1, include: [{ kind: "protein", gene: "KRAS", pattern: "G12*" }] }), {
        actorId: null,
        reason: "bench",
      }),
    );
    // Only the new cohort is open, so the use case's answer is this cohort's.
    await db().cohort.updateMany({ where: { trialId: tb201.id, id: { not: cohort.id } }, data: { status: "SUSPENDED" } });
    const investigatorUser = await db().user.findUniqueOrThrow({ where: { email: "investigator@example.org" } });
    const access = await trialAccess({ id: investigatorUser.id, email: investigatorUser.email, displayName: "", isAdmin: false, locale: null }, tb201.id);
    const found = await cohortCandidates(access, tb201.id);
    const sql = `
      SELECT count(DISTINCT p."id")::int AS n FROM "Participant" p
        JOIN "ParticipantResult" r ON r."participantId" = p."id" AND r."result" = 'DETECTED'
        JOIN "Subtype" s ON s."id" = r."subtypeId" AND s."gene" = 'KRAS' AND s."alteration" ~ '^G12[A-Z*]+$'
       WHERE p."trialId" = $1 AND p."voidedAt" IS NULL AND p."status" = 'SCREEN_FAILED'`;
    const expected = (await client.query(sql, [tb201.id])).rows[0].n as number;
    if (found.total !== expected) throw new Error(`the use case found ${found.total} patients, plain SQL ${expected}`);
    const candidates = await time(10, () => cohortCandidates(access, tb201.id));
    const plain = await time(10, () => client.query(sql, [tb201.id]));
    console.log(
      `screen failures a new cohort fits, of ${PATIENTS} patients: ${found.total} found (plain SQL agrees), use case median ${ms(candidates.median)}, p95 ${ms(candidates.p95)}; plain SQL median ${ms(plain.median)}, p95 ${ms(plain.p95)}`,
    );
    await client.end();
    await db().$disconnect();
  } finally {
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
