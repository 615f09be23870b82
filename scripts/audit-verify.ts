// npm run audit:verify   Checks the whole audit trail's hash chain and names the first broken row (exit 1).
import { verifyAuditChain } from "@/lib/audit/verify";
import { createPrismaClient } from "@/lib/db/prisma";
import { openDatabase } from "./lib/database";

const database = await openDatabase(() => {});
const db = createPrismaClient(database.url, 2);
try {
  const { rows, broken } = await verifyAuditChain(db);
  if (broken) {
    console.error(`The audit trail is broken at row ${broken.id} (${broken.at}): ${broken.problem}. ${rows - 1} rows before it are intact.`);
    process.exitCode = 1;
  } else {
    console.log(`The audit trail is intact: ${rows} rows, every hash verified.`);
  }
} finally {
  await db.$disconnect();
  await database.stop();
}
