// Webhook deliveries (issue 18, decision 024). A telling writes a PENDING delivery in its own transaction (an outbox:
// nothing is sent for a change rolled back, nothing committed is missed); each instance's dispatcher hands waiting
// deliveries to the job queue; the queue's job makes one attempt, signed per Standard Webhooks (the
// `standardwebhooks` package: webhook-id, webhook-timestamp, webhook-signature over "id.timestamp.body"), and
// throws on failure so the queue retries with exponential backoff. Every attempt is logged. A delivery whose
// retries are spent is FAILED; after WEBHOOK_DISABLE_AFTER such in a row the endpoint is disabled and its owner told.
import http from "node:http";
import https from "node:https";
import { Webhook } from "standardwebhooks";
import { NOTIFICATION_CHANNEL } from "@/lib/alerts/tell";
import { recordAudit } from "@/lib/audit/record";
import { decryptSecret } from "@/lib/auth/totp";
import type { Db } from "@/lib/db/prisma";
import { guardedLookup } from "./address";

export const SECRET_PURPOSE = "webhook-secret-v1";
const TIMEOUT_MS = 10_000;
const KEEP_BODY = 500;

export interface DeliverySettings {
  allowPrivate: boolean;
  disableAfter: number;
}

interface Response {
  status: number | null;
  error: string | null;
}

/** One POST, no redirects followed, to a public address only (unless allowed). */
function post(url: string, headers: Record<string, string>, body: string, allowPrivate: boolean): Promise<Response> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    const request = client.request(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "TrialBridge-Webhooks/1" },
        lookup: guardedLookup(allowPrivate),
        timeout: TIMEOUT_MS,
      },
      (response) => {
        let kept = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (kept.length < KEEP_BODY) kept += chunk.slice(0, KEEP_BODY - kept.length);
        });
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          resolve({ status, error: status >= 200 && status < 300 ? null : kept.trim() || `HTTP ${status}` });
        });
        response.on("error", (error) => resolve({ status: response.statusCode ?? null, error: error.message }));
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
    request.on("error", (error) => resolve({ status: null, error: error.message }));
    request.end(body);
  });
}

export interface AttemptOutcome {
  delivered: boolean;
  /** Nothing was tried: already delivered, given up, or its endpoint disabled. */
  skipped?: boolean;
  status?: number | null;
  error?: string | null;
}

/**
 * Makes one attempt at a delivery and logs it. `last`: the queue will not retry after this one (a failure gives the
 * delivery up). The attempt itself runs outside any transaction (a slow receiver holds no lock).
 */
export async function attemptDelivery(db: Db, deliveryId: string, last: boolean, settings: DeliverySettings): Promise<AttemptOutcome> {
  const delivery = await db.webhookDelivery.findUnique({
    where: { id: deliveryId },
    select: { id: true, payload: true, status: true, attempts: true, endpoint: { select: { id: true, url: true, secret: true, disabledAt: true } } },
  });
  if (!delivery || delivery.status !== "PENDING" || delivery.endpoint.disabledAt) return { delivered: false, skipped: true };
  const body = JSON.stringify(delivery.payload);
  const at = new Date();
  const signer = new Webhook(decryptSecret(delivery.endpoint.secret, SECRET_PURPOSE));
  const headers = {
    "webhook-id": delivery.id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signer.sign(delivery.id, at, body),
  };
  const started = performance.now();
  const answer = await post(delivery.endpoint.url, headers, body, settings.allowPrivate);
  const durationMs = Math.round(performance.now() - started);
  const delivered = answer.error === null;
  await db.$transaction(async (tx) => {
    // The attempt's number is taken under the row's lock: a replay racing a retry cannot log two attempts as one.
    const [row] = await tx.$queryRaw<{ attempts: number }[]>`SELECT "attempts" FROM "WebhookDelivery" WHERE "id" = ${deliveryId} FOR UPDATE`;
    const attempt = (row?.attempts ?? delivery.attempts) + 1;
    await tx.webhookAttempt.create({ data: { deliveryId, attempt, at, status: answer.status, error: answer.error?.slice(0, KEEP_BODY) ?? null, durationMs } });
    const givenUp = !delivered && last;
    await tx.webhookDelivery.update({
      where: { id: deliveryId },
      data: {
        attempts: attempt,
        lastAttemptAt: at,
        lastStatus: answer.status,
        lastError: answer.error?.slice(0, KEEP_BODY) ?? null,
        ...(delivered ? { status: "DELIVERED", deliveredAt: new Date() } : givenUp ? { status: "FAILED" } : {}),
      },
    });
    if (delivered) {
      await tx.webhookEndpoint.update({ where: { id: delivery.endpoint.id }, data: { consecutiveFailures: 0 } });
    } else if (givenUp) {
      const endpoint = await tx.webhookEndpoint.update({
        where: { id: delivery.endpoint.id },
        data: { consecutiveFailures: { increment: 1 } },
        select: { id: true, trialId: true, url: true, createdById: true, consecutiveFailures: true, disabledAt: true },
      });
      if (endpoint.consecutiveFailures >= settings.disableAfter && !endpoint.disabledAt) {
        await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { disabledAt: new Date(), disabledReason: "failures" } });
        // Audited as its owner's disabling is (lib/webhooks/endpoints.ts), by nobody: the system did it.
        await recordAudit(tx, {
          actorId: null,
          action: "webhook.disable",
          entityType: "WebhookEndpoint",
          entityId: endpoint.id,
          trialId: endpoint.trialId,
          after: { reason: "failures", failures: endpoint.consecutiveFailures },
        });
        // Its owner is told in the notification centre (no rule sent it: ruleId is null).
        await tx.notification.create({
          data: {
            userId: endpoint.createdById,
            trialId: endpoint.trialId,
            occasion: `webhook-disabled:${endpoint.id}`,
            params: { url: endpoint.url, failures: endpoint.consecutiveFailures },
          },
        });
        await tx.$executeRaw`SELECT pg_notify(${NOTIFICATION_CHANNEL}, ${endpoint.createdById})`;
      }
    }
  });
  return { delivered, status: answer.status, error: answer.error };
}

/** Deliveries waiting for the queue (new, or replayed), oldest first; marks them taken. */
export async function takeWaiting(db: Db, limit = 100): Promise<string[]> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "WebhookDelivery" WHERE "status" = 'PENDING' AND "queuedAt" IS NULL
       ORDER BY "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
    if (rows.length) await tx.webhookDelivery.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { queuedAt: new Date() } });
    return rows.map((r) => r.id);
  });
}
