// Database commands that work without internet:
//   npm run db:migrate            apply prisma/migrations (Prisma's bookkeeping, no native engine needed)
//   npm run db:seed               seed the demo collaboration if the database holds no trials
//   npm run db:schema-sql         print the SQL that builds prisma/schema.prisma from empty (to author migrations;
//                                 tests/db/migrations.test.ts fails while the migrations and the schema differ)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { createPrismaClient } from "@/lib/db/prisma";
import { seedDemo } from "../prisma/seed";
import { openDatabase } from "./lib/database";
import { schemaSql } from "@/lib/db/schema-sql";

export async function seedIfEmpty(url: string, log: (line: string) => void) {
  const db = createPrismaClient(url, 2);
  try {
    if ((await db.trial.count()) > 0 || (await db.user.count()) > 0) {
      log("The database already holds data: the demo seed is skipped.");
      return;
    }
    log("Seeding the demo collaboration...");
    await seedDemo(db, { log });
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
  const database = await openDatabase();
  try {
    switch (command) {
      case "migrate": {
        const applied = await migrate(database.url);
        console.log(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
        break;
      }
      case "seed":
        await migrate(database.url);
        await seedIfEmpty(database.url, console.log);
        break;
      default:
        throw new Error("Usage: tsx scripts/db.ts migrate|seed|schema-sql");
    }
  } finally {
    await database.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
