import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import { sealAll } from "@/lib/audit/seal";
import { exportAudit, mayReadAudit, searchAudit } from "@/lib/audit/query";
import { db } from "@/lib/db/client";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { correctParticipant } from "@/lib/participants/correct";
import { registerParticipant } from "@/lib/participants/register";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let participantId: string;
beforeAll(async () => {
  await seedDemoData();
  const coordinator = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
  const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" } });
  const site = await db().site.findUniqueOrThrow({ where: { code: "US-BOS1" } });
  const { body } = await registerParticipant(coordinator, trial.id, {
    siteId: site.id,
    screeningDate: addDays(todayIn(site.timeZone), -1),
    ageAtScreening: 48,
    sex: "female",
    results: [{ subtype: "ALK", result: "detected", method: "FISH" }],
  });
  participantId = body.id;
  await correctParticipant(coordinator, trial.id, participantId, { version: 1, reason: "age typed wrongly", ageAtScreening: 49 });
});

describe("reading and exporting the audit trail", () => {
  it("is for administrators and trial-wide investigators only", async () => {
    expect(await mayReadAudit(await actorFor(DEMO_ACCOUNTS.admin))).toBe(true);
    expect(await mayReadAudit(await actorFor(DEMO_ACCOUNTS.investigator))).toBe(true);
    for (const email of [DEMO_ACCOUNTS.sponsor, DEMO_ACCOUNTS.coordinatorUs, DEMO_ACCOUNTS.coordinatorCn]) {
      await expect(searchAudit(await actorFor(email), {})).rejects.toMatchObject({ code: "not_found" });
    }
  });

  it("filters by record, action and actor, newest first", async () => {
    const investigator = await actorFor(DEMO_ACCOUNTS.investigator);
    const history = await searchAudit(investigator, { entityId: participantId });
    expect(history.items.map((r) => r.action)).toEqual(["participant.correct", "participant.create"]);
    expect(history.items[0]).toMatchObject({
      actor: DEMO_ACCOUNTS.coordinatorUs,
      before: { ageAtScreening: 48, version: 1 },
      after: { ageAtScreening: 49, version: 2 },
      reason: "age typed wrongly",
    });
    const byActor = await searchAudit(investigator, { actor: "coordinator.us", action: "participant.", limit: "500" });
    expect(byActor.items.every((r) => r.actor === DEMO_ACCOUNTS.coordinatorUs && r.action.startsWith("participant."))).toBe(true);
  });

  it("filters by site: the site's patients and its own records, no other site's", async () => {
    const investigator = await actorFor(DEMO_ACCOUNTS.investigator);
    const [boston, guangzhou] = await Promise.all(["US-BOS1", "CN-GZ1"].map((code) => db().site.findUniqueOrThrow({ where: { code } })));
    const atBoston = await searchAudit(investigator, { siteId: boston!.id, action: "participant.", limit: "500" });
    expect(atBoston.items.map((r) => r.entityId)).toContain(participantId);
    const bostonPatients = new Set((await db().participant.findMany({ where: { siteId: boston!.id }, select: { id: true } })).map((p) => p.id));
    expect(atBoston.items.every((r) => bostonPatients.has(r.entityId!))).toBe(true);
    const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" } });
    const { body } = await registerParticipant(await actorFor(DEMO_ACCOUNTS.coordinatorCn), trial.id, {
      siteId: guangzhou!.id,
      screeningDate: addDays(todayIn(guangzhou!.timeZone), -1),
      ageAtScreening: 57,
      sex: "male",
      results: [{ subtype: "EGFR L858R", result: "detected", method: "PCR" }],
    });
    const atGuangzhou = await searchAudit(investigator, { siteId: guangzhou!.id, limit: "500" });
    expect(atGuangzhou.items.map((r) => r.entityId)).toContain(body.id);
    expect(atGuangzhou.items.map((r) => r.entityId)).not.toContain(participantId);
  });

  it("exports CSV and records the export itself", async () => {
    const admin = await actorFor(DEMO_ACCOUNTS.admin);
    await sealAll(db()); // the sealer chains rows just after commit; the export shows each row's hash
    const csv = await exportAudit(admin, { entityId: participantId });
    const rows = Papa.parse<Record<string, string>>(csv.slice(1), { header: true, skipEmptyLines: true }).data;
    expect(rows.map((r) => r.action)).toEqual(["participant.create", "participant.correct"]);
    expect(rows[1]!.reason).toBe("age typed wrongly");
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash!))).toBe(true);
    const last = await db().auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(last).toMatchObject({ action: "audit.export", actorId: admin.id, after: { filters: { entityId: participantId } } });
  });
  it("exports a reason typed as a spreadsheet formula as text, not as a live formula", async () => {
    const coordinator = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
    const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" } });
    const site = await db().site.findUniqueOrThrow({ where: { code: "US-BOS1" } });
    const { body } = await registerParticipant(coordinator, trial.id, {
      siteId: site.id,
      screeningDate: addDays(todayIn(site.timeZone), -1),
      ageAtScreening: 61,
      sex: "male",
      results: [{ subtype: "ALK", result: "detected", method: "FISH" }],
    });
    const formula = '=HYPERLINK("http://attacker.example","click")';
    await correctParticipant(coordinator, trial.id, body.id, { version: 1, reason: formula, ageAtScreening: 62 });
    const csv = await exportAudit(await actorFor(DEMO_ACCOUNTS.admin), { entityId: body.id });
    const rows = Papa.parse<Record<string, string>>(csv.slice(1), { header: true, skipEmptyLines: true }).data;
    expect(rows.map((r) => r.reason)).toContain(`'${formula}`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
  });
});
