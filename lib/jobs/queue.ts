// The job queue (issue 18, decision 024): pg-boss on the app's own PostgreSQL, in its schema `pgboss`, so jobs
// survive restarts and are shared by every instance. A job is taken by one instance at a time; one whose instance
// dies mid-run stays "active" until JOB_EXPIRE_SECONDS, is then failed by whichever instance supervises next and run
// again. The queue brings at-least-once; the jobs make it once in effect: each writes its result under a unique key
// in the transaction that does its work (an alert check per rule and period, a digest per person and period), and a
// webhook delivery carries one id however often it is tried.
import "server-only";
import PgBoss from "pg-boss";
import { serverEnv } from "@/lib/env";

export const QUEUES = {
  /** A time-based alert rule's check for one period: { ruleId, period }. */
  alertCheck: "alert-check",
  /** One webhook delivery's next attempt: { deliveryId }. */
  webhook: "webhook-deliver",
  /** One person's email digest for one period: { userId, period }. */
  digest: "digest-send",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

const globalForQueue = globalThis as unknown as { trialbridgeQueue?: Promise<PgBoss> };

/** The instance's queue, started once (creating or migrating the pgboss schema and the queues when needed). */
export function queue(): Promise<PgBoss> {
  globalForQueue.trialbridgeQueue ??= (async () => {
    const env = serverEnv();
    const boss = new PgBoss({
      connectionString: env.DATABASE_URL,
      schema: "pgboss",
      max: 4,
      application_name: "trialbridge-jobs",
      supervise: true,
      schedule: false, // time-based work is enqueued by every instance's sweep, de-duplicated by key
      maintenanceIntervalSeconds: env.JOB_SUPERVISE_SECONDS,
      monitorStateIntervalSeconds: 300,
    });
    let failing = false;
    boss.on("error", (error: Error) => {
      if (!failing) console.error(`Job queue: ${error.message.split("\n")[0]}`);
      failing = true;
      setTimeout(() => (failing = false), 30_000).unref();
    });
    await boss.start();
    const expireInSeconds = env.JOB_EXPIRE_SECONDS;
    // stately: at most one job of a key waiting and one running, so instances that enqueue the same work at once
    // make one job of it.
    const queues: PgBoss.Queue[] = [
      { name: QUEUES.alertCheck, policy: "stately", retryLimit: 10, retryDelay: 5, retryBackoff: true, expireInSeconds },
      { name: QUEUES.digest, policy: "stately", retryLimit: 10, retryDelay: 60, retryBackoff: true, expireInSeconds },
      {
        name: QUEUES.webhook,
        policy: "stately",
        retryLimit: env.WEBHOOK_RETRY_LIMIT,
        retryDelay: env.WEBHOOK_RETRY_DELAY_SECONDS,
        retryBackoff: true,
        expireInSeconds,
      },
    ];
    for (const q of queues) {
      await boss.createQueue(q.name, q);
      await boss.updateQueue(q.name, q); // a queue made by an earlier version takes this deployment's settings
    }
    return boss;
  })().catch((error: unknown) => {
    globalForQueue.trialbridgeQueue = undefined; // the next caller tries again (the database may be starting)
    throw error;
  });
  return globalForQueue.trialbridgeQueue;
}

/** Enqueues a job unless one of the same key is already waiting; returns its id, or null when it was. */
export async function enqueue(name: QueueName, key: string, data: object): Promise<string | null> {
  return (await queue()).send(name, data, { singletonKey: key });
}
