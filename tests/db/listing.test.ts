import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { LISTING_COLUMNS, participantListing, WITHHELD } from "@/lib/reports/listing";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let trialId: string;
let investigator: Actor;
let sponsor: Actor;
let coordinator: Actor;

beforeAll(async () => {
  await seedDemoData();
  trialId = (await db().trial.findFirstOrThrow({ where: { code: "TB-201" } })).id;
  investigator = await actorFor(DEMO_ACCOUNTS.investigator);
  sponsor = await actorFor(DEMO_ACCOUNTS.sponsor);
  coordinator = await actorFor(DEMO_ACCOUNTS.coordinatorCn);
});

async function rows(actor: Actor) {
  const { stream } = await participantListing(actor, trialId);
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 byte order mark
  return Papa.parse<Record<string, string>>(new TextDecoder().decode(bytes.subarray(3)), { header: true, skipEmptyLines: true });
}

describe("the de-identified participant listing", () => {
  it("has SDTM-style columns, one row per participant, 90+ for the oldest and only the screening month", async () => {
    const old = await db().participant.findFirstOrThrow({ where: { trialId } });
    await db().participant.update({ where: { id: old.id }, data: { ageAtScreening: 93 } });
    const parsed = await rows(investigator);
    expect(parsed.meta.fields).toEqual([...LISTING_COLUMNS]);
    expect(parsed.data).toHaveLength(await db().participant.count({ where: { trialId, voidedAt: null } }));
    expect(parsed.data.find((r) => r.SUBJID === old.screeningNumber)!.AGE).toBe("90+");
    expect(parsed.data.every((r) => /^\d{4}-\d{2}$/.test(r.SCRNYM!))).toBe(true);
    expect(new Set(parsed.data.map((r) => r.DISPOSITION))).toEqual(new Set(["SCREENED", "SCRNFAIL", "ENROLLED", "WITHDRAWN", "COMPLETED"]));
    expect(parsed.data.filter((r) => r.DISPOSITION === "SCRNFAIL").every((r) => r.DSREAS)).toBe(true);
  });

  it("withholds Chinese patients' genetic results from users outside China unless the trial has a cross-border approval", async () => {
    const outside = (await rows(investigator)).data;
    expect(outside.filter((r) => r.COUNTRY === "CN").every((r) => r.SUBTYPE === WITHHELD)).toBe(true);
    expect(outside.filter((r) => r.COUNTRY === "US").some((r) => r.SUBTYPE!.includes("EGFR"))).toBe(true);
    await db().trial.update({ where: { id: trialId }, data: { crossBorderApprovalRef: "HGRAC-2026-0042" } });
    const approved = (await rows(investigator)).data;
    expect(approved.filter((r) => r.COUNTRY === "CN").some((r) => r.SUBTYPE!.includes("EGFR"))).toBe(true);
    await db().trial.update({ where: { id: trialId }, data: { crossBorderApprovalRef: null } });
  });

  it("goes to sponsors only where the trial allows it, and never to coordinators", async () => {
    await expect(participantListing(sponsor, trialId)).rejects.toMatchObject({ code: "forbidden" });
    await expect(participantListing(coordinator, trialId)).rejects.toMatchObject({ code: "forbidden" });
    await db().trial.update({ where: { id: trialId }, data: { sponsorListingAllowed: true } });
    expect((await rows(sponsor)).data.length).toBeGreaterThan(100);
    await db().trial.update({ where: { id: trialId }, data: { sponsorListingAllowed: false } });
  });
});
