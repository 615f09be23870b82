// What the job queue does (lib/jobs/queue.ts), started by each instance's background work: its sweep enqueues the
// time-based alert checks and the digests that are due (every instance sweeps; the queue's keys make one job of each),
// its dispatcher hands webhook deliveries written by tellings to the queue, and its workers run the jobs.
import "server-only";
import nodemailer from "nodemailer";
import { dueDigests, sendDigest, type Mail } from "@/lib/alerts/digest";
import { dueChecks, periodOf, runAlertCheck } from "@/lib/alerts/schedule";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { attemptDelivery, takeWaiting } from "@/lib/webhooks/deliver";
import { enqueue, queue, QUEUES } from "./queue";

const globalForMail = globalThis as unknown as { trialbridgeMail?: Mail | null };

/** The deployment's mail (null when it names no SMTP server: nothing is sent). */
export function mail(): Mail | null {
  if (globalForMail.trialbridgeMail !== undefined) return globalForMail.trialbridgeMail;
  const env = serverEnv();
  globalForMail.trialbridgeMail = env.SMTP_URL
    ? { transport: nodemailer.createTransport(env.SMTP_URL), from: env.MAIL_FROM, baseUrl: env.NEXTAUTH_URL ?? "http://localhost:3000" }
    : null;
  return globalForMail.trialbridgeMail;
}

/** Enqueues what is due now; returns how many jobs it asked for. */
export async function sweep(now = new Date()): Promise<number> {
  const env = serverEnv();
  let asked = 0;
  for (const check of await dueChecks(db(), periodOf(now, env.ALERT_CHECK_PERIOD_SECONDS))) {
    await enqueue(QUEUES.alertCheck, `${check.ruleId}:${check.period}`, check);
    asked++;
  }
  if (mail()) {
    for (const digest of await dueDigests(db(), now)) {
      await enqueue(QUEUES.digest, `${digest.userId}:${digest.period}`, digest);
      asked++;
    }
  }
  return asked;
}

/** Hands webhook deliveries that wait to the queue. */
export async function dispatchWebhooks(): Promise<number> {
  const ids = await takeWaiting(db());
  for (const deliveryId of ids) await enqueue(QUEUES.webhook, deliveryId, { deliveryId });
  return ids.length;
}

/** Starts this instance's workers. */
export async function startWorkers(): Promise<void> {
  const boss = await queue();
  const env = serverEnv();
  await boss.work<{ ruleId: string; period: string }>(QUEUES.alertCheck, { pollingIntervalSeconds: 1 }, async ([job]) => {
    if (job) await runAlertCheck(db(), job.data, env.ALERT_CHECK_HOLD_MS);
  });
  await boss.work<{ userId: string; period: string }>(QUEUES.digest, { pollingIntervalSeconds: 2 }, async ([job]) => {
    if (job) await sendDigest(db(), job.data, mail());
  });
  await boss.work<{ deliveryId: string }>(QUEUES.webhook, { pollingIntervalSeconds: 0.5, includeMetadata: true }, async ([job]) => {
    if (!job) return;
    const outcome = await attemptDelivery(db(), job.data.deliveryId, job.retryCount >= job.retryLimit, {
      allowPrivate: env.WEBHOOKS_ALLOW_PRIVATE,
      disableAfter: env.WEBHOOK_DISABLE_AFTER,
    });
    // Thrown, the queue tries again after its backoff (unless this was the last attempt, logged as given up).
    if (!outcome.delivered && !outcome.skipped) throw new Error(`Webhook delivery ${job.data.deliveryId}: ${outcome.error ?? "failed"}`);
  });
}
