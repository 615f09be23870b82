// Places in a cohort: held places count against the target and a site's cap on every enrolment path; the last place
// goes to one of two coordinators asking at once, the other waits; a hold that runs out goes to the next site waiting.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { compare, foldPending, keptTallies, recount } from "@/lib/enrolment/tally";
import { AppError } from "@/lib/http/errors";
import { expireHolds } from "@/lib/matching/places";
import { releasePlace, reservePlace } from "@/lib/matching/reserve";
import { enrolmentSummary } from "@/lib/enrolment/summary";
import { registerParticipant } from "@/lib/participants/register";
import { transitionParticipant } from "@/lib/participants/transition";
import { seedDemoData } from "../support/demo";

let sites: { id: string; code: string; timeZone: string }[];
beforeAll(async () => {
  await seedDemoData();
  sites = await db().site.findMany({ where: { country: "US" }, orderBy: { code: "asc" }, take: 3, select: { id: true, code: true, timeZone: true } });
});

/** A trial of the test's own: one KRAS G12C cohort of `target` places, three active US sites, a coordinator at each. */
async function trialWith(target: number, cohort: { siteCap?: number; waitlistOrder?: "FIRST_COME" | "ROUND_ROBIN" } = {}) {
  const label = randomUUID().slice(0, 8);
  const subtype = await db().subtype.findUniqueOrThrow({ where: { key: "KRAS:G12C" } });
  const trial = await db().trial.create({
    data: {
      code: `PLACES-${label}`,
      title: "Places",
      phase: "Phase 1",
      indication: "NSCLC",
      status: "RECRUITING",
      plannedStart: new Date("2026-01-01"),
      target,
      sponsorName: "Test",
      cohorts: { create: { code: "G12C", name: "KRAS G12C", target, ...cohort, subtypes: { create: { subtypeId: subtype.id } } } },
      trialSites: { create: sites.map((s) => ({ siteId: s.id, status: "ACTIVE" as const, activationDate: new Date("2026-01-01"), plannedScreeningRate: 2 })) },
    },
    include: { cohorts: true },
  });
  const coordinators: Actor[] = [];
  for (const [i, site] of sites.entries()) {
    const user = await db().user.create({ data: { email: `places-${label}-${i}@example.org`, displayName: `Coordinator ${i}` } });
    await db().membership.create({ data: { userId: user.id, trialId: trial.id, siteId: site.id, role: "COORDINATOR" } });
    coordinators.push({ id: user.id, email: user.email, displayName: user.displayName, isAdmin: false, locale: null });
  }
  return { trialId: trial.id, cohortId: trial.cohorts[0]!.id, coordinators };
}

async function consented(trialId: string, coordinator: Actor, site: number) {
  const date = addDays(todayIn(sites[site]!.timeZone), -10);
  const { body: p } = await registerParticipant(coordinator, trialId, {
    siteId: sites[site]!.id,
    screeningDate: addDays(date, -5),
    ageAtScreening: 58,
    sex: "male",
    results: [{ subtype: "KRAS p.Gly12Cys", result: "detected", method: "PCR" }],
  });
  await transitionParticipant(coordinator, trialId, p.id, { to: "ELIGIBLE", date, version: 1 });
  await transitionParticipant(coordinator, trialId, p.id, { to: "CONSENTED", date, version: 2 });
  return { id: p.id, version: 3, date };
}

const enrol = (coordinator: Actor, trialId: string, cohortId: string, p: { id: string; version: number; date: string }) =>
  transitionParticipant(coordinator, trialId, p.id, { to: "ENROLLED", date: p.date, version: p.version, cohortId });

