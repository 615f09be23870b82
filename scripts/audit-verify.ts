// npm run audit:verify [-- --checkpoint FILE]
// Checks the audit trail's hash chain and names the first broken row (exit 1). With --checkpoint, FILE is a saved
// answer of GET /api/v1/audit/checkpoints (signatures checked with the keys saved in it): the trail must still pass
// through every signed head it holds, so a history rewritten with every hash recomputed fails too, and the report
// says between which checkpoints. Uses the running demo's database (or DATABASE_URL); exit 2 when it cannot.
import fs from "node:fs";
import { claimsFromSavedFile } from "@/lib/audit/checkpoints";
import { sealAll } from "@/lib/audit/seal";
import { verifyAuditChain, type CheckpointClaim } from "@/lib/audit/verify";
import { createPrismaClient } from "@/lib/db/prisma";
import { openDatabase, unreachable } from "./lib/database";

function checkpointFile(): string | null {
  const i = process.argv.indexOf("--checkpoint");
  if (i < 0) return null;
  const file = process.argv[i + 1];
  if (!file) {
    console.error("Usage: npm run audit:verify -- --checkpoint FILE");
    process.exit(2);
  }
  return file;
}

async function main() {
  const file = checkpointFile();
  let claims: CheckpointClaim[] = [];
  if (file) {
    try {
      claims = await claimsFromSavedFile(fs.readFileSync(file, "utf8"));
    } catch (error) {
      console.error(`Cannot use ${file}: ${error instanceof Error ? error.message : error}`);
      process.exit(2);
    }
  }
  const database = await openDatabase(() => {}, { attach: true });
  const db = createPrismaClient(database.url, 2);
  try {
    await sealAll(db); // rows committed a moment ago are chained first
    const report = await verifyAuditChain(db, { checkpoints: claims });
    if (report.broken) {
      const b = report.broken;
      console.error(`The audit trail is broken at row ${b.id} (seq ${b.seq}, ${b.at}): ${b.problem}. ${report.rows - 1} rows before it are intact.`);
      process.exitCode = 1;
    } else if (report.checkpointFailure) {
      const f = report.checkpointFailure;
      const since = f.lastGood ? ` It still matches the checkpoint at seq ${f.lastGood.seq} (${f.lastGood.at}).` : "";
      console.error(`The audit trail does not match the checkpoint signed at ${f.checkpoint.at} (seq ${f.checkpoint.seq}): ${f.problem}.${since}`);
      process.exitCode = 1;
    } else {
      const against = claims.length ? ` and matches all ${claims.length} signed checkpoints in ${file}` : "";
      console.log(`The audit trail is intact: ${report.rows} rows, every hash verified${against}.`);
    }
  } finally {
    await db.$disconnect();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  const line = unreachable(error, process.env.DATABASE_URL);
  console.error(line ?? `audit:verify failed: ${error instanceof Error ? error.message.split("\n")[0] : error}`);
  process.exit(2);
});
