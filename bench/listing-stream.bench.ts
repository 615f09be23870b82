// The de-identified participant listing for 1,000,000 participants, streamed as CSV over HTTP, while the server's
// resident memory is sampled every 100 ms. Goal: the server stays under 300 MB while it produces the file.
// Run: npm run bench:listing
import fs from "node:fs";
import { startBench } from "./lib/app";

const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 1_000_000);

function rssMb(pid: number): number {
  // The server process and any children it started.
  const pids = [
    pid,
    ...fs
      .readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/stat`, "utf8").split(" ")[3] === String(pid);
        } catch {
          return false;
        }
      }),
  ];
  return pids.reduce((sum, p) => {
    try {
      return sum + Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0) / 1024;
    } catch {
      return sum;
    }
  }, 0);
}

async function main() {
  const bench = await startBench();
  try {
    const trial = await bench.db.trial.findFirstOrThrow({ where: { code: "TB-201" } });
    await bench.db.$executeRaw`
      INSERT INTO "Participant" ("id", "trialId", "siteId", "screeningNumber", "screeningDate", "ageAtScreening", "sex", "status", "version", "updatedAt")
      SELECT 'bench-' || lpad(g::text, 8, '0'), ${trial.id}, ts."siteId", 'B-' || lpad(g::text, 8, '0'), DATE '2025-06-01' + (g % 540), 30 + (g % 65),
             (ARRAY['FEMALE','MALE']::"Sex"[])[1 + g % 2], (ARRAY['SCREENED','SCREEN_FAILED','ENROLLED']::"ParticipantStatus"[])[1 + g % 3], 1, now()
        FROM generate_series(1, ${PARTICIPANTS}) g
        JOIN LATERAL (SELECT "siteId" FROM "TrialSite" WHERE "trialId" = ${trial.id} ORDER BY "siteId" OFFSET (g % 43) LIMIT 1) ts ON true`;
    await bench.db.$executeRawUnsafe("ANALYZE");
    await bench.startApp(3230);
    const cookie = await bench.signIn("investigator@example.org");
    const [pid] = bench.pids();
    const baseline = rssMb(pid!);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid!))), 100);
    const started = performance.now();
    const response = await fetch(`${bench.base}/api/v1/trials/${trial.id}/reports/participants.csv`, { headers: { cookie } });
    if (!response.ok || !response.body) throw new Error(`listing answered ${response.status}`);
    const reader = response.body.getReader();
    let bytes = 0;
    let lines = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      for (const b of value) if (b === 10) lines++;
    }
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    console.log(`Streamed ${(lines - 1).toLocaleString("en")} participant rows (${(bytes / 1024 / 1024).toFixed(0)} MB of CSV) in ${seconds.toFixed(1)} s.`);
    console.log(`Server resident memory: ${baseline.toFixed(0)} MB before, ${peak.toFixed(0)} MB at most while streaming (goal: under 300 MB).`);
  } finally {
    await bench.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
