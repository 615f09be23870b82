// The sealer: chains committed audit rows, just after commit, so that writers never wait on one another for the
// audit. One sealer at a time across every app instance (a transaction-scoped advisory lock that only sealers take;
// an instance that finds it taken simply skips its turn). Each pass takes the unsealed rows it can see (committed
// ones only), in id order, gives them the next seq numbers and hashes them onto the chain's head. A row whose
// transaction commits late (a lower id than rows already sealed) is simply sealed in a later pass: the chain's order
// is seal order, and every committed row is sealed exactly once.
//
// A pass also signs a checkpoint of the head when one is due (./checkpoints.ts).
import type { Db } from "@/lib/db/prisma";
import { auditHash } from "./record";

const SEALER_LOCK = 7_264_002;
export const SEAL_BATCH = 5_000;

export interface ChainHead {
  seq: bigint;
  hash: string;
}

export async function chainHead(db: Pick<Db, "auditEvent">): Promise<ChainHead | null> {
  const last = await db.auditEvent.findFirst({ where: { seq: { not: null } }, orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  return last ? { seq: last.seq!, hash: last.hash! } : null;
}

/**
 * Seals what is committed and unsealed, up to `limit` rows per call, and returns how many it sealed (0 when another
 * instance's sealer holds the lock) and the head after it. `afterSeal` runs in the same transaction, under the lock.
 */
export async function sealAudit(
  db: Db,
  options: { limit?: number; afterSeal?: (tx: Parameters<Parameters<Db["$transaction"]>[0]>[0], head: ChainHead | null) => Promise<void> } = {},
): Promise<{ sealed: number; head: ChainHead | null; locked: boolean }> {
  const limit = options.limit ?? SEAL_BATCH;
  return db.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${SEALER_LOCK}) AS ok`;
      if (!lock?.ok) return { sealed: 0, head: null, locked: false };
      let head = await chainHead(tx);
      const rows = await tx.auditEvent.findMany({ where: { seq: null }, orderBy: { id: "asc" }, take: limit });
      if (rows.length) {
        const ids: bigint[] = [];
        const seqs: bigint[] = [];
        const prevs: (string | null)[] = [];
        const hashes: string[] = [];
        let seq = head?.seq ?? 0n;
        let prev = head?.hash ?? null;
        for (const row of rows) {
          seq += 1n;
          const hash = auditHash({ ...row, before: row.before ?? null, after: row.after ?? null }, prev);
          ids.push(row.id);
          seqs.push(seq);
          prevs.push(prev);
          hashes.push(hash);
          prev = hash;
        }
        await tx.$executeRaw`
          UPDATE "AuditEvent" a SET "seq" = v.seq, "prevHash" = v.prev, "hash" = v.hash
            FROM unnest(${ids}::bigint[], ${seqs}::bigint[], ${prevs}::text[], ${hashes}::text[]) AS v(id, seq, prev, hash)
           WHERE a."id" = v.id AND a."seq" IS NULL`;
        head = { seq, hash: prev! };
      }
      await options.afterSeal?.(tx, head);
      return { sealed: rows.length, head, locked: true };
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
}

/** Seals until nothing committed is left unsealed (tests, commands, and on-demand checkpoints). */
export async function sealAll(db: Db): Promise<ChainHead | null> {
  for (;;) {
    const pass = await sealAudit(db);
    if (!pass.locked) {
      await new Promise((r) => setTimeout(r, 20)); // another sealer is at work: wait for it
      continue;
    }
    if (pass.sealed < SEAL_BATCH) return pass.head;
  }
}