describe("places in a cohort", () => {
  it("two coordinators at two sites asking for the last place at once: one holds it, the other waits; the hold runs out and the next site gets it", async () => {
    const { trialId, cohortId, coordinators } = await trialWith(2);
    const [c0, c1, c2] = coordinators as [Actor, Actor, Actor];
    await enrol(c0, trialId, cohortId, await consented(trialId, c0, 0)); // one place left
    const [a, b] = [await consented(trialId, c1, 1), await consented(trialId, c2, 2)];
    const answers = await Promise.all([reservePlace(c1, trialId, a.id, { cohortId, days: 3 }), reservePlace(c2, trialId, b.id, { cohortId, days: 3 })]);
    expect(answers.map((x) => x.state).sort()).toEqual(["held", "waiting"]);
    const [holder, waiter] = answers[0]!.state === "held" ? [a, b] : [b, a];
    const [holderCoordinator, waiterCoordinator] = holder === a ? [c1, c2] : [c2, c1];
    expect(answers.find((x) => x.state === "waiting")).toMatchObject({ position: 1 });

    // The held place counts: a third patient cannot enrol in it, nor can the one waiting.
    const third = await consented(trialId, c0, 0);
    await expect(enrol(c0, trialId, cohortId, third)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("cohortFull") });
    await expect(enrol(waiterCoordinator, trialId, cohortId, waiter)).rejects.toMatchObject({ code: "conflict" });
    await foldPending(db());
    expect((await enrolmentSummary(db(), trialId)).byCohort[0]!.held).toBe(1); // on the dashboard, live

    // The hold runs out: it is marked expired and the place is offered to the next waiting, as a hold of its own.
    await db().placeReservation.updateMany({ where: { participantId: holder.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await db().$transaction((tx) => expireHolds(tx))).toBe(1);
    expect(await db().placeReservation.findFirst({ where: { participantId: holder.id } })).toMatchObject({ state: "EXPIRED" });
    expect(await db().waitlistEntry.findFirst({ where: { participantId: waiter.id } })).toMatchObject({ state: "OFFERED" });
    expect(await db().placeReservation.findFirst({ where: { participantId: waiter.id } })).toMatchObject({ state: "HELD" });
    await expect(enrol(holderCoordinator, trialId, cohortId, holder)).rejects.toMatchObject({ code: "conflict" }); // too late
    await expect(enrol(waiterCoordinator, trialId, cohortId, waiter)).resolves.toMatchObject({ status: "ENROLLED" });
    expect(await db().placeReservation.findFirst({ where: { participantId: waiter.id } })).toMatchObject({ state: "USED" });
    expect(await db().auditEvent.count({ where: { trialId, action: { in: ["place.hold", "place.wait", "place.expire", "place.offer"] } } })).toBe(4);
    await foldPending(db());
    expect(compare(await keptTallies(db(), trialId), await recount(db(), trialId))).toEqual([]);
  });

  it("caps a site's places, held ones included, and a released hold goes to the next site waiting", async () => {
    const { trialId, cohortId, coordinators } = await trialWith(5, { siteCap: 1, waitlistOrder: "ROUND_ROBIN" });
    const [c0, c1] = coordinators as [Actor, Actor];
    const first = await consented(trialId, c0, 0);
    expect(await reservePlace(c0, trialId, first.id, { cohortId })).toMatchObject({ state: "held" });
    const second = await consented(trialId, c0, 0);
    expect(await reservePlace(c0, trialId, second.id, { cohortId })).toMatchObject({ state: "waiting" }); // site 0 is at its cap
    await expect(enrol(c0, trialId, cohortId, second)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("siteCapReached") });
    const elsewhere = await consented(trialId, c1, 1);
    await expect(enrol(c1, trialId, cohortId, elsewhere)).resolves.toMatchObject({ status: "ENROLLED" }); // another site has room
    // Released: the waiting patient at site 0 now fits under the cap, and is offered the place.
    expect(await releasePlace(c0, trialId, first.id, { cohortId })).toEqual({ released: "hold", offered: 1 });
    expect(await db().placeReservation.findFirst({ where: { participantId: second.id, state: "HELD" } })).not.toBeNull();
  });

  it("refuses a hold for a patient not consented, not fitting, or not the caller's, with a clear answer", async () => {
    const { trialId, cohortId, coordinators } = await trialWith(3);
    const [c0, c1] = coordinators as [Actor, Actor];
    const { body: screened } = await registerParticipant(c0, trialId, {
      siteId: sites[0]!.id,
      screeningDate: addDays(todayIn(sites[0]!.timeZone), -3),
      ageAtScreening: 50,
      sex: "female",
      results: [{ subtype: "KRAS G12C", result: "detected", method: "PCR" }],
    });
    await expect(reservePlace(c0, trialId, screened.id, { cohortId })).rejects.toMatchObject({ code: "invalid" });
    await expect(reservePlace(c1, trialId, screened.id, { cohortId })).rejects.toMatchObject({ code: "not_found" });
    const p = await consented(trialId, c0, 0);
    await expect(reservePlace(c0, trialId, p.id, { cohortId, days: 99 })).rejects.toMatchObject({ code: "invalid", fields: { days: expect.any(Array) } });
    await expect(reservePlace(c0, trialId, p.id, { cohortId: "no-such-cohort" })).rejects.toBeInstanceOf(AppError);
    await expect(releasePlace(c0, trialId, p.id, { cohortId })).rejects.toMatchObject({ code: "not_found" });
    expect(await db().placeReservation.count({ where: { cohort: { trialId } } })).toBe(0);
  });
});
