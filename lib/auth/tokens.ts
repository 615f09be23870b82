// Personal API tokens for sponsors and investigators: read-only, expiring, revocable. The token is shown once;
// only its SHA-256 is stored. A revoked or expired token is refused (401) on its very next request, and every use
// is recorded in the audit trail.
import "server-only";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import { notFound } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import { assertMayManageTokens } from "./access";
import { hashSecret, newSecret } from "./secrets";
import type { Actor } from "./session";

export const TOKEN_PREFIX = "tb_";

export const TOKEN_SCOPES = ["read", "audit-checkpoints"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const createTokenInput = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, { error: msg("validation.required") })
    .max(80),
  expiresInDays: z.number().int().min(1).max(365).default(90),
  /** "read" (investigators, sponsors) or "audit-checkpoints" (administrators: a token for an auditor). */
  scope: z.enum(TOKEN_SCOPES).default("read"),
});

export async function createToken(actor: Actor, raw: unknown) {
  await assertMayManageTokens(actor, true);
  const parsed = createTokenInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  await assertMayManageTokens(actor, true, parsed.data.scope);
  const token = `${TOKEN_PREFIX}${newSecret()}`;
  const expiresAt = new Date(Date.now() + parsed.data.expiresInDays * 86_400_000);
  const created = await db().$transaction(async (tx) => {
    const row = await tx.apiToken.create({
      data: { userId: actor.id, name: parsed.data.name, scope: parsed.data.scope, tokenHash: hashSecret(token), prefix: token.slice(0, 10), expiresAt },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "token.create",
      entityType: "ApiToken",
      entityId: row.id,
      after: { name: row.name, prefix: row.prefix, expiresAt },
    });
    return row;
  });
  return { id: created.id, name: created.name, scope: created.scope as TokenScope, prefix: created.prefix, expiresAt: created.expiresAt.toISOString(), token };
}

export async function listTokens(actor: Actor) {
  const rows = await db().apiToken.findMany({ where: { userId: actor.id }, orderBy: { createdAt: "desc" } });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    scope: r.scope as TokenScope,
    prefix: r.prefix,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    revokedAt: r.revokedAt?.toISOString() ?? null,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    active: !r.revokedAt && r.expiresAt > new Date(),
  }));
}

export async function revokeToken(actor: Actor, id: string) {
  await assertMayManageTokens(actor, false);
  await db().$transaction(async (tx) => {
    const row = await tx.apiToken.findFirst({ where: { id, userId: actor.id } });
    if (!row) throw notFound();
    if (row.revokedAt) return;
    await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "token.revoke",
      entityType: "ApiToken",
      entityId: id,
      before: { revoked: false },
      after: { revoked: true },
    });
  });
}

/** The user behind a bearer token, or null when the token is unknown, revoked, expired or its user inactive. */
export async function userForToken(token: string, use: { method: string; path: string }) {
  const row = await db().apiToken.findUnique({ where: { tokenHash: hashSecret(token) } });
  if (!row || row.revokedAt || row.expiresAt <= new Date()) return null;
  const user = await db().user.findUnique({
    where: { id: row.userId },
    select: { id: true, email: true, displayName: true, isAdmin: true, locale: true, active: true, totpEnabledAt: true },
  });
  if (!user?.active) return null;
  await db().$transaction(async (tx) => {
    await tx.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
    await recordAudit(tx, { actorId: user.id, action: "token.use", entityType: "ApiToken", entityId: row.id, after: use });
  });
  return { ...user, scope: row.scope === "audit-checkpoints" ? ("audit-checkpoints" as const) : ("read" as const) };
}
