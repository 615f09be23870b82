import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { countsByTrial } from "@/lib/enrolment/summary";
import { verifyPassword } from "@/lib/auth/password";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../../prisma/seed";
import { seedDemoData } from "../support/demo";

let participants: number;
beforeAll(async () => {
  ({ participants } = await seedDemoData());
});

describe("demo collaboration", () => {
  it("has 43 hospitals, about 20 in the US and 23 in China, with local names and time zones", async () => {
    const sites = await db().site.findMany();
    expect(sites).toHaveLength(43);
    expect(sites.filter((s) => s.country === "US")).toHaveLength(20);
    const chinese = sites.filter((s) => s.country === "CN");
    expect(chinese).toHaveLength(23);
    expect(chinese.every((s) => /[\u4e00-\u9fff]/.test(s.nameLocal) && s.timeZone === "Asia/Shanghai")).toBe(true);
    expect(new Set(sites.filter((s) => s.country === "US").map((s) => s.timeZone)).size).toBeGreaterThanOrEqual(4);
  });

  it("has at least two trials with subtype cohorts and several hundred participants over about 18 months", async () => {
    const trials = await db().trial.findMany({ include: { cohorts: { include: { subtypes: true } } } });
    expect(trials.length).toBeGreaterThanOrEqual(2);
    expect(trials.every((t) => t.cohorts.length >= 2 && t.cohorts.every((c) => c.subtypes.length >= 1))).toBe(true);
    expect(participants).toBeGreaterThanOrEqual(300);
    expect(await db().participant.count()).toBe(participants);
    const span = await db().participant.aggregate({ _min: { screeningDate: true }, _max: { screeningDate: true } });
    const months = (span._max.screeningDate!.getTime() - span._min.screeningDate!.getTime()) / (30.4 * 86_400_000);
    expect(months).toBeGreaterThan(15);
    expect(months).toBeLessThan(19);
  });

  it("reflects each country's subtype prevalence: EGFR several times as common in Chinese patients", async () => {
    const rows = await db().$queryRaw<{ country: string; tested: number; egfr: number }[]>`
      SELECT s.country, count(DISTINCT p.id)::int AS tested,
             count(DISTINCT p.id) FILTER (WHERE st.key IN ('EGFR:ex19del', 'EGFR:L858R') AND r.result = 'DETECTED')::int AS egfr
        FROM "Participant" p JOIN "Site" s ON s.id = p."siteId"
        JOIN "ParticipantResult" r ON r."participantId" = p.id JOIN "Subtype" st ON st.id = r."subtypeId"
       GROUP BY s.country`;
    const share = Object.fromEntries(rows.map((r) => [r.country, r.egfr / r.tested]));
    expect(share.CN! / share.US!).toBeGreaterThan(2);
  });

  it("has screen failures with reasons, staggered activation, and a dated history for every participant", async () => {
    const failures = await db().statusChange.findMany({ where: { toStatus: "SCREEN_FAILED" } });
    expect(failures.length).toBeGreaterThan(50);
    expect(failures.every((f) => f.reasonCode)).toBe(true);
    expect(new Set(failures.map((f) => f.reasonCode)).size).toBeGreaterThanOrEqual(4);
    const activations = await db().trialSite.findMany({ where: { activationDate: { not: null } }, select: { activationDate: true } });
    expect(new Set(activations.map((a) => a.activationDate!.toISOString())).size).toBeGreaterThan(20);
    const withoutHistory = await db().participant.count({ where: { statusChanges: { none: {} } } });
    expect(withoutHistory).toBe(0);
  });

  it("counts enrolment cumulatively, by country", async () => {
    const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" } });
    const counts = (await countsByTrial(db(), [trial.id])).get(trial.id)!;
    const everEnrolled = await db().participant.count({ where: { trialId: trial.id, status: { in: ["ENROLLED", "WITHDRAWN", "COMPLETED"] } } });
    expect(counts.enrolled).toBe(everEnrolled);
    expect(counts.byCountry.US.enrolled + counts.byCountry.CN.enrolled).toBe(counts.enrolled);
    expect(counts.byCountry.US.enrolled).toBeGreaterThan(0);
    expect(counts.byCountry.CN.enrolled).toBeGreaterThan(0);
  });

  it("stores no names, record numbers or birth dates, and demo passwords as argon2id hashes", async () => {
    const columns = await db().$queryRaw<{ column_name: string }[]>`
      SELECT column_name FROM information_schema.columns WHERE table_name = 'Participant'`;
    const names = columns.map((c) => c.column_name.toLowerCase());
    for (const forbidden of ["name", "firstname", "lastname", "mrn", "recordnumber", "dateofbirth", "dob", "birthdate"]) {
      expect(names).not.toContain(forbidden);
    }
    const user = await db().user.findUniqueOrThrow({ where: { email: DEMO_ACCOUNTS.sponsor }, omit: { passwordHash: false } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(user.passwordHash ?? "", DEMO_PASSWORD)).toBe(true);
  });
});
