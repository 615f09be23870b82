import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { renderMessage } from "@/lib/i18n/messages";
import { correctParticipant, voidParticipant } from "@/lib/participants/correct";
import { getParticipant, listParticipants, participantAudit } from "@/lib/participants/queries";
import { registerParticipant } from "@/lib/participants/register";
import { transitionParticipant } from "@/lib/participants/transition";
import { countsByTrial } from "@/lib/enrolment/summary";
import { foldPending } from "@/lib/enrolment/tally";
import { DEMO_ACCOUNTS, DEMO_COORDINATOR_SITES } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let trialId: string;
let usSiteId: string;
let cnSiteId: string;
let us: Actor;
let cn: Actor;
let investigator: Actor;
let sponsor: Actor;
let cohortIds: Record<string, string>;
const usToday = () => todayIn("America/New_York");

beforeAll(async () => {
  await seedDemoData();
  const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" }, include: { cohorts: true } });
  trialId = trial.id;
  cohortIds = Object.fromEntries(trial.cohorts.map((c) => [c.code, c.id]));
  usSiteId = (await db().site.findUniqueOrThrow({ where: { code: DEMO_COORDINATOR_SITES.US } })).id;
  cnSiteId = (await db().site.findUniqueOrThrow({ where: { code: DEMO_COORDINATOR_SITES.CN } })).id;
  us = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
  cn = await actorFor(DEMO_ACCOUNTS.coordinatorCn);
  investigator = await actorFor(DEMO_ACCOUNTS.investigator);
  sponsor = await actorFor(DEMO_ACCOUNTS.sponsor);
});

const body = (overrides: Record<string, unknown> = {}) => ({
  siteId: usSiteId,
  screeningDate: addDays(usToday(), -3),
  ageAtScreening: 61,
  sex: "female",
  results: [
    { subtype: "p.Leu858Arg", result: "detected", method: "NGS_TISSUE" },
    { subtype: "ALK", result: "not_detected", method: "FISH" },
  ],
  ...overrides,
});

/** Everything a registration or change could write (counter changes folded first, as the app's folder does). */
async function snapshot() {
  await foldPending(db());
  const [participants, changes, audits, events, keys, results, versions] = await Promise.all([
    db().participant.count(),
    db().statusChange.count(),
    db().auditEvent.count(),
    db().enrolmentEvent.count(),
    db().idempotencyKey.count(),
    db().participantResult.count(),
    db().participant.aggregate({ _sum: { version: true } }),
  ]);
  return { participants, changes, audits, events, keys, results, versions: versions._sum.version };
}

async function errorOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function register(actor = us, overrides: Record<string, unknown> = {}) {
  return (await registerParticipant(actor, trialId, body(overrides))).body;
}

