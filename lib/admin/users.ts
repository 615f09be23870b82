// Administering people: invite a user (a one-time link to set a password, shown once to the administrator, who
// passes it on), issue a new link, reset a lost second factor, deactivate and reactivate; and memberships, a user's
// role in a trial, optionally at one site. Every change is audited; deactivation and revocation take effect on the
// user's very next request, because every request re-reads both (lib/auth/session.ts, lib/auth/access.ts).
import "server-only";
import { endAllSessions } from "@/lib/auth/account";
import { hashSecret, newSecret } from "@/lib/auth/secrets";
import { assertAdmin } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/prisma";
import { AppError, notFound } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { diff, invalidField, parse, uniqueOr } from "./common";
import { change, membershipGrant, userInvite, userUpdate } from "./schemas";

export const INVITE_DAYS = 7;

/** A fresh one-time link for a user; any earlier unused link stops working. Returns the link's path. */
async function issueLink(tx: Tx, actor: Actor, userId: string) {
  await tx.invite.updateMany({ where: { userId, usedAt: null }, data: { usedAt: new Date() } });
  const token = newSecret();
  const expiresAt = new Date(Date.now() + INVITE_DAYS * 24 * 60 * 60 * 1000);
  await tx.invite.create({ data: { userId, tokenHash: hashSecret(token), createdById: actor.id, expiresAt } });
  return { path: `/invite/${token}`, expiresAt };
}

export async function adminUsers(actor: Actor) {
  await assertAdmin(actor, "users.list");
  const users = await db().user.findMany({
    orderBy: [{ active: "desc" }, { email: "asc" }],
    select: {
      id: true,
      email: true,
      displayName: true,
      isAdmin: true,
      active: true,
      totpEnabledAt: true,
      _count: { select: { memberships: { where: { revokedAt: null } } } },
    },
  });
  return users.map(({ _count, totpEnabledAt, ...u }) => ({ ...u, memberships: _count.memberships, secondFactor: totpEnabledAt !== null }));
}

export async function adminUser(actor: Actor, userId: string) {
  await assertAdmin(actor, "user.read");
  const user = await db().user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      displayName: true,
      isAdmin: true,
      active: true,
      totpEnabledAt: true,
      createdAt: true,
      passwordHash: true,
      memberships: {
        orderBy: { createdAt: "asc" },
        select: {
          id: true,
          role: true,
          createdAt: true,
          revokedAt: true,
          trial: { select: { id: true, code: true } },
          site: { select: { id: true, code: true } },
        },
      },
    },
  });
  if (!user) throw notFound(msg("errors.userNotFound"));
  const pendingInvite = await db().invite.findFirst({ where: { userId, usedAt: null, expiresAt: { gt: new Date() } }, select: { expiresAt: true } });
  const { passwordHash, ...rest } = user; // only whether there is one leaves this function
  return { ...rest, hasPassword: passwordHash !== null, pendingInviteExpiresAt: pendingInvite?.expiresAt ?? null };
}

/** Trials and their sites, to choose from when granting a membership. */
export async function membershipChoices(actor: Actor) {
  await assertAdmin(actor, "memberships.choices");
  return db().trial.findMany({
    orderBy: { code: "asc" },
    select: { id: true, code: true, trialSites: { orderBy: { site: { code: "asc" } }, select: { site: { select: { id: true, code: true } } } } },
  });
}

export async function inviteUser(actor: Actor, raw: unknown) {
  await assertAdmin(actor, "user.invite");
  const input = parse(userInvite, raw);
  return uniqueOr("email", msg("validation.emailTaken"), () =>
    db().$transaction(async (tx) => {
      if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } }))
        throw new AppError("conflict", msg("errors.invalid"), { email: [msg("validation.emailTaken")] });
      const user = await tx.user.create({ data: { email: input.email, displayName: input.displayName, isAdmin: input.isAdmin, passwordHash: null } });
      const link = await issueLink(tx, actor, user.id);
      await recordAudit(tx, {
        actorId: actor.id,
        action: "user.invite",
        entityType: "User",
        entityId: user.id,
        after: { ...input, linkExpiresAt: link.expiresAt },
      });
      return { userId: user.id, ...link };
    }),
  );
}

async function userOrNotFound(tx: Tx, userId: string) {
  const user = await tx.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, displayName: true, isAdmin: true, active: true, totpEnabledAt: true },
  });
  if (!user) throw notFound(msg("errors.userNotFound"));
  return user;
}

/** A new one-time link (for a lost invitation or a forgotten password); the old password works until it is used. */
export async function reissueLink(actor: Actor, userId: string, raw: unknown) {
  await assertAdmin(actor, "user.link");
  const { reason } = parse(change, raw);
  return db().$transaction(async (tx) => {
    const user = await userOrNotFound(tx, userId);
    if (!user.active) throw new AppError("invalid", msg("errors.userInactive"));
    const link = await issueLink(tx, actor, userId);
    await recordAudit(tx, {
      actorId: actor.id,
      action: "user.link.issue",
      entityType: "User",
      entityId: userId,
      after: { linkExpiresAt: link.expiresAt },
      reason,
    });
    return link;
  });
}

