// A person's digest settings (how often, in which time zone), and a digest asked for now: their own, nobody else's.
import "server-only";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import { enqueue, QUEUES } from "@/lib/jobs/queue";
import { mail } from "@/lib/jobs/work";
import { DIGEST_FREQUENCIES, validTimeZone } from "./digest";

const settings = z.strictObject({
  digest: z.enum(DIGEST_FREQUENCIES, { error: msg("validation.digestFrequency") }),
  timeZone: z.string().refine(validTimeZone, { error: msg("validation.timeZone") }),
});

export async function digestSettings(actor: Actor) {
  const user = await db().user.findUniqueOrThrow({ where: { id: actor.id }, select: { digest: true, timeZone: true } });
  return { ...user, emailConfigured: mail() !== null };
}

export async function setDigestSettings(actor: Actor, raw: unknown) {
  if (actor.viaToken) throw new AppError("forbidden", msg("errors.tokenReadOnly"));
  const parsed = settings.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  await db().$transaction(async (tx) => {
    const before = await tx.user.findUniqueOrThrow({ where: { id: actor.id }, select: { digest: true, timeZone: true } });
    await tx.user.update({ where: { id: actor.id }, data: parsed.data });
    // Recorded as the language setting is (lib/users/preferences.ts): every change is audited.
    await recordAudit(tx, { actorId: actor.id, action: "user.digest", entityType: "User", entityId: actor.id, before, after: parsed.data });
  });
}

/** Sends the person's digest of what came since their last one, now (through the queue). */
export async function sendDigestNow(actor: Actor): Promise<void> {
  if (actor.viaToken) throw new AppError("forbidden", msg("errors.tokenReadOnly"));
  if (!mail()) throw new AppError("conflict", msg("errors.emailNotConfigured"));
  const period = `now:${new Date().toISOString()}`;
  await enqueue(QUEUES.digest, `${actor.id}:${period}`, { userId: actor.id, period });
}
