// Writers that race, as they do when 43 hospitals recruit at once: every use case takes its locks in one documented
// order (docs/decisions/010-lock-order.md), so these runs see no deadlock, no unexpected error and the invariant
// kept. The tests marked "Fails without" were each seen to fail with that fix taken out.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { updateCohort, updateTrial } from "@/lib/admin/trials";
import type { Actor } from "@/lib/auth/session";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { compare, keptTallies, recount } from "@/lib/enrolment/tally";
import { AppError } from "@/lib/http/errors";
import { trialAccess } from "@/lib/auth/access";
import { importParticipants } from "@/lib/participants/import";
import { checkRegistration, insertRegistrations, registerParticipant } from "@/lib/participants/register";
import { transitionParticipant } from "@/lib/participants/transition";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let admin: Actor;
let usSites: { id: string; code: string; timeZone: string }[];

beforeAll(async () => {
  await seedDemoData();
  admin = await actorFor(DEMO_ACCOUNTS.admin);
  usSites = await db().site.findMany({ where: { country: "US" }, orderBy: { code: "asc" }, take: 4, select: { id: true, code: true, timeZone: true } });
});

/** A trial of the test's own: one KRAS G12C cohort, four active US sites, a coordinator at all of them. */
async function freshTrial(cohortTarget: number) {
  const label = randomUUID().slice(0, 8);
  const subtype = await db().subtype.findUniqueOrThrow({ where: { key: "KRAS:G12C" } });
  const trial = await db().trial.create({
    data: {
      code: `LOCK-${label}`,
      title: "Lock order",
      phase: "Phase 2",
      indication: "NSCLC",
      status: "RECRUITING",
      plannedStart: new Date("2026-01-01"),
      target: cohortTarget,
      sponsorName: "Test",
      cohorts: { create: { code: "G12C", name: "KRAS G12C", target: cohortTarget, subtypes: { create: { subtypeId: subtype.id } } } },
      trialSites: {
        create: usSites.map((s) => ({ siteId: s.id, status: "ACTIVE" as const, activationDate: new Date("2026-01-01"), plannedScreeningRate: 2 })),
      },
    },
    include: { cohorts: true },
  });
  const coordinators: Actor[] = [];
  for (let i = 0; i < 4; i++) {
    const user = await db().user.create({ data: { email: `lock-${label}-${i}@example.org`, displayName: `Coordinator ${i}` } });
    for (const site of usSites) await db().membership.create({ data: { userId: user.id, trialId: trial.id, siteId: site.id, role: "COORDINATOR" } });
    coordinators.push({ id: user.id, email: user.email, displayName: user.displayName, isAdmin: false, locale: null });
  }
  const investigatorUser = await db().user.findUniqueOrThrow({ where: { email: DEMO_ACCOUNTS.investigator } });
  await db().membership.create({ data: { userId: investigatorUser.id, trialId: trial.id, role: "INVESTIGATOR" } });
  return { trialId: trial.id, cohortId: trial.cohorts[0]!.id, coordinators };
}

const body = (siteIndex: number) => ({
  siteId: usSites[siteIndex]!.id,
  screeningDate: addDays(todayIn(usSites[siteIndex]!.timeZone), -20),
  ageAtScreening: 60,
  sex: "female",
  results: [{ subtype: "KRAS G12C", result: "detected", method: "NGS_TISSUE" }],
});

/** Settles every promise; anything but an AppError (a deadlock, a 500) fails the test. */
async function settle(runs: Promise<unknown>[]) {
  const outcomes = await Promise.allSettled(runs);
  for (const o of outcomes) if (o.status === "rejected" && !(o.reason instanceof AppError)) throw o.reason;
  return outcomes;
}

async function consented(trialId: string, coordinator: Actor, siteIndex: number) {
  const { body: p } = await registerParticipant(coordinator, trialId, body(siteIndex));
  const date = addDays(todayIn(usSites[siteIndex]!.timeZone), -10);
  await transitionParticipant(coordinator, trialId, p.id, { to: "ELIGIBLE", date, version: 1 });
  await transitionParticipant(coordinator, trialId, p.id, { to: "CONSENTED", date, version: 2 });
  return { id: p.id, version: 3, date };
}

const enrolledIn = (cohortId: string) =>
  db().participant.count({ where: { cohortId, voidedAt: null, status: { in: ["ENROLLED", "COMPLETED", "WITHDRAWN"] } } });

async function countsAgreeWithRecount(trialId: string) {
  expect(compare(await keptTallies(db(), trialId), await recount(db(), trialId))).toEqual([]);
}