describe("registering a screened patient", () => {
  it("normalises the subtype, numbers the patient per site, and audits and logs the event in one go", async () => {
    const before = await snapshot();
    const seqBefore = (await db().trialSite.findFirstOrThrow({ where: { trialId, siteId: usSiteId } })).screeningSeq;
    const created = await register();
    expect(created).toMatchObject({ siteId: usSiteId, status: "SCREENED", version: 1, sex: "female", ageAtScreening: 61 });
    expect(created.screeningNumber).toBe(`US-BOS1-${String(seqBefore + 1).padStart(4, "0")}`);
    expect(created.results).toEqual([
      { subtype: "ALK:fusion", result: "not_detected", method: "FISH" },
      { subtype: "EGFR:L858R", result: "detected", method: "NGS_TISSUE" },
    ]);
    const after = await snapshot();
    expect(after).toMatchObject({ participants: before.participants + 1, changes: before.changes + 1, audits: before.audits + 1, events: before.events + 1 });
    const audit = await db().auditEvent.findFirstOrThrow({ where: { entityId: created.id } });
    expect(audit).toMatchObject({ action: "participant.create", actorId: us.id });
  });

  it("creates one participant when two identical requests with one Idempotency-Key arrive at once", async () => {
    const before = await snapshot();
    const request = body({ ageAtScreening: 70 });
    const [a, b] = await Promise.all([
      registerParticipant(us, trialId, request, { idempotencyKey: "same-key-0001" }),
      registerParticipant(us, trialId, request, { idempotencyKey: "same-key-0001" }),
    ]);
    expect(a.body).toEqual(b.body);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    const after = await snapshot();
    expect(after.participants).toBe(before.participants + 1);
    expect(after.events).toBe(before.events + 1);
    const again = await registerParticipant(us, trialId, request, { idempotencyKey: "same-key-0001" });
    expect(again).toMatchObject({ replayed: true, body: a.body });
    expect((await snapshot()).participants).toBe(before.participants + 1);
  });

  it("refuses the same Idempotency-Key with a different body, writing nothing", async () => {
    await registerParticipant(us, trialId, body(), { idempotencyKey: "reused-key-0002" });
    const before = await snapshot();
    const error = await errorOf(registerParticipant(us, trialId, body({ ageAtScreening: 44 }), { idempotencyKey: "reused-key-0002" }));
    expect(error.code).toBe("invalid");
    expect(renderMessage(error.message)).toContain("different request");
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ["an unknown field", { name: "Jane Doe" }, "invalid", "name"],
    ["a wrong type", { ageAtScreening: "sixty" }, "invalid", "ageAtScreening"],
    ["an age out of range", { ageAtScreening: 140 }, "invalid", "ageAtScreening"],
    ["a fractional age", { ageAtScreening: 60.5 }, "invalid", "ageAtScreening"],
    ["an impossible date", { screeningDate: "2026-02-30" }, "invalid", "screeningDate"],
    ["a timestamp instead of a date", { screeningDate: "2026-03-01T10:00:00Z" }, "invalid", "screeningDate"],
    ["a future date", { screeningDate: "2099-01-01" }, "invalid", "screeningDate"],
    ["a date before the site opened", { screeningDate: "2000-01-01" }, "invalid", "screeningDate"],
    ["an unknown sex", { sex: "x" }, "invalid", "sex"],
    ["no results", { results: [] }, "invalid", "results"],
    ["an unknown subtype", { results: [{ subtype: "L858Q", result: "detected", method: "NGS_TISSUE" }] }, "invalid", "results.0.subtype"],
    [
      "a subtype given twice",
      {
        results: [
          { subtype: "L858R", result: "detected", method: "PCR" },
          { subtype: "p.Leu858Arg", result: "detected", method: "NGS_TISSUE" },
        ],
      },
      "invalid",
      "results.1.subtype",
    ],
    ["an unknown method", { results: [{ subtype: "L858R", result: "detected", method: "SANGER" }] }, "invalid", "results.0.method"],
    ["another site's id", { siteId: "not-a-site" }, "not_found", null],
  ])("refuses %s and writes nothing", async (_label, overrides, code, field) => {
    const before = await snapshot();
    const error = await errorOf(registerParticipant(us, trialId, body(overrides), { idempotencyKey: `bad-input-${Math.random()}` }));
    expect(error.code).toBe(code);
    if (field) expect(Object.keys(error.fields ?? {})).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  it("suggests known subtypes for an unknown name", async () => {
    const error = await errorOf(register(us, { results: [{ subtype: "G12D", result: "detected", method: "PCR" }] }));
    expect(renderMessage(error.fields!["results.0.subtype"]![0]!)).toMatch(/Did you mean KRAS:G12C/);
  });

  it("does not let a coordinator register at, read or change another site's patients", async () => {
    const before = await snapshot();
    expect((await errorOf(register(cn, { siteId: usSiteId }))).code).toBe("not_found");
    expect((await errorOf(register(sponsor))).code).toBe("not_found");
    expect((await errorOf(register(investigator))).code).toBe("not_found"); // investigators do not register
    expect(await snapshot()).toEqual(before);
    const usPatient = await register();
    expect((await errorOf(getParticipant(cn, trialId, usPatient.id))).code).toBe("not_found");
    expect((await errorOf(correctParticipant(cn, trialId, usPatient.id, { version: 1, reason: "x", ageAtScreening: 50 }))).code).toBe("not_found");
    expect((await errorOf(transitionParticipant(cn, trialId, usPatient.id, { to: "ELIGIBLE", date: usToday(), version: 1 }))).code).toBe("not_found");
    expect((await errorOf(getParticipant(sponsor, trialId, usPatient.id))).code).toBe("not_found");
    // Each refusal of an existing record is in the audit trail (an unknown id is simply not found).
    const refusals = await db().auditEvent.findMany({ where: { action: "access.refused", entityId: usPatient.id }, orderBy: { id: "asc" } });
    expect(refusals.map((r) => [r.actorId, (r.after as { attempted: string }).attempted])).toEqual([
      [cn.id, "participant.read"],
      [cn.id, "participant.correct"],
      [cn.id, "participant.transition"],
      [sponsor.id, "participant.read"],
    ]);
    expect((await errorOf(getParticipant(cn, trialId, "no-such-participant"))).code).toBe("not_found");
    expect(await db().auditEvent.count({ where: { action: "access.refused", entityId: "no-such-participant" } })).toBe(0);
    // Ids that are not ids (a crafted form post, an absurd URL) are not found, never a crash.
    expect((await errorOf(getParticipant(cn, trialId, { not: "an id" } as never))).code).toBe("not_found");
    expect((await errorOf(transitionParticipant(cn, "x".repeat(5000), usPatient.id, { to: "ELIGIBLE", date: usToday(), version: 1 }))).code).toBe("not_found");
    const listed = await listParticipants(cn, trialId, { limit: "200" });
    expect(listed.items.every((p) => p.siteId === cnSiteId)).toBe(true);
  });
});

describe("the path from screening to enrolment", () => {
  it("moves a patient with p.Leu858Arg through to enrolment in the EGFR cohort, in date order", async () => {
    const p = await register(us, { screeningDate: addDays(usToday(), -10) });
    const eligible = await transitionParticipant(us, trialId, p.id, { to: "ELIGIBLE", date: addDays(usToday(), -8), version: 1 });
    expect(eligible).toMatchObject({ status: "ELIGIBLE", version: 2 });
    const early = await errorOf(transitionParticipant(us, trialId, p.id, { to: "CONSENTED", date: addDays(usToday(), -9), version: 2 }));
    expect(early.fields).toHaveProperty("date");
    const future = await errorOf(transitionParticipant(us, trialId, p.id, { to: "CONSENTED", date: addDays(usToday(), 2), version: 2 }));
    expect(future.fields).toHaveProperty("date");
    const skip = await errorOf(transitionParticipant(us, trialId, p.id, { to: "ENROLLED", date: usToday(), cohortId: cohortIds["EGFR-S"], version: 2 }));
    expect(skip.fields).toHaveProperty("to"); // enrolment requires consent
    await transitionParticipant(us, trialId, p.id, { to: "CONSENTED", date: addDays(usToday(), -5), version: 2 });
    const wrongCohort = await errorOf(transitionParticipant(us, trialId, p.id, { to: "ENROLLED", date: usToday(), cohortId: cohortIds.ALK, version: 3 }));
    expect(renderMessage(wrongCohort.fields!.cohortId![0]!)).toMatch(/do not meet the cohort's criteria/);
    const enrolled = await transitionParticipant(us, trialId, p.id, { to: "ENROLLED", date: usToday(), cohortId: cohortIds["EGFR-S"], version: 3 });
    expect(enrolled).toMatchObject({ status: "ENROLLED", cohortId: cohortIds["EGFR-S"], version: 4 });
    const { history } = await getParticipant(us, trialId, p.id);
    expect(history.map((h) => h.to)).toEqual(["SCREENED", "ELIGIBLE", "CONSENTED", "ENROLLED"]);
  });

  it("needs a reason from the list for a screen failure, and text for OTHER", async () => {
    const p = await register();
    expect((await errorOf(transitionParticipant(us, trialId, p.id, { to: "SCREEN_FAILED", date: usToday(), version: 1 }))).fields).toHaveProperty("reasonCode");
    expect(
      (await errorOf(transitionParticipant(us, trialId, p.id, { to: "SCREEN_FAILED", date: usToday(), reasonCode: "OTHER", version: 1 }))).fields,
    ).toHaveProperty("reason");
    const failed = await transitionParticipant(us, trialId, p.id, {
      to: "SCREEN_FAILED",
      date: usToday(),
      reasonCode: "EXCLUSION_MET",
      reason: "brain metastases",
      version: 1,
    });
    expect(failed.status).toBe("SCREEN_FAILED");
    expect((await errorOf(transitionParticipant(us, trialId, p.id, { to: "ELIGIBLE", date: usToday(), version: 2 }))).fields).toHaveProperty("to");
  });

  it("refuses a full cohort unless an investigator overrides it with a reason; a withdrawn patient still counts", async () => {
    const cohort = await db().cohort.findUniqueOrThrow({ where: { id: cohortIds.MET14! } });
    const enrolledNow = await db().participant.count({
      where: { cohortId: cohort.id, voidedAt: null, status: { in: ["ENROLLED", "WITHDRAWN", "COMPLETED"] } },
    });
    await db().cohort.update({ where: { id: cohort.id }, data: { target: enrolledNow } }); // full
    const p = await register(us, { results: [{ subtype: "METex14", result: "detected", method: "NGS_PLASMA" }] });
    await transitionParticipant(us, trialId, p.id, { to: "ELIGIBLE", date: usToday(), version: 1 });
    await transitionParticipant(us, trialId, p.id, { to: "CONSENTED", date: usToday(), version: 2 });
    const before = await snapshot();
    const full = await errorOf(transitionParticipant(us, trialId, p.id, { to: "ENROLLED", date: usToday(), cohortId: cohort.id, version: 3 }));
    expect(full.code).toBe("conflict");
    expect(
      (
        await errorOf(
          transitionParticipant(us, trialId, p.id, { to: "ENROLLED", date: usToday(), cohortId: cohort.id, override: true, reason: "x", version: 3 }),
        )
      ).code,
    ).toBe("forbidden");
    expect(
      (await errorOf(transitionParticipant(investigator, trialId, p.id, { to: "ENROLLED", date: usToday(), cohortId: cohort.id, override: true, version: 3 })))
        .fields,
    ).toHaveProperty("reason");
    expect(await snapshot()).toEqual(before);
    const countsBefore = (await countsByTrial(db(), [trialId])).get(trialId)!;
    const enrolled = await transitionParticipant(investigator, trialId, p.id, {
      to: "ENROLLED",
      date: usToday(),
      cohortId: cohort.id,
      override: true,
      reason: "Steering committee approved one extra",
      version: 3,
    });
    expect(enrolled.status).toBe("ENROLLED");
    expect(await db().auditEvent.count({ where: { entityId: p.id, action: "participant.transition.override" } })).toBe(1);
    const withdrawn = await transitionParticipant(us, trialId, p.id, { to: "WITHDRAWN", date: usToday(), reasonCode: "ADVERSE_EVENT", version: 4 });
    expect(withdrawn.status).toBe("WITHDRAWN");
    const countsAfter = (await countsByTrial(db(), [trialId])).get(trialId)!;
    expect(countsAfter.enrolled).toBe(countsBefore.enrolled + 1); // still counts as enrolled
    await foldPending(db());
    const event = await db().enrolmentEvent.findFirstOrThrow({ where: { trialId }, orderBy: { id: "desc" } });
    expect((event.payload as { totals: { withdrawn: number; enrolled: number } }).totals).toMatchObject({ enrolled: countsAfter.enrolled });
    expect(JSON.stringify(event.payload)).not.toContain(p.id); // counts only, no patient-level data
    const site = (event.payload as { bySite: Record<string, { enrolled?: number; screened?: number }> }).bySite[usSiteId]!;
    expect(site.screened).toBeGreaterThan(0); // each site's counts travel with the event (the site table redraws at once)
    expect(site.enrolled).toBe((await db().tally.findFirstOrThrow({ where: { trialId, dimension: "site", key: usSiteId, metric: "enrolled" } })).value);
  });
});

describe("corrections", () => {
  it("corrects the age with a reason, audits old and new values, and refuses a stale version with nothing written", async () => {
    const p = await register(us, { ageAtScreening: 57 });
    const missingReason = await errorOf(correctParticipant(us, trialId, p.id, { version: 1, ageAtScreening: 75 }));
    expect(missingReason.fields).toHaveProperty("reason");
    const corrected = await correctParticipant(us, trialId, p.id, { version: 1, reason: "Transcription error: digits swapped", ageAtScreening: 75 });
    expect(corrected).toMatchObject({ ageAtScreening: 75, version: 2 });
    const before = await snapshot();
    const stale = await errorOf(correctParticipant(us, trialId, p.id, { version: 1, reason: "second editor", ageAtScreening: 58 }));
    expect(stale.code).toBe("conflict");
    expect(await snapshot()).toEqual(before);
    expect((await getParticipant(us, trialId, p.id)).participant.ageAtScreening).toBe(75);
    const audit = await participantAudit(us, trialId, p.id);
    expect(audit.map((a) => a.action)).toEqual(["participant.create", "participant.correct"]);
    expect(audit[1]).toMatchObject({
      before: { ageAtScreening: 57, version: 1 },
      after: { ageAtScreening: 75, version: 2 },
      reason: "Transcription error: digits swapped",
      actor: "Casey Coordinator",
    });
  });

  it("refuses a correction that changes nothing", async () => {
    const p = await register(us, { ageAtScreening: 57 });
    expect((await errorOf(correctParticipant(us, trialId, p.id, { version: 1, reason: "no-op", ageAtScreening: 57 }))).message).toMatch(/nothingToChange/);
  });

  it("voids a mistaken record with a reason: it stays, leaves the counts, and cannot change again", async () => {
    const countsBefore = (await countsByTrial(db(), [trialId])).get(trialId)!;
    const p = await register();
    expect((await countsByTrial(db(), [trialId])).get(trialId)!.screened).toBe(countsBefore.screened + 1);
    const voided = await voidParticipant(us, trialId, p.id, { version: 1, reason: "Registered twice by mistake" });
    expect(voided).toMatchObject({ voided: true, voidReason: "Registered twice by mistake" });
    expect((await countsByTrial(db(), [trialId])).get(trialId)!.screened).toBe(countsBefore.screened);
    expect(await db().participant.count({ where: { id: p.id } })).toBe(1);
    expect((await errorOf(transitionParticipant(us, trialId, p.id, { to: "ELIGIBLE", date: usToday(), version: 2 }))).code).toBe("conflict");
  });
});

describe("corrections of the path and the results", () => {
  const monthTally = async (month: string) =>
    (await db().tally.findFirst({ where: { trialId, dimension: "month", key: `${month}:US`, metric: "enrolled" } }))?.value ?? 0;
  const reasonTally = async (code: string) => (await db().tally.findFirst({ where: { trialId, dimension: "reason", key: `${usSiteId}:${code}` } }))?.value ?? 0;

  it("corrects a step's date by appending: the path and the counts show the new date, the first row stays, the audit has both", async () => {
    const p = await register(us, { screeningDate: addDays(usToday(), -60) });
    await transitionParticipant(us, trialId, p.id, { to: "ELIGIBLE", date: addDays(usToday(), -59), version: 1 });
    await transitionParticipant(us, trialId, p.id, { to: "CONSENTED", date: addDays(usToday(), -58), version: 2 });
    const wrong = addDays(usToday(), -57);
    const right = addDays(usToday(), -40);
    await transitionParticipant(us, trialId, p.id, { to: "ENROLLED", date: right, cohortId: cohortIds["EGFR-S"], version: 3 });
    const enrolledStep = (await getParticipant(us, trialId, p.id)).history.at(-1)!;
    // the coordinator meant `wrong`... then finds the record says `right` while the consent form says `wrong`
    await foldPending(db());
    const [rightBefore, wrongBefore] = [await monthTally(right.slice(0, 7)), await monthTally(wrong.slice(0, 7))];
    const tooEarly = await errorOf(
      correctParticipant(us, trialId, p.id, { version: 4, reason: "date", step: { id: enrolledStep.id, date: addDays(usToday(), -59) } }),
    );
    expect(tooEarly.fields).toHaveProperty(["step.date"]); // before consent
    const corrected = await correctParticipant(us, trialId, p.id, {
      version: 4,
      reason: "Date from the signed consent form",
      step: { id: enrolledStep.id, date: wrong },
    });
    expect(corrected.version).toBe(5);
    const { history } = await getParticipant(us, trialId, p.id);
    expect(history.map((h) => h.to)).toEqual(["SCREENED", "ELIGIBLE", "CONSENTED", "ENROLLED"]);
    expect(history.at(-1)).toMatchObject({ date: wrong, corrected: { date: right } });
    expect(await db().statusChange.count({ where: { participantId: p.id } })).toBe(5); // the corrected row is kept
    await foldPending(db());
    if (right.slice(0, 7) !== wrong.slice(0, 7)) {
      expect(await monthTally(right.slice(0, 7))).toBe(rightBefore - 1);
      expect(await monthTally(wrong.slice(0, 7))).toBe(wrongBefore + 1);
    }
    const audit = (await participantAudit(us, trialId, p.id)).at(-1)!;
    expect(audit).toMatchObject({
      action: "participant.correct",
      before: { step: { step: "ENROLLED", date: right } },
      after: { step: { step: "ENROLLED", date: wrong } },
      reason: "Date from the signed consent form",
    });
    // the corrected row is no longer a step that can be corrected
    expect(
      (await errorOf(correctParticipant(us, trialId, p.id, { version: 5, reason: "again", step: { id: enrolledStep.id, date: right } }))).fields,
    ).toHaveProperty(["step.id"]);
  });

  it("corrects a screen failure's reason, moving the reason counts; a reason the step does not take is refused", async () => {
    const p = await register();
    await transitionParticipant(us, trialId, p.id, { to: "SCREEN_FAILED", date: usToday(), reasonCode: "EXCLUSION_MET", version: 1 });
    const step = (await getParticipant(us, trialId, p.id)).history.at(-1)!;
    await foldPending(db());
    const [exclusion, consent] = [await reasonTally("EXCLUSION_MET"), await reasonTally("DECLINED")];
    const wrongList = await errorOf(correctParticipant(us, trialId, p.id, { version: 2, reason: "x", step: { id: step.id, reasonCode: "ADVERSE_EVENT" } }));
    expect(wrongList.fields).toHaveProperty(["step.reasonCode"]);
    await correctParticipant(us, trialId, p.id, {
      version: 2,
      reason: "The patient declined; not an exclusion",
      step: { id: step.id, reasonCode: "DECLINED" },
    });
    await foldPending(db());
    expect(await reasonTally("EXCLUSION_MET")).toBe(exclusion - 1);
    expect(await reasonTally("DECLINED")).toBe(consent + 1);
    expect((await getParticipant(us, trialId, p.id)).history.at(-1)).toMatchObject({ reasonCode: "DECLINED" });
    const screened = (await getParticipant(us, trialId, p.id)).history[0]!;
    expect(
      (await errorOf(correctParticipant(us, trialId, p.id, { version: 3, reason: "x", step: { id: screened.id, date: usToday() } }))).fields,
    ).toHaveProperty(["step.id"]);
  });

  it("a corrected screening date shows in the path too", async () => {
    const p = await register(us, { screeningDate: addDays(usToday(), -5) });
    await correctParticipant(us, trialId, p.id, { version: 1, reason: "Wrong day typed", screeningDate: addDays(usToday(), -6) });
    const { participant, history } = await getParticipant(us, trialId, p.id);
    expect(participant.screeningDate).toBe(addDays(usToday(), -6));
    expect(history[0]).toMatchObject({ to: "SCREENED", date: addDays(usToday(), -6), corrected: { date: addDays(usToday(), -5) } });
  });

  it("corrects a result and its method", async () => {
    const p = await register();
    await correctParticipant(us, trialId, p.id, {
      version: 1,
      reason: "Report re-read: the ALK test was by IHC",
      results: [
        { subtype: "p.Leu858Arg", result: "detected", method: "NGS_TISSUE" },
        { subtype: "ALK", result: "not_detected", method: "IHC" },
      ],
    });
    const { participant } = await getParticipant(us, trialId, p.id);
    expect(participant.results.map((r) => r.method).sort()).toEqual(["IHC", "NGS_TISSUE"]); // was FISH
  });
});

describe("lists", () => {
  it("filters by site, status, subtype and dates, pages with a cursor, and reports the total", async () => {
    const first = await listParticipants(investigator, trialId, { limit: "25", status: "SCREEN_FAILED" });
    expect(first.items).toHaveLength(25);
    expect(first.items.every((p) => p.status === "SCREEN_FAILED")).toBe(true);
    const seen = new Set(first.items.map((p) => p.id));
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await listParticipants(investigator, trialId, { limit: "25", status: "SCREEN_FAILED", cursor });
      for (const p of page.items) {
        expect(seen.has(p.id)).toBe(false);
        seen.add(p.id);
      }
      cursor = page.nextCursor;
    }
    expect(seen.size).toBe(first.total);
    const egfr = await listParticipants(investigator, trialId, { subtype: "exon 19 deletion", limit: "200" });
    expect(egfr.items.length).toBeGreaterThan(0);
    expect(egfr.items.every((p) => p.results.some((r) => r.subtype === "EGFR:ex19del" && r.result === "detected"))).toBe(true);
    const window = await listParticipants(investigator, trialId, { from: "2026-01-01", to: "2026-01-31", siteId: cnSiteId, limit: "200" });
    expect(window.items.every((p) => p.screeningDate >= "2026-01-01" && p.screeningDate <= "2026-01-31" && p.siteId === cnSiteId)).toBe(true);
    expect((await errorOf(listParticipants(investigator, trialId, { limit: "5000" }))).code).toBe("invalid");
    expect((await errorOf(listParticipants(investigator, trialId, { cursor: "garbage" }))).code).toBe("invalid_request");
  });

  it("gives sponsors no rows", async () => {
    const listed = await listParticipants(sponsor, trialId, {});
    expect(listed).toMatchObject({ items: [], total: 0 });
  });
});
