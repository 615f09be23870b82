import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "@/lib/audit/verify";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { correctParticipant } from "@/lib/participants/correct";
import { registerParticipant } from "@/lib/participants/register";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let target: bigint;

beforeAll(async () => {
  await seedDemoData();
  const actor = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
  const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" } });
  const site = await db().site.findUniqueOrThrow({ where: { code: "US-BOS1" } });
  const { body } = await registerParticipant(actor, trial.id, { siteId: site.id, screeningDate: addDays(todayIn(site.timeZone), -1), ageAtScreening: 55, sex: "male", results: [{ subtype: "G12C", result: "detected", method: "PCR" }] });
  await correctParticipant(actor, trial.id, body.id, { version: 1, reason: "typo", ageAtScreening: 56 });
  await correctParticipant(actor, trial.id, body.id, { version: 2, reason: "typo again", ageAtScreening: 57 });
  target = (await db().auditEvent.findFirstOrThrow({ where: { action: "participant.correct" }, orderBy: { id: "asc" } })).id;
});

/** Tampering needs the database owner to switch the append-only trigger off: the chain still tells. */
async function tamper(sql: string) {
  await db().$executeRawUnsafe(`ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"`);
  try {
    await db().$executeRawUnsafe(sql);
  } finally {
    await db().$executeRawUnsafe(`ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only"`);
  }
}

/** `npm run audit:verify` itself, on this test file's database. */
function auditVerifyCommand() {
  const run = spawnSync("npm", ["run", "--silent", "audit:verify"], { env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL }, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("the audit trail's hash chain", () => {
  it("verifies from the first row to the last", async () => {
    const result = await verifyAuditChain(db(), 2);
    expect(result.broken).toBeNull();
    expect(result.rows).toBe(await db().auditEvent.count());
    expect(auditVerifyCommand()).toMatchObject({ status: 0, output: expect.stringContaining("The audit trail is intact") });
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
    expect(result.broken).toMatchObject({ problem: expect.stringContaining("does not follow") });
    expect(BigInt(result.broken!.id)).toBeGreaterThan(target);
  });
});