export async function updateUser(actor: Actor, userId: string, raw: unknown) {
  await assertAdmin(actor, "user.update");
  const { reason, ...proposed } = parse(userUpdate, raw);
  if (userId === actor.id && proposed.isAdmin === false) throw invalidField("isAdmin", msg("validation.notYourself"));
  await db().$transaction(async (tx) => {
    const user = await userOrNotFound(tx, userId);
    const { before, after } = diff({ displayName: user.displayName, isAdmin: user.isAdmin }, proposed);
    await tx.user.update({ where: { id: userId }, data: after });
    await recordAudit(tx, {
      actorId: actor.id,
      action: after.isAdmin !== undefined ? "user.role.change" : "user.update",
      entityType: "User",
      entityId: userId,
      before,
      after,
      reason,
    });
  });
}

/** Deactivates (every session ends at once) or reactivates a user. */
export async function setUserActive(actor: Actor, userId: string, active: boolean, raw: unknown) {
  await assertAdmin(actor, active ? "user.reactivate" : "user.deactivate");
  const { reason } = parse(change, raw);
  if (userId === actor.id) throw invalidField("reason", msg("validation.notYourself"));
  await db().$transaction(async (tx) => {
    const user = await userOrNotFound(tx, userId);
    if (user.active === active) throw new AppError("conflict", msg("errors.nothingToChange"));
    await tx.user.update({ where: { id: userId }, data: { active } });
    if (!active) await endAllSessions(tx, userId);
    await recordAudit(tx, {
      actorId: actor.id,
      action: active ? "user.reactivate" : "user.deactivate",
      entityType: "User",
      entityId: userId,
      before: { active: !active },
      after: { active },
      reason,
    });
  });
}

/** Clears a user's second factor (a lost phone); they set it up again at their next sign-in. */
export async function resetSecondFactor(actor: Actor, userId: string, raw: unknown) {
  await assertAdmin(actor, "user.totp.reset");
  const { reason } = parse(change, raw);
  await db().$transaction(async (tx) => {
    const user = await userOrNotFound(tx, userId);
    if (!user.totpEnabledAt) throw new AppError("conflict", msg("errors.nothingToChange"));
    await tx.user.update({ where: { id: userId }, data: { totpSecret: null, totpEnabledAt: null, totpLastStep: null } });
    await endAllSessions(tx, userId);
    await recordAudit(tx, {
      actorId: actor.id,
      action: "user.totp.reset",
      entityType: "User",
      entityId: userId,
      before: { secondFactor: true },
      after: { secondFactor: false },
      reason,
    });
  });
}

export async function grantMembership(actor: Actor, raw: unknown) {
  await assertAdmin(actor, "membership.create");
  const input = parse(membershipGrant, raw);
  if (input.role === "COORDINATOR" && !input.siteId) throw invalidField("siteId", msg("validation.coordinatorSite"));
  if (input.role === "SPONSOR" && input.siteId) throw invalidField("siteId", msg("validation.sponsorNoSite"));
  return db().$transaction(async (tx) => {
    // Two administrators granting the same role at once: the second waits, then finds the first's and stops.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`membership:${input.userId}:${input.trialId}`}))`;
    await userOrNotFound(tx, input.userId);
    if (!(await tx.trial.findUnique({ where: { id: input.trialId }, select: { id: true } }))) throw invalidField("trialId", msg("errors.trialNotFound"));
    if (
      input.siteId &&
      !(await tx.trialSite.findUnique({ where: { trialId_siteId: { trialId: input.trialId, siteId: input.siteId } }, select: { id: true } }))
    ) {
      throw invalidField("siteId", msg("validation.siteNotInTrial"));
    }
    const duplicate = await tx.membership.findFirst({
      where: { userId: input.userId, trialId: input.trialId, role: input.role, siteId: input.siteId ?? null, revokedAt: null },
      select: { id: true },
    });
    if (duplicate) throw new AppError("conflict", msg("errors.membershipExists"));
    const membership = await tx.membership.create({ data: { userId: input.userId, trialId: input.trialId, role: input.role, siteId: input.siteId ?? null } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "membership.create",
      entityType: "Membership",
      entityId: membership.id,
      trialId: input.trialId,
      after: input,
    });
    return membership;
  });
}

export async function revokeMembership(actor: Actor, membershipId: string, raw: unknown) {
  await assertAdmin(actor, "membership.revoke");
  const { reason } = parse(change, raw);
  await db().$transaction(async (tx) => {
    const membership = await tx.membership.findUnique({ where: { id: membershipId } });
    if (!membership) throw notFound(msg("errors.membershipNotFound"));
    if (membership.revokedAt) throw new AppError("conflict", msg("errors.nothingToChange"));
    await tx.membership.update({ where: { id: membershipId }, data: { revokedAt: new Date() } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "membership.revoke",
      entityType: "Membership",
      entityId: membershipId,
      trialId: membership.trialId,
      before: { userId: membership.userId, role: membership.role, siteId: membership.siteId, revokedAt: null },
      after: { revokedAt: new Date() },
      reason,
    });
  });
}
