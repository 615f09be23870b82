import { beforeAll, describe, expect, it } from "vitest";
import { checkAlertRules } from "@/lib/alerts/check";
import { createAlertRule, disableAlertRule, listNotifications, markAllRead, unreadCount } from "@/lib/alerts/rules";
import type { Actor } from "@/lib/auth/session";
import { todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import type { EnrolmentCounts } from "@/lib/enrolment/events";
import { foldPending } from "@/lib/enrolment/tally";
import { registerParticipant } from "@/lib/participants/register";
import { transitionParticipant } from "@/lib/participants/transition";
import { DEMO_ACCOUNTS, DEMO_COORDINATOR_SITES } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let trialId: string;
let alk: { id: string; target: number };
let investigator: Actor;
let sponsor: Actor;
let usCoordinator: Actor;
let cnCoordinator: Actor;

beforeAll(async () => {
  await seedDemoData();
  const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" }, include: { cohorts: true } });
  trialId = trial.id;
  alk = trial.cohorts.find((c) => c.code === "ALK")!;
  investigator = await actorFor(DEMO_ACCOUNTS.investigator);
  sponsor = await actorFor(DEMO_ACCOUNTS.sponsor);
  usCoordinator = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
  cnCoordinator = await actorFor(DEMO_ACCOUNTS.coordinatorCn);
});

const enrolled = async () => (await db().participant.count({ where: { trialId, cohortId: alk.id, voidedAt: null } })) as number;

async function enrolOneInAlk() {
  const site = await db().site.findUniqueOrThrow({ where: { code: DEMO_COORDINATOR_SITES.US } });
  const today = todayIn(site.timeZone);
  const p = (
    await registerParticipant(usCoordinator, trialId, {
      siteId: site.id,
      screeningDate: today,
      ageAtScreening: 58,
      sex: "female",
      results: [{ subtype: "ALK fusion", result: "detected", method: "FISH" }],
    })
  ).body;
  const eligible = await transitionParticipant(usCoordinator, trialId, p.id, { to: "ELIGIBLE", date: today, version: 1 });
  const consented = await transitionParticipant(usCoordinator, trialId, p.id, { to: "CONSENTED", date: today, version: eligible.version });
  await transitionParticipant(usCoordinator, trialId, p.id, { to: "ENROLLED", date: today, cohortId: alk.id, version: consented.version });
}

describe("alert rules", () => {
  it("are set by investigators, not by sponsors or coordinators", async () => {
    const rule = { kind: "COHORT_PERCENT", cohortId: alk.id, percent: 90, roles: ["INVESTIGATOR"] };
    await expect(createAlertRule(sponsor, trialId, rule)).rejects.toMatchObject({ code: "forbidden" });
    await expect(createAlertRule(usCoordinator, trialId, rule)).rejects.toMatchObject({ code: "forbidden" });
    await expect(createAlertRule(investigator, trialId, { ...rule, percent: 140 })).rejects.toMatchObject({ code: "invalid" });
    await expect(createAlertRule(investigator, trialId, { ...rule, cohortId: "no-such-cohort" })).rejects.toMatchObject({ code: "not_found" });
  });

  it("tell each person once when a cohort crosses its share, however many times the check runs", async () => {
    const now = await enrolled();
    // A share the next enrolment crosses: now < percent% of the target <= now + 1.
    const percent = Math.floor(((now + 1) * 100) / alk.target);
    expect(now * 100).toBeLessThan(percent * alk.target);
    const rule = await createAlertRule(investigator, trialId, { kind: "COHORT_PERCENT", cohortId: alk.id, percent, roles: ["INVESTIGATOR", "COORDINATOR"] });
    expect(rule.baseline).toEqual([]);
    await foldPending(db());
    expect(await db().notification.count({ where: { ruleId: rule.id } })).toBe(0);

    await enrolOneInAlk();
    await Promise.all([foldPending(db()), foldPending(db())]); // two instances' folders
    const told = await db().notification.findMany({ where: { ruleId: rule.id }, select: { userId: true, params: true } });
    expect(told.map((n) => n.userId).sort()).toEqual([investigator.id, usCoordinator.id, cnCoordinator.id].sort()); // not the sponsor
    expect(told[0]!.params).toMatchObject({ cohort: "ALK", percent, enrolled: now + 1, target: alk.target });

    // The same check again, as after a crash between its work and its commit: nobody is told twice.
    const event = await db().enrolmentEvent.findFirstOrThrow({ where: { trialId }, orderBy: { id: "desc" } });
    const again = await db().$transaction((tx) => checkAlertRules(tx, trialId, event.payload as unknown as EnrolmentCounts));
    expect(again).toBe(0);
    expect(await db().notification.count({ where: { ruleId: rule.id } })).toBe(3);

    // The reader's centre: unread, then read; nothing removed.
    expect(await unreadCount(investigator)).toBeGreaterThanOrEqual(1);
    expect((await listNotifications(investigator))[0]).toMatchObject({ readAt: null, trial: { code: "TB-201" } });
    await markAllRead(investigator);
    expect(await unreadCount(investigator)).toBe(0);
    expect(await db().notification.count({ where: { ruleId: rule.id } })).toBe(3);
    await expect(db().$executeRaw`DELETE FROM "Notification" WHERE "ruleId" = ${rule.id}`).rejects.toThrow(/append-only/);
  });

  it("do not tell what was already true when set, and a disabled rule tells nothing more", async () => {
    const first = await createAlertRule(investigator, trialId, { kind: "SITE_FIRST_SCREENED", roles: ["INVESTIGATOR", "COORDINATOR"] });
    const screenedSites = await db().participant.groupBy({ by: ["siteId"], where: { trialId, voidedAt: null } });
    expect(first.baseline.sort()).toEqual(screenedSites.map((s) => `site:${s.siteId}`).sort());
    const past = await createAlertRule(investigator, trialId, { kind: "COHORT_PERCENT", cohortId: alk.id, percent: 1, roles: ["INVESTIGATOR"] });
    expect(past.baseline).toEqual(["reached"]);
    await enrolOneInAlk();
    await foldPending(db());
    expect(await db().notification.count({ where: { ruleId: { in: [first.id, past.id] } } })).toBe(0);

    await disableAlertRule(investigator, trialId, past.id);
    const audit = await db().auditEvent.findMany({ where: { entityId: { in: [first.id, past.id] } }, select: { action: true } });
    expect(audit.map((a) => a.action).sort()).toEqual(["alert.rule.create", "alert.rule.create", "alert.rule.disable"]);
  });
});