/** Resolves once another session of this database is waiting for a row or advisory lock. */
async function waitUntilSomeoneWaitsForALock() {
  for (let i = 0; i < 200; i++) {
    const [row] = await db().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    if (row!.n > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("nobody came to wait for a lock");
}

describe("lock order", () => {
  // Fails without the status guard in insertRegistrations' numbering UPDATE: the registration lands in a closed trial.
  it("refuses a registration checked before its trial closed and written after", async () => {
    const { trialId, coordinators } = await freshTrial(10);
    const checked = await checkRegistration(await trialAccess(coordinators[0]!, trialId), body(0));
    const trial = await db().trial.findUniqueOrThrow({ where: { id: trialId } });
    await updateTrial(admin, trialId, { version: trial.version, status: "CLOSED", reason: "closing while sites register" });
    await expect(db().$transaction((tx) => insertRegistrations(tx, coordinators[0]!, trialId, [checked]))).rejects.toMatchObject({
      code: "invalid",
      fields: { siteId: [expect.stringContaining("siteNotActive")] },
    });
    expect(await db().participant.count({ where: { trialId } })).toBe(0);
  });

  it("closing a trial while its sites register: no deadlock, no error but 'not open', every success kept, nothing after", async () => {
    const { trialId, coordinators } = await freshTrial(10);
    const trial = await db().trial.findUniqueOrThrow({ where: { id: trialId } });
    const registrations = Array.from({ length: 24 }, (_, i) => registerParticipant(coordinators[i % 4]!, trialId, body(i % 4)));
    const close = updateTrial(admin, trialId, { version: trial.version, status: "CLOSED", reason: "closing while sites register" });
    const outcomes = await settle([...registrations, close]);
    expect(outcomes.at(-1)!.status).toBe("fulfilled");
    for (const o of outcomes.slice(0, -1))
      if (o.status === "rejected") expect(o.reason).toMatchObject({ code: "invalid", fields: { siteId: [expect.stringContaining("siteNotActive")] } });
    // Every registration that succeeded is there, and nothing else: those that took their site's row before the close
    // did commit before it (the close waits for them), the others were refused. (The test above pins down the
    // interleaving that would let one through after the close.)
    const succeeded = outcomes.slice(0, -1).filter((o) => o.status === "fulfilled").length;
    expect(await db().participant.count({ where: { trialId } })).toBe(succeeded);
    expect(await db().trialSite.count({ where: { trialId, status: { not: "CLOSED" } } })).toBe(0);
    await expect(registerParticipant(coordinators[0]!, trialId, body(0))).rejects.toMatchObject({ code: "invalid" });
    await countsAgreeWithRecount(trialId);
  });

  // Fails without FOR NO KEY UPDATE on the trial's row in updateTrial (seen in CI as a 40P01): a registration that has
  // numbered its site inserts its participant, whose foreign-key check takes KEY SHARE on the trial's row; a close
  // holding FOR UPDATE there and waiting for that site's row closed the cycle.
  it("a close arriving between a registration's numbering and its insert waits for it, without a deadlock", async () => {
    const { trialId, coordinators } = await freshTrial(10);
    const trial = await db().trial.findUniqueOrThrow({ where: { id: trialId } });
    const trialSite = await db().trialSite.findFirstOrThrow({ where: { trialId, siteId: usSites[0]!.id } });
    const inFlight = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await inFlight.connect();
    try {
      await inFlight.query("BEGIN");
      await inFlight.query(`UPDATE "TrialSite" SET "screeningSeq" = "screeningSeq" + 1 WHERE "id" = $1`, [trialSite.id]);
      const closing = updateTrial(admin, trialId, { version: trial.version, status: "CLOSED", reason: "closing while a site registers" });
      await waitUntilSomeoneWaitsForALock();
      await inFlight.query(
        `INSERT INTO "Participant" ("id", "trialId", "siteId", "screeningNumber", "screeningDate", "ageAtScreening", "sex", "createdById", "updatedAt")
         VALUES ($1, $2, $3, 'IN-FLIGHT-0001', CURRENT_DATE - 20, 60, 'FEMALE', $4, now())`,
        [randomUUID(), trialId, usSites[0]!.id, coordinators[0]!.id],
      );
      await inFlight.query("COMMIT");
      await closing;
    } finally {
      await inFlight.end();
    }
    expect(await db().participant.count({ where: { trialId } })).toBe(1);
    expect(await db().trialSite.count({ where: { trialId, status: { not: "CLOSED" } } })).toBe(0);
  });

  // Fails without sorting the sites in insertRegistrations: two imports taking the same sites in opposite orders
  // deadlock, and PostgreSQL aborts one of them (a 500).
  it("multi-site imports while those sites register: all go in, numbers contiguous per site, counts equal a recount", async () => {
    const { trialId, coordinators } = await freshTrial(10);
    // Each round's files differ (the age): the same file is imported into a trial only once.
    const csv = (order: number[], round: number) => {
      const lines = ["site,screeningDate,ageAtScreening,sex,results"];
      for (const i of order)
        for (let n = 0; n < 40; n++) lines.push(`${usSites[i]!.code},${body(i).screeningDate},${60 + round},female,KRAS G12C|detected|PCR`);
      return new TextEncoder().encode(lines.join("\n"));
    };
    for (let round = 0; round < 4; round++) {
      await settle([
        importParticipants(coordinators[0]!, trialId, csv([0, 1, 2, 3], round), { duplicates: "keep" }),
        importParticipants(coordinators[1]!, trialId, csv([3, 2, 1, 0], round), { duplicates: "keep" }),
        ...Array.from({ length: 8 }, (_, i) => registerParticipant(coordinators[2 + (i % 2)]!, trialId, body(i % 4))),
      ]).then((outcomes) => expect(outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason)).toEqual([]));
    }
    const total = 4 * (2 * 160 + 8);
    expect(await db().participant.count({ where: { trialId } })).toBe(total);
    for (const site of usSites) {
      const numbers = (await db().participant.findMany({ where: { trialId, siteId: site.id }, select: { screeningNumber: true } }))
        .map((p) => Number(p.screeningNumber.split("-").at(-1)))
        .sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    }
    await countsAgreeWithRecount(trialId);
  });

  // Fails without the cohort's row lock in transitionParticipant: both take the last place.
  it("two enrolments racing for a cohort's last place: one gets it, the other is told the cohort is full", async () => {
    const { trialId, cohortId, coordinators } = await freshTrial(1);
    const [a, b] = [await consented(trialId, coordinators[0]!, 0), await consented(trialId, coordinators[1]!, 1)];
    const outcomes = await settle([
      transitionParticipant(coordinators[0]!, trialId, a.id, { to: "ENROLLED", date: a.date, cohortId, version: a.version }),
      transitionParticipant(coordinators[1]!, trialId, b.id, { to: "ENROLLED", date: b.date, cohortId, version: b.version }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(outcomes.find((o) => o.status === "rejected")).toMatchObject({ reason: { code: "conflict", message: expect.stringContaining("cohortFull") } });
    expect(await enrolledIn(cohortId)).toBe(1);
    await countsAgreeWithRecount(trialId);
  });

  // The race at full speed, as people make it; the next test pins down the interleaving that breaks without the lock.
  it("a cohort's target lowered while enrolling never ends below its enrolments", async () => {
    const { trialId, cohortId, coordinators } = await freshTrial(100);
    for (let round = 0; round < 6; round++) {
      const enrolled = await enrolledIn(cohortId);
      const target = (await db().cohort.findUniqueOrThrow({ where: { id: cohortId } })).target;
      if (target !== enrolled + 1) await updateCohort(admin, trialId, cohortId, { target: enrolled + 1, reason: "room for one" });
      const p = await consented(trialId, coordinators[round % 4]!, round % 4);
      await settle([
        transitionParticipant(coordinators[round % 4]!, trialId, p.id, { to: "ENROLLED", date: p.date, cohortId, version: p.version }),
        updateCohort(admin, trialId, cohortId, { target: enrolled, reason: "protocol amendment" }),
      ]);
      const after = await db().cohort.findUniqueOrThrow({ where: { id: cohortId } });
      expect(await enrolledIn(cohortId)).toBeLessThanOrEqual(after.target);
    }
    expect(await enrolledIn(cohortId)).toBeGreaterThan(0);
  });

  // Fails without the cohort's row lock in updateCohort: it counts before the enrolment in flight commits.
  it("a target lowered while an enrolment is in flight waits for it and counts it", async () => {
    const { trialId, cohortId, coordinators } = await freshTrial(3);
    const first = await consented(trialId, coordinators[0]!, 0);
    await transitionParticipant(coordinators[0]!, trialId, first.id, { to: "ENROLLED", date: first.date, cohortId, version: first.version });
    const p = await consented(trialId, coordinators[1]!, 1);
    // An enrolment that has taken the cohort's place but not yet committed, as transitionParticipant holds it.
    const inFlight = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await inFlight.connect();
    try {
      await inFlight.query("BEGIN");
      await inFlight.query(`SELECT "id" FROM "Cohort" WHERE "id" = $1 FOR UPDATE`, [cohortId]);
      await inFlight.query(`UPDATE "Participant" SET "status" = 'ENROLLED', "cohortId" = $1 WHERE "id" = $2`, [cohortId, p.id]);
      const lowering = updateCohort(admin, trialId, cohortId, { target: 1, reason: "protocol amendment" }).then(
        () => "lowered",
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 300));
      await inFlight.query("COMMIT");
      expect(await lowering).toMatchObject({ code: "invalid", fields: { target: [expect.stringContaining("targetBelowEnrolled")] } });
    } finally {
      await inFlight.end();
    }
    expect((await db().cohort.findUniqueOrThrow({ where: { id: cohortId } })).target).toBe(3);
  });
});
