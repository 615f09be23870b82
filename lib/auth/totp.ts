// Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30 s), the second factor any user can turn on and a
// deployment can require for chosen roles (TOTP_REQUIRED_ROLES). The shared secret is stored encrypted (AES-256-GCM,
// key derived from AUTH_SECRET), and a code is accepted once only: the last accepted time step is kept and a code
// for that step or an earlier one is refused, so an overheard code cannot be replayed.
import "server-only";
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import type { Role } from "@/lib/db/generated/enums";
import { serverEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { verifyPassword } from "./password";
import type { Actor } from "./session";

const PERIOD_SECONDS = 30;
const ISSUER = "TrialBridge";

export const totpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, { error: msg("validation.totpFormat") });

const TOTP_PURPOSE = "totp-secret-v1";

/** A key for one purpose (TOTP secrets, webhook signing secrets), derived from AUTH_SECRET. */
function key(purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", serverEnv().AUTH_SECRET, "trialbridge", purpose, 32));
}

/** A secret encrypted at rest (AES-256-GCM under the purpose's key). */
export function encryptSecret(plain: string, purpose = TOTP_PURPOSE): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(purpose), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

export function decryptSecret(stored: string, purpose = TOTP_PURPOSE): string {
  const [version, iv, tag, data] = stored.split(".");
  if (version !== "v1" || !iv || !tag || !data) throw new Error("Unreadable secret");
  const decipher = createDecipheriv("aes-256-gcm", key(purpose), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}

function totpFor(base32: string, email: string) {
  return new TOTP({ issuer: ISSUER, label: email, algorithm: "SHA1", digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(base32) });
}

/** The time step a code belongs to, if it is valid now (one step of clock drift either way), else null. */
export function matchingStep(base32: string, code: string, now = Date.now()): number | null {
  const delta = totpFor(base32, "").validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

/** Roles for which a deployment requires a second factor ("admin" means the administrator flag). */
export function requiredRoles(setting = serverEnv().TOTP_REQUIRED_ROLES): ReadonlySet<string> {
  return new Set(
    setting
      .split(",")
      .map((r) => r.trim().toLowerCase())
      .filter(Boolean),
  );
}

export function secondFactorRequired(user: { isAdmin: boolean }, roles: readonly Role[], required = requiredRoles()): boolean {
  if (required.size === 0) return false;
  if (user.isAdmin && required.has("admin")) return true;
  return roles.some((role) => required.has(role.toLowerCase()));
}

/** Whether this user must have a second factor under the deployment's setting. */
export async function userNeedsSecondFactor(userId: string, isAdmin: boolean): Promise<boolean> {
  const required = requiredRoles();
  if (required.size === 0) return false;
  const memberships = await db().membership.findMany({ where: { userId, revokedAt: null }, select: { role: true }, distinct: ["role"] });
  return secondFactorRequired(
    { isAdmin },
    memberships.map((m) => m.role),
    required,
  );
}

export interface TotpSetup {
  enabled: boolean;
  /** A secret waiting for its first code: shown as a QR code and as text for manual entry. */
  pending?: { secret: string; uri: string; qrSvg: string };
}

export async function totpSetup(actor: Actor): Promise<TotpSetup> {
  const user = await db().user.findUniqueOrThrow({ where: { id: actor.id }, select: { totpSecret: true, totpEnabledAt: true } });
  if (user.totpEnabledAt) return { enabled: true };
  if (!user.totpSecret) return { enabled: false };
  const secret = decryptSecret(user.totpSecret);
  const uri = totpFor(secret, actor.email).toString();
  return { enabled: false, pending: { secret, uri, qrSvg: await QRCode.toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" }) } };
}

/** Starts (or restarts) setting up an authenticator: a new secret, not yet in force. */
export async function beginTotp(actor: Actor): Promise<void> {
  if (actor.viaToken) throw new AppError("forbidden", msg("errors.tokenReadOnly"));
  const secret = new Secret({ size: 20 }).base32;
  const updated = await db().user.updateMany({ where: { id: actor.id, totpEnabledAt: null }, data: { totpSecret: encryptSecret(secret), totpLastStep: null } });
  if (updated.count === 0) throw new AppError("conflict", msg("errors.totpAlreadyOn"));
}

/** Turns the second factor on once the user proves a code from their authenticator. */
export async function confirmTotp(actor: Actor, raw: unknown): Promise<void> {
  if (actor.viaToken) throw new AppError("forbidden", msg("errors.tokenReadOnly"));
  const code = totpCode.safeParse(raw);
  if (!code.success) throw new AppError("invalid", msg("errors.invalid"), { code: [msg("validation.totpFormat")] });
  const user = await db().user.findUniqueOrThrow({ where: { id: actor.id }, select: { totpSecret: true, totpEnabledAt: true } });
  if (user.totpEnabledAt) throw new AppError("conflict", msg("errors.totpAlreadyOn"));
  if (!user.totpSecret) throw new AppError("conflict", msg("errors.totpNotStarted"));
  const step = matchingStep(decryptSecret(user.totpSecret), code.data);
  if (step === null) throw new AppError("invalid", msg("errors.invalid"), { code: [msg("validation.totpWrong")] });
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: { totpEnabledAt: new Date(), totpLastStep: step } });
    await recordAudit(tx, { actorId: actor.id, action: "user.totp.enable", entityType: "User", entityId: actor.id });
  });
}

/** Turns the second factor off (password needed), unless the deployment requires it for the user's roles. */
export async function disableTotp(actor: Actor, raw: unknown): Promise<void> {
  if (actor.viaToken) throw new AppError("forbidden", msg("errors.tokenReadOnly"));
  const password = z.string().min(1).max(128).safeParse(raw);
  if (!password.success) throw new AppError("invalid", msg("errors.invalid"), { password: [msg("validation.passwordWrong")] });
  if (await userNeedsSecondFactor(actor.id, actor.isAdmin)) throw new AppError("forbidden", msg("errors.totpRequired"));
  const user = await db().user.findUniqueOrThrow({ where: { id: actor.id }, omit: { passwordHash: false } });
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, password.data))) {
    throw new AppError("invalid", msg("errors.invalid"), { password: [msg("validation.passwordWrong")] });
  }
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: { totpSecret: null, totpEnabledAt: null, totpLastStep: null } });
    await recordAudit(tx, { actorId: actor.id, action: "user.totp.disable", entityType: "User", entityId: actor.id });
  });
}

/**
 * Checks a sign-in code for a user with the second factor on, and uses it up: the last accepted step moves forward
 * in one conditional update, so two requests with the same code cannot both succeed.
 */
export async function consumeSignInCode(user: { id: string; totpSecret: string | null }, code: string): Promise<boolean> {
  if (!user.totpSecret || !totpCode.safeParse(code).success) return false;
  const step = matchingStep(decryptSecret(user.totpSecret), code.trim());
  if (step === null) return false;
  const used = await db().$executeRaw`
    UPDATE "User" SET "totpLastStep" = ${step}
    WHERE "id" = ${user.id} AND "totpEnabledAt" IS NOT NULL AND ("totpLastStep" IS NULL OR "totpLastStep" < ${step})`;
  return used === 1;
}
