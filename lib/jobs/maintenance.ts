// Tables that would otherwise grow forever: expired sessions, idempotency keys past their replay window and spent
// rate-limit rows are operational records, not clinical ones (nothing of the trial's record or its audit trail is
// touched), and are pruned in small batches. Safe with several instances: one pruner at a time (advisory lock).
import type { Db } from "@/lib/db/prisma";

export const PRUNER_LOCK = 7_264_003;
/** A create request retried with the same Idempotency-Key within this window gets the first answer again. */
export const IDEMPOTENCY_REPLAY_HOURS = 24;
/** Longer than every rate-limit window (the longest is 10 minutes). */
const RATE_LIMIT_KEEP_HOURS = 1;
const BATCH = 5_000;

export interface Pruned {
  sessions: number;
  idempotencyKeys: number;
  rateLimits: number;
}

async function inBatches(run: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await run();
    total += n;
    if (n < BATCH) return total;
  }
}

/** Prunes what has expired; `null` when another instance is pruning. */
export async function pruneExpired(db: Db, settings: { sessionMaxHours: number; sessionIdleMinutes: number }): Promise<Pruned | null> {
  return db.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${PRUNER_LOCK}) AS ok`;
      if (!lock?.ok) return null;
      // A session is dead once revoked, idle past the limit or past its lifetime; kept a day more for the curious.
      const sessions = await inBatches(
        () => tx.$executeRaw`
      DELETE FROM "Session" WHERE "id" IN (
        SELECT "id" FROM "Session"
         WHERE "createdAt" < now() - make_interval(hours => ${settings.sessionMaxHours + 24})
            OR "lastSeenAt" < now() - make_interval(mins => ${settings.sessionIdleMinutes + 24 * 60})
            OR "revokedAt" < now() - interval '1 day'
         LIMIT ${BATCH})`,
      );
      const idempotencyKeys = await inBatches(
        () => tx.$executeRaw`
      DELETE FROM "IdempotencyKey" WHERE "id" IN (
        SELECT "id" FROM "IdempotencyKey" WHERE "createdAt" < now() - make_interval(hours => ${IDEMPOTENCY_REPLAY_HOURS}) LIMIT ${BATCH})`,
      );
      const rateLimits = await inBatches(
        () => tx.$executeRaw`
      DELETE FROM "RateLimit" WHERE "key" IN (
        SELECT "key" FROM "RateLimit" WHERE "windowStart" < now() - make_interval(hours => ${RATE_LIMIT_KEEP_HOURS}) LIMIT ${BATCH})`,
      );
      return { sessions, idempotencyKeys, rateLimits };
    },
    { timeout: 120_000 },
  );
}
