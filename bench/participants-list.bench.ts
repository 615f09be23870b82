// The screening-log list at scale: one trial with 100,000 participants over 43 sites, each with two test results.
// Goal: a page (50 rows plus the total) in under 200 ms on the server. Measures the same function the page and the
// API call (listParticipants), as the trial-wide investigator and as a one-site coordinator.
// Run: npm run bench:list   (starts its own throwaway embedded PostgreSQL)
import { performance } from "node:perf_hooks";
import { createPrismaClient } from "@/lib/db/prisma";
import { benchDatabase } from "./lib/app";

const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 100_000);
const RUNS = 25;

async function main() {
  const bench = await benchDatabase({ fsync: "off", synchronous_commit: "off" });
  const { url } = bench;
  try {
    const db = createPrismaClient(url, 4);

    const { seedDemo } = await import("../prisma/seed");
    await seedDemo(db); // sites, trials, users, memberships and ~1,000 demo participants
    const trial = await db.trial.findFirstOrThrow({ where: { code: "TB-201" } });
    const started = performance.now();
    await db.$executeRaw`
      INSERT INTO "Participant" ("id", "trialId", "siteId", "screeningNumber", "screeningDate", "ageAtScreening", "sex", "status", "version", "updatedAt")
      SELECT 'bench-' || g, ${trial.id}, ts."siteId", s."code" || '-B' || lpad(g::text, 7, '0'),
             DATE '2025-06-01' + (g % 540), 30 + (g % 60), (ARRAY['FEMALE','MALE']::"Sex"[])[1 + g % 2],
             (ARRAY['SCREENED','SCREEN_FAILED','SCREEN_FAILED','ELIGIBLE','CONSENTED','ENROLLED']::"ParticipantStatus"[])[1 + g % 6], 1, now()
        FROM generate_series(1, ${PARTICIPANTS}) g
        JOIN LATERAL (SELECT "siteId" FROM "TrialSite" WHERE "trialId" = ${trial.id} ORDER BY "siteId" OFFSET (g % 43) LIMIT 1) ts ON true
        JOIN "Site" s ON s."id" = ts."siteId"`;
    await db.$executeRaw`
      INSERT INTO "ParticipantResult" ("id", "participantId", "subtypeId", "result", "method")
      SELECT p."id" || '-' || st."key", p."id", st."id",
             CASE WHEN (hashtext(p."id" || st."key") % 7) = 0 THEN 'DETECTED'::"TestResult" ELSE 'NOT_DETECTED'::"TestResult" END, 'NGS_TISSUE'
        FROM "Participant" p CROSS JOIN "Subtype" st
       WHERE p."id" LIKE 'bench-%' AND st."key" IN ('EGFR:L858R', 'ALK:fusion')`;
    await db.$executeRawUnsafe(`ANALYZE`);
    const total = await db.participant.count({ where: { trialId: trial.id } });
    console.log(`Loaded ${total} participants in TB-201 in ${((performance.now() - started) / 1000).toFixed(1)} s.`);

    const { listParticipants } = await import("@/lib/participants/queries");
    const actorOf = async (email: string) => {
      const user = await db.user.findUniqueOrThrow({ where: { email } });
      return { id: user.id, email, displayName: user.displayName, isAdmin: false, locale: null };
    };
    const investigator = await actorOf("investigator@example.org");
    const coordinator = await actorOf("coordinator.us@example.org");
    const deepCursor = (await listParticipants(investigator, trial.id, { limit: "50", from: "2026-01-01" })).nextCursor!;

    const cases: [string, typeof investigator, Record<string, string>][] = [
      ["investigator, first page, all sites", investigator, { limit: "50" }],
      ["investigator, status filter", investigator, { limit: "50", status: "SCREEN_FAILED" }],
      ["investigator, subtype filter (L858R)", investigator, { limit: "50", subtype: "L858R" }],
      ["investigator, date range, next page", investigator, { limit: "50", from: "2026-01-01", cursor: deepCursor }],
      ["investigator, sorted by screening number", investigator, { limit: "50", sort: "screeningNumber" }],
      ["coordinator (one site), first page", coordinator, { limit: "50" }],
    ];
    console.log(`listParticipants, ${RUNS} runs each (median / 95th percentile):`);
    for (const [label, actor, query] of cases) {
      await listParticipants(actor, trial.id, query); // warm
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        await listParticipants(actor, trial.id, query);
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)]!;
      const p95 = times[Math.floor(times.length * 0.95)]!;
      console.log(`  ${label.padEnd(44)} ${median.toFixed(1).padStart(6)} ms / ${p95.toFixed(1).padStart(6)} ms  (goal < 200 ms)`);
    }
    await db.$disconnect();
    const { db: appDb } = await import("@/lib/db/client");
    await appDb().$disconnect();
  } finally {
    await bench.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
