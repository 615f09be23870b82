import { beforeAll, describe, expect, it } from "vitest";
import { addTrialSite, createCohort, createTrial, updateCohort, updateTrial, updateTrialSite } from "@/lib/admin/trials";
import { createSite, updateSite } from "@/lib/admin/sites";
import { grantMembership, inviteUser, reissueLink, revokeMembership, setUserActive } from "@/lib/admin/users";
import { trialAccess } from "@/lib/auth/access";
import { acceptInvite, inviteFor } from "@/lib/auth/invites";
import { authenticate } from "@/lib/auth/options";
import type { Actor } from "@/lib/auth/session";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { listParticipants } from "@/lib/participants/queries";
import { registerParticipant } from "@/lib/participants/register";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let admin: Actor;
let trialId: string;

const tokenOf = (path: string) => path.split("/").pop()!;
const audits = (action: string, entityId?: string) =>
  db().auditEvent.findMany({ where: { action, ...(entityId ? { entityId } : {}) }, orderBy: { id: "asc" } });

beforeAll(async () => {
  await seedDemoData();
  admin = await actorFor(DEMO_ACCOUNTS.admin);
  trialId = (await db().trial.findFirstOrThrow({ where: { code: "TB-201" } })).id;
});

describe("administration", () => {
  it("is for administrators only, and a refusal is audited", async () => {
    const coordinator = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
    const before = await db().auditEvent.count({ where: { action: "access.refused", actorId: coordinator.id } });
    await expect(
      createSite(coordinator, { code: "US-NOPE", nameEn: "No", nameLocal: "No", country: "US", city: "X", timeZone: "America/Denver" }),
    ).rejects.toMatchObject({ code: "forbidden" });
    await expect(inviteUser(coordinator, { email: "x@example.org", displayName: "X" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(inviteUser({ ...admin, viaToken: true }, { email: "x@example.org", displayName: "X" })).rejects.toMatchObject({ code: "forbidden" });
    expect(await db().auditEvent.count({ where: { action: "access.refused", actorId: coordinator.id } })).toBe(before + 2);
    expect(await db().site.count({ where: { code: "US-NOPE" } })).toBe(0);
  });

  it("adds a hospital, gives it a coordinator through a one-time link, and that coordinator registers at that site only", async () => {
    const site = await createSite(admin, {
      code: "US-BLD1",
      nameEn: "Boulder Lung Institute",
      nameLocal: "Boulder Lung Institute",
      country: "US",
      city: "Denver",
      timeZone: "America/Denver",
    });
    const today = todayIn("America/Denver");
    await addTrialSite(admin, trialId, { siteId: site.id, status: "ACTIVE", activationDate: addDays(today, -3), plannedScreeningRate: "2.5" });
    const invite = await inviteUser(admin, { email: " New.Coordinator@Example.org ", displayName: "Dana Reyes" });
    expect(invite.path).toMatch(/^\/invite\/[A-Za-z0-9_-]{43}$/);
    const stored = await db().invite.findFirstOrThrow({ where: { userId: invite.userId } });
    expect(stored.tokenHash).not.toContain(tokenOf(invite.path));
    await grantMembership(admin, { userId: invite.userId, trialId, role: "COORDINATOR", siteId: site.id });

    // Not yet able to sign in: no password until the link is used.
    expect(await authenticate({ email: "new.coordinator@example.org", password: "anything-at-all" })).toEqual({ ok: false, reason: "invalid" });
    expect(await inviteFor(tokenOf(invite.path))).toEqual({ email: "new.coordinator@example.org", displayName: "Dana Reyes" });
    await expect(acceptInvite(tokenOf(invite.path), { password: "short", confirm: "short" })).rejects.toMatchObject({ code: "invalid" });
    await expect(acceptInvite(tokenOf(invite.path), { password: "password123", confirm: "password123" })).rejects.toMatchObject({ code: "invalid" });
    await expect(acceptInvite(tokenOf(invite.path), { password: "mile high lung clinic", confirm: "mile high lung clinlc" })).rejects.toMatchObject({
      fields: { confirm: expect.any(Array) },
    });
    await acceptInvite(tokenOf(invite.path), { password: "mile high lung clinic", confirm: "mile high lung clinic" });
    await expect(acceptInvite(tokenOf(invite.path), { password: "another good phrase", confirm: "another good phrase" })).rejects.toMatchObject({
      code: "not_found",
    });
    const signedIn = await authenticate({ email: "new.coordinator@example.org", password: "mile high lung clinic" });
    expect(signedIn.ok).toBe(true);

    const dana = await actorFor("new.coordinator@example.org");
    const access = await trialAccess(dana, trialId);
    expect(access.editSites).toEqual([site.id]);
    const registered = await registerParticipant(dana, trialId, {
      siteId: site.id,
      screeningDate: today,
      ageAtScreening: 61,
      sex: "female",
      results: [{ subtype: "EGFR exon 19 deletion", result: "detected", method: "NGS_TISSUE" }],
    });
    expect(registered.body.screeningNumber).toBe("US-BLD1-0001");
    const boston = await db().site.findUniqueOrThrow({ where: { code: "US-BOS1" } });
    await expect(
      registerParticipant(dana, trialId, {
        siteId: boston.id,
        screeningDate: today,
        ageAtScreening: 61,
        sex: "female",
        results: [{ subtype: "ALK fusion", result: "detected", method: "FISH" }],
      }),
    ).rejects.toMatchObject({ code: "not_found" });
    const list = await listParticipants(dana, trialId, {});
    expect(list.items.map((p) => p.screeningNumber)).toEqual(["US-BLD1-0001"]);

    const actions = (
      await db().auditEvent.findMany({
        where: {
          actorId: { in: [admin.id, dana.id] },
          action: { in: ["site.create", "trialSite.create", "user.invite", "membership.create", "user.password.set", "participant.create"] },
        },
      })
    ).map((a) => a.action);
    expect(new Set(actions)).toEqual(
      new Set(["site.create", "trialSite.create", "user.invite", "membership.create", "user.password.set", "participant.create"]),
    );
  });

  it("answers two simultaneous creations of one code or email with one record and a clear conflict", async () => {
    const site = { code: "US-TWIN1", nameEn: "Twin", nameLocal: "Twin", country: "US", city: "Austin", timeZone: "America/Chicago" };
    const sites = await Promise.allSettled([createSite(admin, site), createSite(admin, site)]);
    expect(sites.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(sites.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "conflict", fields: { code: expect.any(Array) } } });
    const people = await Promise.allSettled([0, 1].map(() => inviteUser(admin, { email: "twin@example.org", displayName: "Twin" })));
    expect(people.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "conflict", fields: { email: expect.any(Array) } } });
    expect(await db().user.count({ where: { email: "twin@example.org" } })).toBe(1);
  });

  it("refuses bad and duplicate sites, and keeps a site's code and country", async () => {
    await expect(
      createSite(admin, { code: "US-BOS1", nameEn: "Again", nameLocal: "Again", country: "US", city: "Boston", timeZone: "America/New_York" }),
    ).rejects.toMatchObject({ code: "conflict" });
    await expect(
      createSite(admin, { code: "CN-XA9", nameEn: "Xi'an", nameLocal: "西安", country: "US", city: "Xi'an", timeZone: "Asia/Shanghai" }),
    ).rejects.toMatchObject({ code: "invalid", fields: { code: expect.any(Array) } });
    await expect(
      createSite(admin, { code: "CN-XA9", nameEn: "Xi'an", nameLocal: "西安", country: "CN", city: "Xi'an", timeZone: "Mars/Olympus" }),
    ).rejects.toMatchObject({ fields: { timeZone: expect.any(Array) } });
    const site = await createSite(admin, {
      code: "CN-XA9",
      nameEn: "Xi'an Chest Hospital",
      nameLocal: "西安胸科医院",
      country: "CN",
      city: "Xi'an",
      timeZone: "Asia/Shanghai",
    });
    await expect(updateSite(admin, site.id, { nameEn: "Xi'an Chest Hospital" })).rejects.toMatchObject({
      code: "invalid",
      fields: { reason: expect.any(Array) },
    });
    await expect(updateSite(admin, site.id, { code: "CN-XA8", reason: "typo" })).rejects.toMatchObject({ code: "invalid" });
    await updateSite(admin, site.id, { nameEn: "Xi'an International Chest Hospital", reason: "Official English name" });
    const [row] = await audits("site.update", site.id);
    expect(row).toMatchObject({
      before: { nameEn: "Xi'an Chest Hospital" },
      after: { nameEn: "Xi'an International Chest Hospital" },
      reason: "Official English name",
    });
  });

  it("creates and edits a trial with reasons and versions, and closing it closes its sites", async () => {
    const trial = await createTrial(admin, {
      code: "TB-402",
      title: "Sotorasib after progression",
      phase: "II",
      indication: "NSCLC",
      plannedStart: "2027-01-15",
      target: "80",
      plannedEnrolmentMonths: "24",
      sponsorName: "Example Oncology",
      sponsorListingAllowed: false,
    });
    await expect(
      createTrial(admin, {
        code: "TB-402",
        title: "Again",
        phase: "II",
        indication: "NSCLC",
        plannedStart: "2027-01-15",
        target: 1,
        plannedEnrolmentMonths: 1,
        sponsorName: "Ex",
      }),
    ).rejects.toMatchObject({ code: "conflict" });
    await expect(updateTrial(admin, trial.id, { version: 1, target: 100 })).rejects.toMatchObject({ fields: { reason: expect.any(Array) } });
    await updateTrial(admin, trial.id, { version: 1, target: "100", status: "RECRUITING", reason: "Protocol amendment 2" });
    await expect(updateTrial(admin, trial.id, { version: 1, target: 120, reason: "stale form" })).rejects.toMatchObject({ code: "conflict" });
    await expect(updateTrial(admin, trial.id, { version: 2, status: "PLANNED", reason: "back" })).rejects.toMatchObject({
      fields: { status: expect.any(Array) },
    });
    await expect(updateTrial(admin, trial.id, { version: 2, target: 100, reason: "same" })).rejects.toMatchObject({ code: "invalid" });

    await createCohort(admin, trial.id, { code: "G12C", name: "KRAS G12C", target: "80", subtypes: ["KRAS:G12C"] });
    await expect(createCohort(admin, trial.id, { code: "X", name: "Unknown", target: 5, subtypes: ["KRAS:Q61Z"] })).rejects.toMatchObject({ code: "invalid" });
    await expect(createCohort(admin, trial.id, { code: "EMPTY", name: "No subtypes", target: 5, subtypes: [] })).rejects.toMatchObject({
      fields: { subtypes: expect.any(Array) },
    });
    const cohort = await db().cohort.findFirstOrThrow({ where: { trialId: trial.id, code: "G12C" } });
    await updateCohort(admin, trial.id, cohort.id, { subtypes: ["KRAS:G12C", "BRAF:V600E"], reason: "Amendment 3 adds BRAF V600E" });
    // Subtypes are the simple form of criteria: a new version of them, audited with the reason.
    const [cohortAudit] = await audits("cohort.criteria", cohort.id);
    expect(cohortAudit).toMatchObject({
      reason: "Amendment 3 adds BRAF V600E",
      before: { include: [{ kind: "subtype", key: "KRAS:G12C" }] },
      after: {
        version: 2,
        criteria: {
          include: [
            { kind: "subtype", key: "BRAF:V600E" },
            { kind: "subtype", key: "KRAS:G12C" },
          ],
        },
      },
    });

    const site = await db().site.findUniqueOrThrow({ where: { code: "CN-SH1" } });
    await expect(addTrialSite(admin, trial.id, { siteId: site.id, status: "ACTIVE", plannedScreeningRate: 3 })).rejects.toMatchObject({
      fields: { activationDate: expect.any(Array) },
    });
    await expect(
      addTrialSite(admin, trial.id, { siteId: site.id, status: "ACTIVE", activationDate: addDays(todayIn(site.timeZone), 2), plannedScreeningRate: 3 }),
    ).rejects.toMatchObject({ fields: { activationDate: expect.any(Array) } });
    const ts = await addTrialSite(admin, trial.id, { siteId: site.id, status: "PLANNED", plannedActivationDate: "2027-02-01", plannedScreeningRate: "3" });
    await updateTrialSite(admin, trial.id, ts.id, { status: "ACTIVE", activationDate: todayIn(site.timeZone), reason: "Ethics approval received" });
    await updateTrial(admin, trial.id, { version: 2, status: "CLOSED", reason: "Target reached" });
    expect((await db().trialSite.findUniqueOrThrow({ where: { id: ts.id } })).status).toBe("CLOSED");
    await expect(updateTrialSite(admin, trial.id, ts.id, { status: "ACTIVE", reason: "reopen" })).rejects.toMatchObject({ code: "invalid" });
    expect((await audits("trial.close", trial.id))[0]).toMatchObject({
      before: { status: "RECRUITING" },
      after: { status: "CLOSED" },
      reason: "Target reached",
    });
  });

  it("refuses an activation date after patients were already screened at the site", async () => {
    const boston = await db().site.findUniqueOrThrow({ where: { code: "US-BOS1" } });
    const ts = await db().trialSite.findFirstOrThrow({ where: { trialId, siteId: boston.id } });
    await expect(updateTrialSite(admin, trialId, ts.id, { activationDate: todayIn(boston.timeZone), reason: "wrong date" })).rejects.toMatchObject({
      fields: { activationDate: expect.any(Array) },
    });
  });

  it("checks memberships, and revoking one or deactivating a user takes effect at once", async () => {
    const { userId } = await inviteUser(admin, { email: "monitor@example.org", displayName: "Monitor" });
    const shanghai = await db().site.findUniqueOrThrow({ where: { code: "CN-SH1" } });
    await expect(grantMembership(admin, { userId, trialId, role: "COORDINATOR" })).rejects.toMatchObject({ fields: { siteId: expect.any(Array) } });
    await expect(grantMembership(admin, { userId, trialId, role: "SPONSOR", siteId: shanghai.id })).rejects.toMatchObject({
      fields: { siteId: expect.any(Array) },
    });
    const notInTrial = await db().site.findFirstOrThrow({ where: { trialSites: { none: { trialId } } } });
    await expect(grantMembership(admin, { userId, trialId, role: "INVESTIGATOR", siteId: notInTrial.id })).rejects.toMatchObject({
      fields: { siteId: expect.any(Array) },
    });
    // Granted twice at the same moment: one membership, one conflict.
    const both = await Promise.allSettled([0, 1].map(() => grantMembership(admin, { userId, trialId, role: "INVESTIGATOR", siteId: shanghai.id })));
    expect(both.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(both.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "conflict" } });
    const membership = (both.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<Awaited<ReturnType<typeof grantMembership>>>).value;
    const monitor = await actorFor("monitor@example.org");
    expect((await trialAccess(monitor, trialId)).investigatorSites).toEqual([shanghai.id]);
    await expect(revokeMembership(admin, membership.id, {})).rejects.toMatchObject({ code: "invalid" });
    await revokeMembership(admin, membership.id, { reason: "Left the study team" });
    await expect(trialAccess(monitor, trialId)).rejects.toMatchObject({ code: "not_found" });
    expect(await db().auditEvent.count({ where: { action: "access.refused", actorId: monitor.id, entityId: trialId } })).toBe(1);

    await db().session.create({ data: { userId } });
    await expect(setUserActive(admin, admin.id, false, { reason: "me" })).rejects.toMatchObject({ code: "invalid" });
    await setUserActive(admin, userId, false, { reason: "Left the institution" });
    const user = await db().user.findUniqueOrThrow({ where: { id: userId } });
    expect(user).toMatchObject({ active: false, sessionVersion: 1 });
    expect(await db().session.count({ where: { userId, revokedAt: null } })).toBe(0);
    await expect(reissueLink(admin, userId, { reason: "lost it" })).rejects.toMatchObject({ code: "invalid" });
  });

  it("lets a new link replace an old one, and never accepts an expired link", async () => {
    const { userId, path } = await inviteUser(admin, { email: "late@example.org", displayName: "Late" });
    const second = await reissueLink(admin, userId, { reason: "Invitation email lost" });
    expect(await inviteFor(tokenOf(path))).toBeNull();
    expect(await inviteFor(tokenOf(second.path))).not.toBeNull();
    await db().invite.updateMany({ where: { userId, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(acceptInvite(tokenOf(second.path), { password: "a sunny afternoon", confirm: "a sunny afternoon" })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(acceptInvite("not-a-token", { password: "a sunny afternoon", confirm: "a sunny afternoon" })).rejects.toMatchObject({ code: "not_found" });
  });

  it("changes nothing when the audit row cannot be written", async () => {
    const before = await db().trial.findUniqueOrThrow({ where: { id: trialId } });
    const sitesBefore = await db().site.count();
    await db().$executeRawUnsafe(
      `CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit store unavailable'; END; $$`,
    );
    await db().$executeRawUnsafe(`CREATE TRIGGER test_refuse_audit BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()`);
    try {
      await expect(updateTrial(admin, trialId, { version: before.version, title: "Changed without a trace", reason: "test" })).rejects.toThrow(
        /audit store unavailable/,
      );
      await expect(
        createSite(admin, { code: "US-GONE", nameEn: "Gone", nameLocal: "Gone", country: "US", city: "X", timeZone: "America/Chicago" }),
      ).rejects.toThrow(/audit store unavailable/);
    } finally {
      await db().$executeRawUnsafe(`DROP TRIGGER test_refuse_audit ON "AuditEvent"`);
      await db().$executeRawUnsafe(`DROP FUNCTION test_refuse_audit()`);
    }
    expect(await db().trial.findUniqueOrThrow({ where: { id: trialId } })).toMatchObject({ title: before.title, version: before.version });
    expect(await db().site.count()).toBe(sitesBefore);
  });

  it("never deletes users, memberships, trials, cohorts, sites or trial sites", async () => {
    for (const table of ["User", "Membership", "Trial", "Cohort", "Site", "TrialSite"]) {
      await expect(db().$executeRawUnsafe(`DELETE FROM "${table}"`)).rejects.toThrow(/append-only|not allowed/);
    }
  });

  // On one of two nodes (lib/federation): each node owns its own sites' facts and patients. Fails without the
  // holdsPatientsOf checks in updateTrialSite and checkRegistration.
  it("on the US node of a partnership, refuses to edit a Chinese site's participation or register a patient there", async () => {
    const cnSite = await db().site.findUniqueOrThrow({ where: { code: "CN-GZ1" } });
    const ts = await db().trialSite.findFirstOrThrow({ where: { trialId, siteId: cnSite.id } });
    const cnCoordinator = await actorFor(DEMO_ACCOUNTS.coordinatorCn);
    process.env.NODE_COUNTRY = "US";
    try {
      await expect(updateTrialSite(admin, trialId, ts.id, { plannedScreeningRate: 9, reason: "not ours to change" })).rejects.toMatchObject({
        code: "forbidden",
      });
      await expect(
        registerParticipant(cnCoordinator, trialId, {
          siteId: cnSite.id,
          screeningDate: addDays(todayIn(cnSite.timeZone), -2),
          ageAtScreening: 61,
          sex: "male",
          results: [{ subtype: "EGFR L858R", result: "detected", method: "PCR" }],
        }),
      ).rejects.toMatchObject({ code: "invalid", fields: { siteId: [expect.stringContaining("siteOnPeerNode")] } });
      // On the Chinese node, a trial the US node owns is defined there: its cohorts are not edited here.
      process.env.NODE_COUNTRY = "CN";
      const cohort = await db().cohort.findFirstOrThrow({ where: { trialId } });
      await expect(updateCohort(admin, trialId, cohort.id, { name: "Renamed on the wrong node", reason: "not ours to define" })).rejects.toMatchObject({
        code: "forbidden",
      });
    } finally {
      delete process.env.NODE_COUNTRY;
    }
    expect((await db().trialSite.findUniqueOrThrow({ where: { id: ts.id } })).plannedScreeningRate).toBe(ts.plannedScreeningRate);
  });
});
