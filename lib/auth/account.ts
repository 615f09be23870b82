// A user's own account: change the password (then every session ends, this one included) and sign out everywhere.
import "server-only";
import { dictionary } from "@zxcvbn-ts/language-common";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/prisma";
import { AppError } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from "./password";
import type { Actor } from "./session";

let common: Set<string> | undefined;
/** About 30,000 of the most common passwords (zxcvbn-ts's list). */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN, { error: msg("validation.passwordLength", { min: PASSWORD_MIN, max: PASSWORD_MAX }) })
  .max(PASSWORD_MAX, { error: msg("validation.passwordLength", { min: PASSWORD_MIN, max: PASSWORD_MAX }) })
  .refine((p) => !isCommonPassword(p), { error: msg("validation.passwordCommon") });

/** A new password may not be the account's own email address (checked after the common-password list). */
export function refuseEmailAsPassword(field: string, password: string, email: string) {
  if (password.toLowerCase() === email.toLowerCase()) throw new AppError("invalid", msg("errors.invalid"), { [field]: [msg("validation.passwordCommon")] });
}

const changeInput = z.strictObject({ current: z.string().min(1).max(PASSWORD_MAX), next: passwordSchema });

export async function endAllSessions(tx: Tx, userId: string) {
  await tx.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
  await tx.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
}

export async function changePassword(actor: Actor, raw: unknown) {
  if (actor.viaToken) throw new AppError("forbidden", msg("errors.tokenReadOnly"));
  const parsed = changeInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const user = await db().user.findUniqueOrThrow({ where: { id: actor.id }, omit: { passwordHash: false } });
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, parsed.data.current))) {
    throw new AppError("invalid", msg("errors.invalid"), { current: [msg("validation.passwordWrong")] });
  }
  refuseEmailAsPassword("next", parsed.data.next, user.email);
  const passwordHash = await hashPassword(parsed.data.next);
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: { passwordHash } });
    await endAllSessions(tx, actor.id);
    await recordAudit(tx, { actorId: actor.id, action: "user.password.change", entityType: "User", entityId: actor.id });
  });
}

export async function signOutEverywhere(actor: Actor) {
  await db().$transaction(async (tx) => {
    await endAllSessions(tx, actor.id);
    await recordAudit(tx, { actorId: actor.id, action: "user.signout.everywhere", entityType: "User", entityId: actor.id });
  });
}
