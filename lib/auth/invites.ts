// Using a one-time link (lib/admin/users.ts issues them): the invited user chooses a password. An unknown, used or
// expired link, or one for a deactivated user, is "not found", all alike. Using the link ends any sessions the user
// had, since it may be a reset.
import "server-only";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import { notFound } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import { endAllSessions, passwordSchema, refuseEmailAsPassword } from "./account";
import { hashPassword } from "./password";
import { hashSecret } from "./secrets";

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const setPasswordInput = z
  .strictObject({ password: passwordSchema, confirm: z.string().max(200) })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], error: msg("validation.passwordsDiffer") });

async function liveInvite(token: string) {
  if (!TOKEN.test(token)) return null;
  const invite = await db().invite.findUnique({ where: { tokenHash: hashSecret(token) }, select: { id: true, usedAt: true, expiresAt: true, userId: true } });
  if (!invite || invite.usedAt || invite.expiresAt <= new Date()) return null;
  const user = await db().user.findUnique({ where: { id: invite.userId }, select: { email: true, displayName: true, active: true } });
  return user?.active ? { invite, user } : null;
}

/** Who a link is for (to show on the page), or null when it cannot be used. */
export async function inviteFor(token: string) {
  const live = await liveInvite(token);
  return live ? { email: live.user.email, displayName: live.user.displayName } : null;
}

export async function acceptInvite(token: string, raw: unknown): Promise<{ email: string }> {
  const live = await liveInvite(token);
  if (!live) throw notFound(msg("errors.inviteInvalid"));
  const parsed = setPasswordInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  refuseEmailAsPassword("password", parsed.data.password, live.user.email);
  const passwordHash = await hashPassword(parsed.data.password);
  const { invite } = live;
  await db().$transaction(async (tx) => {
    const used = await tx.invite.updateMany({ where: { id: invite.id, usedAt: null }, data: { usedAt: new Date() } });
    if (used.count === 0) throw notFound(msg("errors.inviteInvalid")); // used by a concurrent request
    await tx.user.update({ where: { id: invite.userId }, data: { passwordHash } });
    await endAllSessions(tx, invite.userId);
    await recordAudit(tx, {
      actorId: invite.userId,
      action: "user.password.set",
      entityType: "User",
      entityId: invite.userId,
      after: { via: "one-time link" },
    });
  });
  return { email: live.user.email };
}
