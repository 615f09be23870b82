import { beforeAll, describe, expect, it } from "vitest";
import { canSeePatientRows, participantScope, stillWatching, trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { listTrials, trialOverview } from "@/lib/trials/queries";
import { DEMO_ACCOUNTS, DEMO_COORDINATOR_SITES } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let trialIds: string[];
let actors: Record<keyof typeof DEMO_ACCOUNTS, Actor>;
let siteIdByCode: Map<string, string>;

beforeAll(async () => {
  await seedDemoData();
  trialIds = (await db().trial.findMany({ orderBy: { code: "asc" } })).map((t) => t.id);
  actors = Object.fromEntries(await Promise.all(Object.entries(DEMO_ACCOUNTS).map(async ([key, email]) => [key, await actorFor(email)]))) as typeof actors;
  siteIdByCode = new Map((await db().site.findMany()).map((s) => [s.code, s.id]));
});

async function visibleSiteIds(actor: Actor, trialId: string) {
  const access = await trialAccess(actor, trialId);
  const rows = await db().participant.findMany({ where: participantScope(access), select: { siteId: true } });
  return new Set(rows.map((r) => r.siteId));
}

describe("access to trials", () => {
  it("lists every demo trial for each demo role", async () => {
    for (const actor of Object.values(actors)) {
      expect((await listTrials(actor)).map((t) => t.id).sort()).toEqual([...trialIds].sort());
    }
  });

  it("hides a trial from a user without a membership, as not found", async () => {
    const outsider = await db().user.create({ data: { email: "outsider@example.org", displayName: "Outsider", passwordHash: "x" } });
    const actor: Actor = { id: outsider.id, email: outsider.email, displayName: "Outsider", isAdmin: false, locale: null };
    expect(await listTrials(actor)).toEqual([]);
    const error = await trialAccess(actor, trialIds[0]!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("not_found");
  });

  it("reports an unknown trial as not found, even to an admin", async () => {
    await expect(trialAccess(actors.admin, "no-such-trial")).rejects.toMatchObject({ code: "not_found" });
  });

  it("no longer grants access once a membership is revoked", async () => {
    const user = await db().user.create({ data: { email: "revoked@example.org", displayName: "Revoked", passwordHash: "x" } });
    const membership = await db().membership.create({ data: { userId: user.id, trialId: trialIds[0]!, role: "INVESTIGATOR" } });
    const actor: Actor = { id: user.id, email: user.email, displayName: "Revoked", isAdmin: false, locale: null };
    await expect(trialAccess(actor, trialIds[0]!)).resolves.toBeDefined();
    await db().membership.update({ where: { id: membership.id }, data: { revokedAt: new Date() } });
    await expect(trialAccess(actor, trialIds[0]!)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("patient-level rows", () => {
  it("coordinators see their own site's patients and no other site's", async () => {
    for (const [key, code] of [
      ["coordinatorUs", DEMO_COORDINATOR_SITES.US],
      ["coordinatorCn", DEMO_COORDINATOR_SITES.CN],
    ] as const) {
      for (const trialId of trialIds) {
        const sites = await visibleSiteIds(actors[key], trialId);
        expect([...sites]).toEqual([siteIdByCode.get(code)]);
        const access = await trialAccess(actors[key], trialId);
        expect(access.editSites).toEqual([siteIdByCode.get(code)]);
      }
    }
  });

  it("the trial-wide investigator sees every site's patients but edits none", async () => {
    const access = await trialAccess(actors.investigator, trialIds[0]!);
    expect(access.patientSites).toBe("all");
    expect(access.editSites).toEqual([]);
    const withRows = await db().participant.groupBy({ by: ["siteId"], where: { trialId: trialIds[0]! } });
    expect((await visibleSiteIds(actors.investigator, trialIds[0]!)).size).toBe(withRows.length);
  });

  it("sponsors and admins without a membership see counts but never patient rows", async () => {
    for (const actor of [actors.sponsor, actors.admin]) {
      for (const trialId of trialIds) {
        const access = await trialAccess(actor, trialId);
        expect(canSeePatientRows(access)).toBe(false);
        expect(await visibleSiteIds(actor, trialId)).toEqual(new Set());
        const overview = await trialOverview(actor, trialId);
        expect(overview.recent).toBeNull();
        expect(overview.counts.screened).toBeGreaterThan(0);
      }
    }
  });

  it("a site-limited investigator sees only that site's patients", async () => {
    const user = await db().user.create({ data: { email: "site.pi@example.org", displayName: "Site PI", passwordHash: "x" } });
    const siteId = siteIdByCode.get("CN-SH1")!;
    await db().membership.create({ data: { userId: user.id, trialId: trialIds[0]!, role: "INVESTIGATOR", siteId } });
    const actor: Actor = { id: user.id, email: user.email, displayName: "Site PI", isAdmin: false, locale: null };
    expect([...(await visibleSiteIds(actor, trialIds[0]!))]).toEqual([siteId]);
  });
});

describe("records are never deleted", () => {
  it("the database refuses to delete a participant", async () => {
    const participant = await db().participant.findFirstOrThrow();
    await expect(db().$executeRaw`DELETE FROM "Participant" WHERE id = ${participant.id}`).rejects.toThrow(/append-only/);
    expect(await db().participant.count({ where: { id: participant.id } })).toBe(1);
  });
});

describe("refused access and the audit trail", () => {
  it("audits a refusal of a real trial, and writes nothing for an id that names no trial", async () => {
    const outsider = await db().user.create({ data: { email: "outsider.access@example.org", displayName: "Outsider" } });
    const actor: Actor = { id: outsider.id, email: outsider.email, displayName: outsider.displayName, isAdmin: false, locale: null };
    const refusals = () => db().auditEvent.count({ where: { action: "access.refused", actorId: outsider.id } });
    await expect(trialAccess(actor, trialIds[0]!)).rejects.toMatchObject({ code: "not_found" });
    expect(await refusals()).toBe(1);
    for (let i = 0; i < 20; i++) await expect(trialAccess(actor, `made-up-${i}`)).rejects.toMatchObject({ code: "not_found" });
    expect(await refusals()).toBe(1);
  });
});

describe("who may go on watching a live stream", () => {
  it("answers for many streams at once: active members and administrators yes; deactivated, signed-out or removed no", async () => {
    const trialId = trialIds[0]!;
    const make = async (email: string, isAdmin = false) => {
      const user = await db().user.create({ data: { email, displayName: email, passwordHash: "x", isAdmin } });
      const session = await db().session.create({ data: { userId: user.id } });
      return { user, session };
    };
    const member = await make("watch.member@example.org");
    const membership = await db().membership.create({ data: { userId: member.user.id, trialId, role: "SPONSOR" } });
    const removed = await make("watch.removed@example.org");
    await db().membership.create({ data: { userId: removed.user.id, trialId, role: "SPONSOR", revokedAt: new Date() } });
    const deactivated = await make("watch.deactivated@example.org");
    await db().membership.create({ data: { userId: deactivated.user.id, trialId, role: "SPONSOR" } });
    await db().user.update({ where: { id: deactivated.user.id }, data: { active: false } });
    const signedOut = await make("watch.signedout@example.org");
    await db().membership.create({ data: { userId: signedOut.user.id, trialId, role: "SPONSOR" } });
    await db().session.update({ where: { id: signedOut.session.id }, data: { revokedAt: new Date() } });
    const admin = await make("watch.admin@example.org", true);

    const answers = await stillWatching([
      { userId: member.user.id, sessionId: member.session.id, trialId },
      { userId: member.user.id, sessionId: null, trialId }, // an API token's stream has no session
      { userId: member.user.id, sessionId: member.session.id, trialId: trialIds[1]! }, // not a member there
      { userId: removed.user.id, sessionId: removed.session.id, trialId },
      { userId: deactivated.user.id, sessionId: deactivated.session.id, trialId },
      { userId: signedOut.user.id, sessionId: signedOut.session.id, trialId },
      { userId: admin.user.id, sessionId: admin.session.id, trialId },
      { userId: "no-such-user", sessionId: null, trialId },
    ]);
    expect(answers).toEqual([true, true, false, false, false, false, true, false]);
    await db().membership.update({ where: { id: membership.id }, data: { revokedAt: new Date() } });
    expect(await stillWatching([{ userId: member.user.id, sessionId: member.session.id, trialId }])).toEqual([false]);
    expect(await stillWatching([])).toEqual([]);
  });
});
