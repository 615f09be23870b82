// GET /api/v1/trials/{id}/enrolment latency with about 1,000 and with 1,000,000 participants in the trial.
// Goal: the larger no more than twice the smaller, and under 50 ms. Counts are kept in step with every change, so
// a view reads a few hundred counters whatever the size. Run: npm run bench:enrolment
import { rebuild } from "@/lib/enrolment/tally";
import { startBench, time } from "./lib/app";

const RUNS = 200;
const LARGE = Number(process.env.BENCH_PARTICIPANTS ?? 1_000_000);

async function main() {
  const bench = await startBench();
  try {
    await bench.startApp(3210);
    const cookie = await bench.signIn("sponsor@example.org");
    const trial = await bench.db.trial.findFirstOrThrow({ where: { code: "TB-201" } });
    const url = `${bench.base}/api/v1/trials/${trial.id}/enrolment`;
    const get = async () => {
      const response = await fetch(url, { headers: { cookie } });
      if (!response.ok) throw new Error(`enrolment answered ${response.status}`);
      return response.json();
    };
    const measure = async (label: string) => {
      for (let i = 0; i < 20; i++) await get(); // warm
      const n = await bench.db.participant.count({ where: { trialId: trial.id } });
      const result = await time(RUNS, get);
      console.log(`  ${label}: ${n.toLocaleString("en")} participants: median ${result.median.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms`);
      return result;
    };
    console.log(`GET /api/v1/trials/{id}/enrolment, ${RUNS} sequential requests each:`);
    const small = await measure("small");

    const started = performance.now();
    await bench.db.$executeRaw`
      INSERT INTO "Participant" ("id", "trialId", "siteId", "screeningNumber", "screeningDate", "ageAtScreening", "sex", "status", "cohortId", "version", "updatedAt")
      SELECT 'bench-' || g, ${trial.id}, ts."siteId", 'B-' || lpad(g::text, 8, '0'), DATE '2025-06-01' + (g % 540), 30 + (g % 60),
             (ARRAY['FEMALE','MALE']::"Sex"[])[1 + g % 2],
             (ARRAY['SCREENED','SCREEN_FAILED','SCREEN_FAILED','ELIGIBLE','CONSENTED','ENROLLED']::"ParticipantStatus"[])[1 + g % 6],
             CASE WHEN g % 6 = 5 THEN (SELECT "id" FROM "Cohort" WHERE "trialId" = ${trial.id} ORDER BY "code" LIMIT 1) END, 1, now()
        FROM generate_series(1, ${LARGE}) g
        JOIN LATERAL (SELECT "siteId" FROM "TrialSite" WHERE "trialId" = ${trial.id} ORDER BY "siteId" OFFSET (g % 43) LIMIT 1) ts ON true`;
    await bench.db.$executeRaw`
      INSERT INTO "StatusChange" ("id", "participantId", "fromStatus", "toStatus", "date", "reasonCode")
      SELECT p."id" || '-' || s.step, p."id", NULL, s.step::"ParticipantStatus", p."screeningDate",
             CASE WHEN s.step = 'SCREEN_FAILED' THEN 'BIOMARKER_NEGATIVE' END
        FROM "Participant" p
        CROSS JOIN LATERAL unnest(CASE p."status"
          WHEN 'SCREENED' THEN ARRAY['SCREENED'] WHEN 'SCREEN_FAILED' THEN ARRAY['SCREENED','SCREEN_FAILED']
          WHEN 'ELIGIBLE' THEN ARRAY['SCREENED','ELIGIBLE'] WHEN 'CONSENTED' THEN ARRAY['SCREENED','ELIGIBLE','CONSENTED']
          ELSE ARRAY['SCREENED','ELIGIBLE','CONSENTED','ENROLLED'] END) AS s(step)
       WHERE p."id" LIKE 'bench-%'`;
    await bench.db.$executeRawUnsafe("ANALYZE");
    await rebuild(bench.db, trial.id);
    console.log(
      `  (loaded ${LARGE.toLocaleString("en")} more participants and rebuilt the counters in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
    const large = await measure("large");
    console.log(`  ratio large/small (median): ${(large.median / small.median).toFixed(2)} (goal: at most 2, and under 50 ms)`);
  } finally {
    await bench.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
