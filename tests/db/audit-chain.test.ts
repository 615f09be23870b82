import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointNow, claimsFromSavedFile, listCheckpoints } from "@/lib/audit/checkpoints";
import { auditHash, recordAudit } from "@/lib/audit/record";
import { sealAll, sealAudit } from "@/lib/audit/seal";
import { verifyAuditChain } from "@/lib/audit/verify";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { rotateKey } from "@/lib/keys/node-keys";
import { correctParticipant } from "@/lib/participants/correct";
import { registerParticipant } from "@/lib/participants/register";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let target: bigint;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-checkpoints-"));

async function registerAndCorrect() {
  const actor = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
  const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" } });
  const site = await db().site.findUniqueOrThrow({ where: { code: "US-BOS1" } });
  const { body } = await registerParticipant(actor, trial.id, {
    siteId: site.id,
    screeningDate: addDays(todayIn(site.timeZone), -1),
    ageAtScreening: 55,
    sex: "male",
    results: [{ subtype: "G12C", result: "detected", method: "PCR" }],
  });
  await correctParticipant(actor, trial.id, body.id, { version: 1, reason: "typo", ageAtScreening: 56 });
  await correctParticipant(actor, trial.id, body.id, { version: 2, reason: "typo again", ageAtScreening: 57 });
}

beforeAll(async () => {
  await seedDemoData();
  await registerAndCorrect();
  await sealAll(db());
  target = (await db().auditEvent.findFirstOrThrow({ where: { action: "participant.correct" }, orderBy: { id: "asc" } })).id;
});

/** Tampering needs the database owner to switch the append-only trigger off: the chain still tells. */
async function tamper(...statements: string[]) {
  await db().$executeRawUnsafe(`ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"`);
  try {
    for (const sql of statements) await db().$executeRawUnsafe(sql);
  } finally {
    await db().$executeRawUnsafe(`ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only"`);
  }
}

/** What an attacker with the database's password can do: change a row, then recompute every hash after it. */
async function rewriteHistory(id: bigint, reason: string) {
  await tamper(`UPDATE "AuditEvent" SET "reason" = '${reason}' WHERE "id" = ${id}`);
  const rows = await db().auditEvent.findMany({ where: { seq: { not: null } }, orderBy: { seq: "asc" } });
  let prev: string | null = null;
  const updates: string[] = [];
  for (const row of rows) {
    const hash = auditHash({ ...row, before: row.before ?? null, after: row.after ?? null }, prev);
    if (hash !== row.hash || row.prevHash !== prev)
      updates.push(`UPDATE "AuditEvent" SET "prevHash" = ${prev ? `'${prev}'` : "NULL"}, "hash" = '${hash}' WHERE "id" = ${row.id}`);
    prev = hash;
  }
  await tamper(...updates);
}

