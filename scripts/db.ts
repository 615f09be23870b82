// Database commands that work without internet:
//   npm run db:migrate            apply prisma/migrations (Prisma's bookkeeping, no native engine needed)
//   npm run db:seed               seed the demo collaboration if the database holds no trials
//   npm run db:schema-sql         print the SQL that builds prisma/schema.prisma from empty (to author migrations;
//                                 tests/db/migrations.test.ts fails while the migrations and the schema differ)
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

async function main(command: string | undefined) {
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
      case "schema-sql":
        process.stdout.write(await schemaSql(database.url));
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
