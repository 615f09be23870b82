// Database commands that work without internet:
//   npm run db:migrate            apply prisma/migrations (Prisma's bookkeeping, no native engine needed)
//   npm run db:seed               seed the demo collaboration if the database holds no trials
//   npm run db:verify [-- --repair]   recount every trial's enrolment from the rows and report any difference from the
//                                 kept counters (exit 1 if any); --repair rebuilds the counters from the recount
//   npm run db:backup -- FILE     a consistent online backup of the database (beside a running demo) into FILE
//   npm run db:restore -- FILE    restore FILE into an empty database (a fresh ./data, or an empty DATABASE_URL)
//   npm run db:schema-sql         print the SQL that builds prisma/schema.prisma from empty (to author migrations;
//                                 tests/db/migrations.test.ts fails while the migrations and the schema differ)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { backupDatabase, RestoreRefused, restoreDatabase } from "@/lib/db/backup";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { createPrismaClient } from "@/lib/db/prisma";
import { compare, keptTallies, rebuild, recount } from "@/lib/enrolment/tally";
import { seedDemo } from "../prisma/seed";
import { openDatabase, unreachable } from "./lib/database";
import { schemaSql } from "@/lib/db/schema-sql";

/** Compares every trial's kept counters with a recount; with repair, rebuilds those that differ. Returns the differences. */
export async function verifyTallies(url: string, repair: boolean, log: (line: string) => void = console.log): Promise<number> {
  const db = createPrismaClient(url, 2);
  let total = 0;
  try {
    for (const trial of await db.trial.findMany({ select: { id: true, code: true }, orderBy: { code: "asc" } })) {
      const differences = compare(await keptTallies(db, trial.id), await recount(db, trial.id));
      total += differences.length;
      if (differences.length === 0) {
        log(`${trial.code}: kept counts equal the recount.`);
        continue;
      }
      log(`${trial.code}: ${differences.length} counters differ from the recount:`);
      for (const d of differences.slice(0, 20)) log(`  ${d.counter}: kept ${d.kept}, recounted ${d.recounted}`);
      if (repair) {
        await rebuild(db, trial.id);
        log(`${trial.code}: counters rebuilt from the recount.`);
      }
    }
  } finally {
    await db.$disconnect();
  }
  return total;
}

/** Trials with participants but no counters (e.g. data from before the counters existed) get them built. */
export async function buildMissingTallies(url: string, log: (line: string) => void) {
  const db = createPrismaClient(url, 2);
  try {
    const missing = await db.$queryRaw<{ id: string; code: string }[]>`
      SELECT t."id", t."code" FROM "Trial" t
       WHERE EXISTS (SELECT 1 FROM "Participant" p WHERE p."trialId" = t."id")
         AND NOT EXISTS (SELECT 1 FROM "Tally" y WHERE y."trialId" = t."id")
         AND NOT EXISTS (SELECT 1 FROM "TallyDelta" y WHERE y."trialId" = t."id")`;
    for (const trial of missing) {
      log(`Building enrolment counters for ${trial.code}...`);
      await rebuild(db, trial.id);
    }
  } finally {
    await db.$disconnect();
  }
}

export async function seedIfEmpty(url: string, log: (line: string) => void) {
  const db = createPrismaClient(url, 2);
  try {
    if ((await db.trial.count()) > 0 || (await db.user.count()) > 0) {
      log("The database already holds data: the demo seed is skipped.");
      return;
    }
    log("Seeding the demo collaboration...");
    const country = process.env.NODE_COUNTRY === "US" || process.env.NODE_COUNTRY === "CN" ? process.env.NODE_COUNTRY : undefined;
    await seedDemo(db, { log, country }); // one node of two: only its own country's patients
  } finally {
    await db.$disconnect();
  }
}

/** The engine needs some PostgreSQL to talk to, but reads nothing from it: a throwaway cluster will do. */
async function printSchemaSql() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-schema-sql-"));
  fs.chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data") });
  try {
    process.stdout.write(await schemaSql(server.url));
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(command: string | undefined) {
  if (command === "schema-sql") return printSchemaSql();
  const file = process.argv[3];
  if ((command === "backup" || command === "restore") && !file) throw new Error(`Usage: npm run db:${command} -- FILE`);
  // verify and backup read beside a running demo; the others change the database and want it to themselves
  const database = await openDatabase(console.log, { attach: command === "verify" || command === "backup" });
  try {
    switch (command) {
      case "migrate": {
        const applied = await migrate(database.url);
        console.log(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
        break;
      }
      case "verify": {
        const differences = await verifyTallies(database.url, process.argv.includes("--repair"));
        if (differences > 0 && !process.argv.includes("--repair")) process.exitCode = 1;
        break;
      }
      case "backup": {
        const header = await backupDatabase(database.url, file!);
        const rows = header.tables.reduce((n, t) => n + t.rows, 0);
        console.log(`Backed up ${rows} rows of ${header.tables.length} tables to ${file} (consistent as of ${header.createdAt}).`);
        console.log("Not in the backup, by design: AUTH_SECRET and the signing keys (NODE_KEY_FILE). Keep copies of them apart from it.");
        break;
      }
      case "restore": {
        const header = await restoreDatabase(database.url, file!);
        console.log(
          `Restored ${header.tables.reduce((n, t) => n + t.rows, 0)} rows of ${header.tables.length} tables from ${file} (backed up ${header.createdAt}).`,
        );
        break;
      }
      case "seed":
        await migrate(database.url);
        await seedIfEmpty(database.url, console.log);
        break;
      default:
        throw new Error("Usage: tsx scripts/db.ts migrate|seed|verify [--repair]|backup FILE|restore FILE|schema-sql");
    }
  } finally {
    await database.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(unreachable(error, process.env.DATABASE_URL) ?? (error instanceof Error ? error.message.split("\n")[0] : error));
    if (error instanceof RestoreRefused) process.exit(1);
    process.exit(error instanceof Error && unreachable(error, process.env.DATABASE_URL) ? 2 : 1);
  });
}
