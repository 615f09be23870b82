// A trial's webhook endpoints (issue 18): registered by its investigators, sponsors and administrators (one check,
// lib/auth/access.ts), audited, never deleted (disabled with a time). The signing secret is shown once, when the
// endpoint is made, and kept encrypted. The delivery log shows every attempt; a delivery can be sent again.
import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { assertMayManageWebhooks, trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { encryptSecret } from "@/lib/auth/totp";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { AppError, notFound } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import { checkWebhookUrl } from "./address";
import { SECRET_PURPOSE } from "./deliver";

const LOG_DELIVERIES = 20;

export const webhookInput = z.strictObject({
  url: z
    .string({ error: msg("validation.webhookUrl") })
    .trim()
    .min(1, { error: msg("validation.webhookUrl") })
    .max(2_000, { error: msg("validation.webhookUrl") }),
  description: z
    .string()
    .trim()
    .max(200, { error: msg("validation.webhookDescription") })
    .optional(),
});

async function allowed(actor: Actor, trialId: string) {
  assertMayManageWebhooks(actor, await trialAccess(actor, trialId));
}

/** The trial's endpoints, each with its latest deliveries and their attempts (the delivery log). */
export async function listWebhooks(actor: Actor, trialId: string) {
  await allowed(actor, trialId);
  return db().webhookEndpoint.findMany({
    where: { trialId },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      url: true,
      description: true,
      createdAt: true,
      disabledAt: true,
      disabledReason: true,
      consecutiveFailures: true,
      createdBy: { select: { displayName: true } },
      deliveries: {
        orderBy: { createdAt: "desc" },
        take: LOG_DELIVERIES,
        select: {
          id: true,
          type: true,
          status: true,
          attempts: true,
          lastStatus: true,
          lastError: true,
          createdAt: true,
          deliveredAt: true,
          log: { orderBy: { attempt: "asc" }, select: { attempt: true, at: true, status: true, error: true, durationMs: true } },
        },
      },
    },
  });
}

/** Registers an endpoint; returns it with its signing secret (shown this once). */
export async function createWebhook(actor: Actor, trialId: string, raw: unknown): Promise<{ id: string; secret: string }> {
  await allowed(actor, trialId);
  const parsed = webhookInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const problem = await checkWebhookUrl(parsed.data.url, serverEnv().WEBHOOKS_ALLOW_PRIVATE);
  if (problem) throw new AppError("invalid", msg("errors.invalid"), { url: [msg(`validation.webhookUrl_${problem}`)] });
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  const created = await db().$transaction(async (tx) => {
    const endpoint = await tx.webhookEndpoint.create({
      data: {
        trialId,
        url: parsed.data.url,
        description: parsed.data.description || null,
        secret: encryptSecret(secret, SECRET_PURPOSE),
        createdById: actor.id,
      },
      select: { id: true },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "webhook.create",
      entityType: "WebhookEndpoint",
      entityId: endpoint.id,
      trialId,
      after: { url: parsed.data.url, description: parsed.data.description ?? null },
    });
    return endpoint;
  });
  return { id: created.id, secret };
}

/** Disables an endpoint (nothing more is sent to it), or enables it again (its failure count starts over). */
export async function setWebhookEnabled(actor: Actor, trialId: string, endpointId: string, enabled: boolean) {
  await allowed(actor, trialId);
  return db().$transaction(async (tx) => {
    const endpoint = await tx.webhookEndpoint.findFirst({ where: { id: endpointId, trialId }, select: { id: true, disabledAt: true } });
    if (!endpoint) throw notFound(msg("errors.webhookNotFound"));
    if (enabled === !endpoint.disabledAt) return endpoint;
    const changed = await tx.webhookEndpoint.update({
      where: { id: endpointId },
      data: enabled ? { disabledAt: null, disabledReason: null, consecutiveFailures: 0 } : { disabledAt: new Date(), disabledReason: "owner" },
      select: { id: true, disabledAt: true },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: enabled ? "webhook.enable" : "webhook.disable",
      entityType: "WebhookEndpoint",
      entityId: endpointId,
      trialId,
    });
    return changed;
  });
}

/** Sends a delivery again (same webhook-id, so a receiver that has it can tell), with a fresh set of retries. */
export async function replayDelivery(actor: Actor, trialId: string, deliveryId: string) {
  await allowed(actor, trialId);
  return db().$transaction(async (tx) => {
    const delivery = await tx.webhookDelivery.findFirst({
      where: { id: deliveryId, endpoint: { trialId } },
      select: { id: true, endpoint: { select: { disabledAt: true } } },
    });
    if (!delivery) throw notFound(msg("errors.webhookDeliveryNotFound"));
    if (delivery.endpoint.disabledAt) throw new AppError("conflict", msg("errors.webhookDisabled"));
    await tx.webhookDelivery.update({ where: { id: deliveryId }, data: { status: "PENDING", queuedAt: null } });
    await recordAudit(tx, { actorId: actor.id, action: "webhook.replay", entityType: "WebhookDelivery", entityId: deliveryId, trialId });
    return { id: deliveryId };
  });
}
