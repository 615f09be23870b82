// The write path, through the real use cases (validation, numbering, results, counters, audit, event), on a
// PostgreSQL with its production durability settings (fsync and synchronous commit on), in one run:
//  1. Import: a 5,000-row screening log into TB-201 (goal under 5 s), while coordinators elsewhere keep registering
//     single patients in TB-305 (goal: p99 under 250 ms during the import); the same registrations without an
//     import beside them are the baseline.
//  2. Throughput: registrations per second at 1, 8 and 32 concurrent writers (each a coordinator at its own TB-201
//     site), against plain INSERTs of the same rows (participant, result, first step, audit row; one transaction per
//     registration) by the same number of writers, on the same database. Goal: ratio at least 0.25 at 32 writers.
// The app's folder runs throughout (counter changes folded, live events appended), as in every app instance.
// Run: npm run bench:write   (starts its own throwaway embedded PostgreSQL)
import { randomUUID } from "node:crypto";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { benchDatabase, percentile } from "./lib/app";

const IMPORT_ROWS = 5_000;
const PER_WRITER = Number(process.env.BENCH_PER_WRITER ?? 150);

const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main() {
  const bench = await benchDatabase({
    max_connections: "300",
    shared_buffers: "256MB",
    ...(process.env.BENCH_PG_SETTINGS ? JSON.parse(process.env.BENCH_PG_SETTINGS) : {}),
  });
  const { url, dir } = bench;
  try {
    process.env.DB_POOL_SIZE = "40";
    process.env.NODE_KEY_FILE = path.join(dir, "node-keys.json");
    const { db } = await import("@/lib/db/client");
    const { seedDemo } = await import("../prisma/seed");
    await seedDemo(db());
    const { registerParticipant } = await import("@/lib/participants/register");
    const { importParticipants } = await import("@/lib/participants/import");
    const { sealAll } = await import("@/lib/audit/seal");
    const { todayIn, addDays } = await import("@/lib/dates/calendar");
    // The app's folder, as every instance runs it: counter changes folded and live events appended just after commit.
    const { startFolder } = await import("@/lib/enrolment/folder");
    const { foldPending, foldTrial } = await import("@/lib/enrolment/tally");
    startFolder((trialId) => foldTrial(db(), trialId));
    let folding = true;
    const folder = (async () => {
      while (folding) {
        await foldPending(db());
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const tb201 = await db().trial.findFirstOrThrow({
      where: { code: "TB-201" },
      include: {
        trialSites: {
          include: { site: true },
          where: { status: "ACTIVE", activationDate: { lt: new Date(Date.now() - 90 * 86_400_000) } },
          orderBy: { site: { code: "asc" } },
        },
      },
    });
    const tb305 = await db().trial.findFirstOrThrow({
      where: { code: "TB-305" },
      include: { trialSites: { include: { site: true }, where: { status: "ACTIVE", site: { country: "CN" } } } },
    });
    let users = 0;
    /** A coordinator of the benchmark's own at one site (each writer its own, so per-user rate limits do not bind). */
    const coordinator = async (trialId: string, siteId: string) => {
      const user = await db().user.create({ data: { email: `bench-${users++}@example.org`, displayName: "Bench" } });
      await db().membership.create({ data: { userId: user.id, trialId, siteId, role: "COORDINATOR" } });
      return { id: user.id, email: user.email, displayName: user.displayName, isAdmin: false, locale: null };
    };
    const registration = (site: { id: string; timeZone: string }) => ({
      siteId: site.id,
      screeningDate: addDays(todayIn(site.timeZone), -2),
      ageAtScreening: 58,
      sex: "male",
      results: [{ subtype: "KRAS p.Gly12Cys", result: "detected", method: "NGS_TISSUE" }],
    });

    // 1. Import, and registrations in another trial meanwhile.
    const importer = await coordinator(tb201.id, tb201.trialSites[0]!.siteId);
    const importSite = tb201.trialSites[0]!.site;
    const csv = ["site,screeningDate,ageAtScreening,sex,results"];
    for (let i = 0; i < IMPORT_ROWS; i++)
      csv.push(
        `${importSite.code},${addDays(todayIn(importSite.timeZone), -(i % 60) - 1)},${30 + (i % 50)},${i % 2 ? "female" : "male"},"p.Leu858Arg|detected|NGS_TISSUE;EML4-ALK|not_detected|FISH"`,
      );
    const csvBytes = new TextEncoder().encode(csv.join("\n"));
    const others = await Promise.all(tb305.trialSites.slice(0, 4).map((ts) => coordinator(tb305.id, ts.siteId)));
    const otherSites = tb305.trialSites.slice(0, 4).map((ts) => ts.site);

    const registerLoop = async (stop: () => boolean, samples: number[]) => {
      await Promise.all(
        others.map(async (actor, w) => {
          for (let n = 0; !stop() && n < 250; n++) {
            const started = performance.now();
            await registerParticipant(actor, tb305.id, registration(otherSites[w]!), { idempotencyKey: randomUUID() });
            samples.push(performance.now() - started);
            await new Promise((r) => setTimeout(r, 20)); // a busy coordinator, not a flood
          }
        }),
      );
    };
    const baseline: number[] = [];
    const baselineUntil = performance.now() + 4_000;
    await registerLoop(() => performance.now() > baselineUntil, baseline);

    const during: number[] = [];
    let importing = true;
    const loop = registerLoop(() => !importing, during);
    await new Promise((r) => setTimeout(r, 300));
    const { monitorEventLoopDelay } = await import("node:perf_hooks");
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const importStart = performance.now();
    const result = await importParticipants(importer, tb201.id, csvBytes, { fileName: "bench.csv", duplicates: "keep" });
    const importSeconds = (performance.now() - importStart) / 1000;
    importing = false;
    loopDelay.disable();
    await loop;
    baseline.sort((a, b) => a - b);
    during.sort((a, b) => a - b);
    console.log(`Import of ${result.imported} rows: ${importSeconds.toFixed(2)} s (goal under 5 s).`);
    console.log(`Registrations in TB-305 without an import: ${baseline.length}, p50 ${ms(percentile(baseline, 0.5))}, p99 ${ms(percentile(baseline, 0.99))}.`);
    console.log(`Longest event-loop stall of this process during the import: ${ms(loopDelay.max / 1e6)}.`);
    console.log(
      `Registrations in TB-305 during the import: ${during.length}, p50 ${ms(percentile(during, 0.5))}, p99 ${ms(percentile(during, 0.99))}, max ${ms(during.at(-1) ?? 0)} (goal p99 under 250 ms).`,
    );
    await sealAll(db());

    // 2. Throughput against plain INSERTs of the same rows.
    const pool = new pg.Pool({ connectionString: url, max: 40 });
    pool.on("error", () => {}); // idle connections closed when the server stops
    const subtype = await db().subtype.findUniqueOrThrow({ where: { key: "KRAS:G12C" } });
    let plainSeq = 0;
    const plainInsert = async (site: { siteId: string; code: string }, actorId: string) => {
      const client = await pool.connect();
      try {
        const id = randomUUID();
        const n = ++plainSeq;
        await client.query("BEGIN");
        await client.query(
          `INSERT INTO "Participant" ("id", "trialId", "siteId", "screeningNumber", "screeningDate", "ageAtScreening", "sex", "status", "version", "createdById", "updatedAt")
                            VALUES ($1, $2, $3, $4, CURRENT_DATE - 2, 58, 'MALE', 'SCREENED', 1, $5, now())`,
          [id, tb201.id, site.siteId, `${site.code}-P${n}`, actorId],
        );
        await client.query(
          `INSERT INTO "ParticipantResult" ("id", "participantId", "subtypeId", "result", "method") VALUES ($1, $2, $3, 'DETECTED', 'NGS_TISSUE')`,
          [randomUUID(), id, subtype.id],
        );
        await client.query(
          `INSERT INTO "StatusChange" ("id", "participantId", "toStatus", "date", "actorId") VALUES ($1, $2, 'SCREENED', CURRENT_DATE - 2, $3)`,
          [randomUUID(), id, actorId],
        );
        await client.query(
          `INSERT INTO "AuditEvent" ("at", "actorId", "action", "entityType", "entityId", "trialId", "after") VALUES (now(), $1, 'participant.create', 'Participant', $2, $3, $4)`,
          [actorId, id, tb201.id, JSON.stringify({ id })],
        );
        await client.query("COMMIT");
      } finally {
        client.release();
      }
    };
    const rows: string[] = [];
    for (const writers of [1, 8, 32]) {
      const sites = Array.from({ length: writers }, (_, i) => tb201.trialSites[(i + 1) % tb201.trialSites.length]!);
      const actors = await Promise.all(sites.map((ts) => coordinator(tb201.id, ts.siteId)));
      let start = performance.now();
      await Promise.all(
        actors.map(async (actor, w) => {
          for (let n = 0; n < PER_WRITER; n++) await registerParticipant(actor, tb201.id, registration(sites[w]!.site), { idempotencyKey: randomUUID() });
        }),
      );
      const useCase = (writers * PER_WRITER) / ((performance.now() - start) / 1000);
      start = performance.now();
      await Promise.all(
        actors.map(async (actor, w) => {
          for (let n = 0; n < PER_WRITER; n++) await plainInsert({ siteId: sites[w]!.siteId, code: sites[w]!.site.code }, actor.id);
        }),
      );
      const plain = (writers * PER_WRITER) / ((performance.now() - start) / 1000);
      rows.push(`${writers} writers: use case ${useCase.toFixed(0)}/s, plain INSERTs ${plain.toFixed(0)}/s, ratio ${(useCase / plain).toFixed(2)}`);
      console.log(rows.at(-1));
    }
    await sealAll(db());
    folding = false;
    await folder;
    await foldPending(db());
    const events = await db().enrolmentEvent.count();
    console.log(`Live events appended by the folder: ${events}.`);
    const unsealed = await db().auditEvent.count({ where: { seq: null } });
    console.log(`Audit rows left unsealed after sealing: ${unsealed}.`);
    await pool.end();
    await db().$disconnect();
  } finally {
    await bench.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
