// Clinical dates are the site's own calendar dates: "today" and "not in the future" are judged in the site's time
// zone, and the date entered is the date every view and every monthly count shows. The clock is set to the two
// moments of the issue: 23:30 in Beijing (15:30 UTC) and 22:00 in New York (03:00 UTC, already the next UTC day).
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { enrolmentSummary } from "@/lib/enrolment/summary";
import { formatCalendarDate } from "@/lib/i18n/format";
import { renderFields } from "@/lib/i18n/messages";
import { getParticipant, listParticipants } from "@/lib/participants/queries";
import { registerParticipant } from "@/lib/participants/register";
import { buildEnrolmentReport } from "@/lib/reports/enrolment-report";
import { reportCsv } from "@/lib/reports/formats";
import { participantListing } from "@/lib/reports/listing";
import Papa from "papaparse";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let trialId: string;
let cn: Actor;
let us: Actor;
let cnSite: string;
let usSite: string;

beforeAll(async () => {
  await seedDemoData();
  trialId = (await db().trial.findFirstOrThrow({ where: { code: "TB-201" } })).id;
  cn = await actorFor(DEMO_ACCOUNTS.coordinatorCn);
  us = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
  cnSite = (await db().site.findUniqueOrThrow({ where: { code: "CN-GZ1" } })).id;
  usSite = (await db().site.findUniqueOrThrow({ where: { code: "US-BOS1" } })).id;
});

afterEach(() => {
  vi.useRealTimers();
});

const patient = (siteId: string, screeningDate: string) => ({
  siteId,
  screeningDate,
  ageAtScreening: 62,
  sex: "female",
  results: [{ subtype: "L858R", result: "detected", method: "NGS_TISSUE" }],
});

async function monthCount(month: string, country: "US" | "CN") {
  const summary = await enrolmentSummary(db(), trialId);
  return summary.timeline.find((m) => m.month === month)?.screened[country] ?? 0;
}

describe("dates at the site", () => {
  it("at 23:30 in Beijing (15:30 UTC), a Chinese site's today is 14 March, and that is the date everywhere", async () => {
    const marchBefore = await monthCount("2026-03", "CN");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-14T15:30:00Z"));
    const tomorrow = await registerParticipant(cn, trialId, patient(cnSite, "2026-03-15")).catch((e: { fields?: Record<string, string[]> }) => e);
    expect(renderFields((tomorrow as { fields?: Record<string, string[]> }).fields)?.screeningDate).toEqual([
      "Must not be after today at the site (2026-03-14).",
    ]);
    const { body } = await registerParticipant(cn, trialId, patient(cnSite, "2026-03-14"));
    vi.useRealTimers();
    expect(body.screeningDate).toBe("2026-03-14");
    expect((await getParticipant(cn, trialId, body.id)).participant.screeningDate).toBe("2026-03-14");
    expect((await getParticipant(cn, trialId, body.id)).history[0]!.date).toBe("2026-03-14");
    const listed = await listParticipants(cn, trialId, { from: "2026-03-14", to: "2026-03-14", limit: "200" });
    expect(listed.items.map((p) => p.id)).toContain(body.id);
    expect(await monthCount("2026-03", "CN")).toBe(marchBefore + 1);
    expect(formatCalendarDate(body.screeningDate, "zh-CN")).toBe("2026年3月14日");
    expect(formatCalendarDate(body.screeningDate, "en")).toBe("Mar 14, 2026");
  });

  it("at 22:00 in New York (03:00 UTC the next day), a US site's today is still 13 March", async () => {
    const marchBefore = await monthCount("2026-03", "US");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-14T03:00:00Z"));
    const utcToday = await registerParticipant(us, trialId, patient(usSite, "2026-03-14")).catch((e: { fields?: Record<string, string[]> }) => e);
    expect(renderFields((utcToday as { fields?: Record<string, string[]> }).fields)?.screeningDate).toEqual([
      "Must not be after today at the site (2026-03-13).",
    ]);
    const { body } = await registerParticipant(us, trialId, patient(usSite, "2026-03-13"));
    vi.useRealTimers();
    expect(body.screeningDate).toBe("2026-03-13");
    expect((await getParticipant(us, trialId, body.id)).participant.screeningDate).toBe("2026-03-13");
    const listed = await listParticipants(us, trialId, { from: "2026-03-13", to: "2026-03-13", limit: "200" });
    expect(listed.items.map((p) => p.id)).toContain(body.id);
    expect(await monthCount("2026-03", "US")).toBe(marchBefore + 1);
  });

  it("puts both registrations in March in the reports' monthly rows too", async () => {
    const sponsor = await actorFor(DEMO_ACCOUNTS.sponsor);
    const csv = reportCsv(await buildEnrolmentReport(sponsor, trialId, { from: "2026-03-01", to: "2026-03-31" }, "csv"));
    const rows = Papa.parse<Record<string, string>>(csv.slice(1), { header: true, skipEmptyLines: true }).data.filter((r) => r.section === "month");
    expect(rows.map((r) => r.key)).toEqual(["2026-03", "2026-03"]);
    expect(Number(rows.find((r) => r.country === "CN")!.screened)).toBe(await monthCount("2026-03", "CN"));
    expect(Number(rows.find((r) => r.country === "US")!.screened)).toBe(await monthCount("2026-03", "US"));
    const listing = await new Response((await participantListing(await actorFor(DEMO_ACCOUNTS.investigator), trialId)).stream).text();
    expect(listing).toMatch(/,2026-03,/);
  });

  it("counts a registration on the last evening of a month in that month at the site", async () => {
    const aprilBefore = await monthCount("2026-04", "US");
    const marchBefore = await monthCount("2026-03", "US");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-04-01T02:30:00Z")); // 22:30 on 31 March in New York, 1 April in UTC
    await registerParticipant(us, trialId, patient(usSite, "2026-03-31"));
    vi.useRealTimers();
    expect(await monthCount("2026-03", "US")).toBe(marchBefore + 1);
    expect(await monthCount("2026-04", "US")).toBe(aprilBefore);
  });
});