/** `npm run audit:verify` itself, on this test file's database. */
function auditVerifyCommand(...args: string[]) {
  const run = spawnSync("npm", ["run", "--silent", "audit:verify", ...(args.length ? ["--", ...args] : [])], {
    env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("the audit trail's hash chain", () => {
  it("is written without a lock and sealed after commit into one gapless chain", async () => {
    const unsealed = await db().auditEvent.count({ where: { seq: null } });
    expect(unsealed).toBe(0);
    // Rows written by concurrent transactions, committed in any order, are all sealed exactly once.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        db().$transaction((tx) => recordAudit(tx, { actorId: null, action: "test.concurrent", entityType: "Test", entityId: String(i) })),
      ),
    );
    const passes = await Promise.all([sealAudit(db()), sealAudit(db()), sealAudit(db())]);
    expect(passes.filter((p) => p.locked).length).toBeGreaterThanOrEqual(1);
    await sealAll(db());
    const seqs = (await db().auditEvent.findMany({ select: { seq: true }, orderBy: { seq: "asc" } })).map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it("verifies from the first row to the last", async () => {
    const result = await verifyAuditChain(db(), { batch: 2 });
    expect(result.broken).toBeNull();
    expect(result.rows).toBe(await db().auditEvent.count());
    expect(auditVerifyCommand()).toMatchObject({ status: 0, output: expect.stringContaining("The audit trail is intact") });
  });

  it("refuses any update but sealing, and sealing only once", async () => {
    const row = await db().auditEvent.findFirstOrThrow({ where: { id: target } });
    await expect(db().$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = 999999, "hash" = 'x' WHERE "id" = ${target}`)).rejects.toThrow(/append-only/);
    await db().$transaction((tx) => recordAudit(tx, { actorId: null, action: "test.unsealed", entityType: "Test" }));
    const fresh = await db().auditEvent.findFirstOrThrow({ where: { action: "test.unsealed" } });
    await expect(db().$executeRawUnsafe(`UPDATE "AuditEvent" SET "reason" = 'x', "seq" = 999999, "hash" = 'x' WHERE "id" = ${fresh.id}`)).rejects.toThrow(
      /append-only/,
    );
    await sealAll(db());
    expect((await db().auditEvent.findFirstOrThrow({ where: { id: target } })).hash).toBe(row.hash);
  });

  it("proves against a saved signed checkpoint that nobody rewrote history, and names where", async () => {
    const first = await checkpointNow(db());
    await registerAndCorrect();
    const second = await checkpointNow(db());
    expect(BigInt(second!.seq)).toBeGreaterThan(BigInt(first!.seq));
    const saved = path.join(dir, "checkpoints.json");
    fs.writeFileSync(saved, JSON.stringify(await listCheckpoints(db())));
    expect(await claimsFromSavedFile(fs.readFileSync(saved, "utf8"))).toHaveLength(2);
    expect(auditVerifyCommand("--checkpoint", saved)).toMatchObject({ status: 0, output: expect.stringContaining("matches all 2 signed checkpoints") });

    // A row after the first checkpoint rewritten and every hash recomputed: the chain alone looks intact...
    const late = await db().auditEvent.findFirstOrThrow({ where: { seq: { gt: BigInt(first!.seq), lte: BigInt(second!.seq) } }, orderBy: { seq: "asc" } });
    await rewriteHistory(late.id, "rewritten");
    expect((await verifyAuditChain(db())).broken).toBeNull();
    // ...but it no longer passes through the signed head, and the report says after which checkpoint it changed.
    const report = await verifyAuditChain(db(), { checkpoints: await claimsFromSavedFile(fs.readFileSync(saved, "utf8")) });
    expect(report.checkpointFailure).toMatchObject({ checkpoint: { seq: BigInt(second!.seq) }, lastGood: { seq: BigInt(first!.seq) } });
    const command = auditVerifyCommand("--checkpoint", saved);
    expect(command.status).toBe(1);
    expect(command.output).toContain(`does not match the checkpoint signed at ${second!.at} (seq ${second!.seq})`);
    expect(command.output).toContain(`still matches the checkpoint at seq ${first!.seq}`);
  });

  it("refuses a checkpoint file whose signature was altered, or signed by a key it does not list", async () => {
    const doc = await listCheckpoints(db());
    const forged = { ...doc, checkpoints: doc.checkpoints.map((c) => ({ ...c, jws: `${c.jws.slice(0, -4)}AAAA` })) };
    const file = path.join(dir, "forged.json");
    fs.writeFileSync(file, JSON.stringify(forged));
    expect(auditVerifyCommand("--checkpoint", file)).toMatchObject({ status: 2, output: expect.stringContaining("does not verify") });
    await rotateKey(0);
    await registerAndCorrect();
    const afterRotation = await checkpointNow(db());
    expect(afterRotation!.kid).not.toBe(doc.checkpoints[0]!.kid);
    fs.writeFileSync(file, JSON.stringify({ ...doc, checkpoints: [afterRotation] }));
    expect(auditVerifyCommand("--checkpoint", file)).toMatchObject({ status: 2, output: expect.stringContaining("unknown key") });
  });

  it("names the first altered row", async () => {
    await tamper(`UPDATE "AuditEvent" SET "reason" = 'nothing to see' WHERE "id" = ${target}`);
    const result = await verifyAuditChain(db());
    expect(result.broken).toMatchObject({ id: String(target), problem: expect.stringContaining("altered") });
    expect(auditVerifyCommand()).toMatchObject({ status: 1, output: expect.stringContaining(`The audit trail is broken at row ${target} `) });
  });

  it("names the row after a removed one", async () => {
    await tamper(`DELETE FROM "AuditEvent" WHERE "id" = ${target}`);
    const result = await verifyAuditChain(db());
    expect(result.broken).toMatchObject({ problem: expect.stringContaining("removed") });
    expect(BigInt(result.broken!.id)).toBeGreaterThan(target);
  });
});
