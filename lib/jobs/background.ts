// Work each app instance does in the background, started once per server process (instrumentation.ts): folding
// committed counter deltas into the kept counts and appending live events (at once for this instance's own writes,
// every 100 ms for everyone's), sealing the audit trail just after commit (every half second), signing a checkpoint
// of it when one is due, expiring held places (offering them to those waiting), pruning expired operational rows, and
// the job queue's sweep, dispatcher and workers (lib/jobs/work.ts). Each pass takes its own advisory lock, so with
// several instances exactly one does each pass and the others skip it; if the instance doing it dies, another takes
// over at its next tick (the queue's jobs: lib/jobs/queue.ts).
import "server-only";
import { checkpointDue, signCheckpoint } from "@/lib/audit/checkpoints";
import { sealAudit } from "@/lib/audit/seal";
import { startFolder } from "@/lib/enrolment/folder";
import { foldPending, foldTrial } from "@/lib/enrolment/tally";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { produceSnapshot } from "@/lib/federation/export";
import { thisNode } from "@/lib/federation/node";
import { startRelay } from "@/lib/federation/transport";
import { expireHolds } from "@/lib/matching/places";
import { pruneExpired } from "./maintenance";
import { dispatchWebhooks, startWorkers, sweep } from "./work";

const SEAL_EVERY_MS = 500;
const FOLD_EVERY_MS = 100;
const PRUNE_EVERY_MS = 10 * 60_000;
const HOLDS_EVERY_MS = 30_000;
const OUTAGE_RETRY_MS = 2_000;
const DISPATCH_EVERY_MS = 500;

function every(ms: number, name: string, run: () => Promise<unknown>) {
  let failing = false;
  const tick = async () => {
    try {
      await run();
      failing = false;
    } catch (error) {
      // Say so once per outage (the database may be restarting), not twice a second.
      if (!failing) console.error(`Background ${name} failed: ${error instanceof Error ? error.message.split("\n")[0] : "unknown error"}`);
      failing = true;
    } finally {
      setTimeout(() => void tick(), failing ? Math.max(ms, OUTAGE_RETRY_MS) : ms).unref(); // an outage: look less often
    }
  };
  setTimeout(() => void tick(), Math.min(ms, 1_000)).unref();
}

const started = globalThis as unknown as { trialbridgeBackground?: boolean };

export function startBackgroundWork() {
  if (started.trialbridgeBackground) return;
  started.trialbridgeBackground = true;
  const env = serverEnv();
  const federated = thisNode() !== null;
  // On one of two nodes, counts that moved are signed for the peer at once, not at the next look.
  const snapshotNow = () => void produceSnapshot(db()).catch(() => {}); // a failure is the periodic look's to report
  startFolder(async (trialId) => {
    const folded = await foldTrial(db(), trialId);
    if (folded && federated) snapshotNow();
    return folded;
  });
  every(FOLD_EVERY_MS, "counter folding", async () => {
    if ((await foldPending(db())).length && federated) snapshotNow();
  });
  every(SEAL_EVERY_MS, "audit sealing", () =>
    sealAudit(db(), {
      afterSeal: async (tx, head) => {
        if (await checkpointDue(tx, head, env.AUDIT_CHECKPOINT_SECONDS)) await signCheckpoint(tx, head!);
      },
    }),
  );
  if (federated) {
    // One of two nodes: sign snapshots of this node's counts for its peer, and (on the side that connects) relay them.
    every(env.FEDERATION_SNAPSHOT_MS, "federation snapshots", () => produceSnapshot(db()));
    startRelay(db());
  }
  // Held places that ran out go back, to the next patient waiting (one instance a pass: the lock).
  every(HOLDS_EVERY_MS, "place expiry", () =>
    db().$transaction(async (tx) => {
      const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtext('places:expiry')) AS ok`;
      if (lock?.ok) await expireHolds(tx);
    }),
  );
  // The job queue (lib/jobs/queue.ts): its workers start once the queue has (a database still starting is retried);
  // then every instance sweeps for due checks and digests and dispatches webhook deliveries.
  let working: Promise<void> | null = null;
  const workers = () => (working ??= startWorkers().catch((error: unknown) => ((working = null), Promise.reject(error))));
  every(env.ALERT_SWEEP_SECONDS * 1000, "alert and digest sweep", async () => {
    await workers();
    await sweep();
  });
  every(DISPATCH_EVERY_MS, "webhook dispatch", async () => {
    await workers();
    await dispatchWebhooks();
  });
  every(PRUNE_EVERY_MS, "pruning", () => pruneExpired(db(), { sessionMaxHours: env.SESSION_MAX_HOURS, sessionIdleMinutes: env.SESSION_IDLE_MINUTES }));
}
