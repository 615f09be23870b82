import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { daysBetween, fromDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { enrolmentSummary } from "@/lib/enrolment/summary";
import { missProbability } from "@/lib/performance/behind";
import { BEHIND_AT, MINIMUM, sitePerformance } from "@/lib/performance/sites";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let trialId: string;
let investigator: Actor;
let sponsor: Actor;

beforeAll(async () => {
  await seedDemoData();
  trialId = (await db().trial.findFirstOrThrow({ where: { code: "TB-201" } })).id;
  investigator = await actorFor(DEMO_ACCOUNTS.investigator);
  sponsor = await actorFor(DEMO_ACCOUNTS.sponsor);
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : null;
};

describe("site performance", () => {
  it("gives every site the dashboard's counts, and waits and last dates as the rows say", async () => {
    const report = await sitePerformance(investigator, trialId);
    const summary = await enrolmentSummary(db(), trialId);
    expect(report.sites).toHaveLength(43);
    for (const s of report.sites) {
      const dashboard = summary.bySite.find((b) => b.code === s.code)!;
      expect([s.screened, s.enrolled]).toEqual([dashboard.screened, dashboard.enrolled]);
      if (s.screened) expect(Object.values(s.reasons!).reduce((a, b) => a + b, 0)).toBe(s.screenFailed); // every demo failure has a reason
    }
    // One site worked out from its rows, apart from the report's SQL.
    const site = report.sites.find((s) => s.code === "US-BOS1")!;
    const rows = await db().participant.findMany({
      where: { trialId, siteId: site.siteId, voidedAt: null },
      select: { screeningDate: true, statusChanges: { where: { correctedBy: { is: null } }, select: { toStatus: true, date: true } } },
    });
    const wait = (to: string) =>
      rows.flatMap((p) => p.statusChanges.filter((c) => c.toStatus === to).map((c) => daysBetween(fromDbDate(p.screeningDate), fromDbDate(c.date))));
    expect(site.medianDaysToConsent).toBe(median(wait("CONSENTED")));
    expect(site.medianDaysToEnrolment).toBe(median(wait("ENROLLED")));
    const last = rows
      .map((p) => fromDbDate(p.screeningDate))
      .sort()
      .at(-1)!;
    expect(site.daysSinceScreening).toBe(daysBetween(last, todayIn("America/New_York")));
    expect(site.shareOfPlan).toBeCloseTo(site.screened / (site.plannedPerMonth * site.monthsOpen), 10);
  });

  it("never flags a site under the minimum, and the flags follow the scores", async () => {
    const report = await sitePerformance(sponsor, trialId); // a sponsor reads counts like any member
    for (const s of report.sites) {
      if (s.screened < MINIMUM.screened) expect(s.screenFailure.flag).toBeNull();
      if (s.monthsOpen < MINIMUM.monthsOpen) expect(s.enrolment.flag).toBeNull();
      for (const score of [s.screenFailure, s.enrolment]) {
        if (score.flag === "red") expect(Math.abs(score.z!)).toBeGreaterThanOrEqual(3);
        if (score.flag === "amber") expect(Math.abs(score.z!)).toBeGreaterThanOrEqual(2);
        if (score.flag === null && !score.tooFew && score.z !== null) expect(Math.abs(score.z)).toBeLessThan(2);
      }
    }
    expect(report.funnels.screenFailure.limits.length).toBeGreaterThan(10);
  });

  it("judges a site behind plan by its chance of missing its share by the planned end, never before the minimum", async () => {
    const report = await sitePerformance(investigator, trialId);
    const trial = await db().trial.findUniqueOrThrow({ where: { id: trialId }, select: { plannedStart: true, plannedEnrolmentMonths: true } });
    const plannedEnd = new Date(trial.plannedStart.getTime() + Math.round(trial.plannedEnrolmentMonths * 30.4375) * 86_400_000).toISOString().slice(0, 10);
    const zones = new Map((await db().site.findMany({ select: { id: true, timeZone: true } })).map((x) => [x.id, x.timeZone]));
    for (const s of report.sites) {
      if (s.status !== "ACTIVE" || !s.activationDate) {
        expect([s.missProbability, s.behind]).toEqual([null, false]);
        continue;
      }
      const monthsLeft = daysBetween(todayIn(zones.get(s.siteId)!), plannedEnd) / 30.4375;
      expect(s.missProbability).toBeCloseTo(missProbability({ planned: s.plannedPerMonth, screened: s.screened, monthsOpen: s.monthsOpen, monthsLeft }), 10);
      expect(s.behind).toBe(s.monthsOpen >= MINIMUM.monthsOpen && s.missProbability! >= BEHIND_AT);
    }
  });

  it("is not found for someone outside the trial", async () => {
    const outsider = await db().user.create({ data: { email: "perf-outsider@example.org", displayName: "Outsider", passwordHash: "x" } });
    const actor: Actor = { id: outsider.id, email: outsider.email, displayName: "Outsider", isAdmin: false, locale: null };
    await expect(sitePerformance(actor, trialId)).rejects.toMatchObject({ code: "not_found" });
  });
});
