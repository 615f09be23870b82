// Checks the audit trail's hash chain in seq order, from the first row to the head: seqs run 1, 2, 3... without a
// gap, each row carries the previous row's hash and a hash of its own content. With checkpoints (signed copies of the
// head saved outside the database), it also proves the chain still passes through every saved head: a history
// rewritten consistently (every row and hash recomputed) passes the first test and fails the second.
import type { Db } from "@/lib/db/prisma";
import { auditHash } from "./record";

export interface ChainBreak {
  id: string;
  seq: string;
  at: string;
  problem: string;
}

export interface CheckpointClaim {
  seq: bigint;
  hash: string;
  at: string;
}

export interface CheckpointFailure {
  checkpoint: CheckpointClaim;
  /** The last saved checkpoint the trail still matches (the rewrite lies after it), if any. */
  lastGood: CheckpointClaim | null;
  problem: string;
}

export interface ChainReport {
  rows: number;
  broken: ChainBreak | null;
  /** Committed rows the sealer has not chained yet (normally a second's worth). */
  unsealed: number;
  checkpointsMatched: number;
  checkpointFailure: CheckpointFailure | null;
}

export async function verifyAuditChain(
  db: Pick<Db, "auditEvent">,
  options: { batch?: number; checkpoints?: readonly CheckpointClaim[] } = {},
): Promise<ChainReport> {
  const batch = options.batch ?? 5_000;
  const claims = [...(options.checkpoints ?? [])].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  let claimIndex = 0;
  let lastGood: CheckpointClaim | null = null;
  let previous: string | null = null;
  let expectedSeq = 1n;
  let rows = 0;
  const unsealed = await db.auditEvent.count({ where: { seq: null } });
  const report = (extra: Partial<ChainReport>): ChainReport => ({
    rows,
    broken: null,
    unsealed,
    checkpointsMatched: claimIndex,
    checkpointFailure: null,
    ...extra,
  });
  const failCheckpoint = (problem: string) => report({ checkpointFailure: { checkpoint: claims[claimIndex]!, lastGood, problem } });

  for (;;) {
    const page = await db.auditEvent.findMany({ where: { seq: { gte: expectedSeq } }, orderBy: { seq: "asc" }, take: batch });
    for (const row of page) {
      rows++;
      const where = { id: String(row.id), seq: String(row.seq), at: row.at.toISOString() };
      if (row.seq !== expectedSeq) return report({ broken: { ...where, problem: `comes after seq ${expectedSeq - 1n}: rows were removed` } });
      if (row.prevHash !== previous)
        return report({ broken: { ...where, problem: "does not follow the row before it (prevHash differs): a row was removed, inserted or reordered" } });
      const expected = auditHash({ ...row, before: row.before ?? null, after: row.after ?? null }, row.prevHash);
      if (row.hash !== expected) return report({ broken: { ...where, problem: "its content does not match its hash: the row was altered" } });
      previous = row.hash;
      while (claimIndex < claims.length && claims[claimIndex]!.seq === row.seq) {
        if (claims[claimIndex]!.hash !== row.hash) {
          return failCheckpoint(
            `the trail no longer passes through the signed head at seq ${row.seq}: rows up to seq ${row.seq}${lastGood ? ` and after seq ${lastGood.seq}` : ""} were rewritten`,
          );
        }
        lastGood = claims[claimIndex]!;
        claimIndex++;
      }
      expectedSeq++;
    }
    if (page.length < batch) break;
  }
  if (claimIndex < claims.length) {
    return failCheckpoint(
      `the trail ends at seq ${expectedSeq - 1n} but a signed checkpoint covers rows up to seq ${claims[claimIndex]!.seq}: rows were removed`,
    );
  }
  return report({});
}
