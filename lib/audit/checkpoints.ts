// Signed checkpoints of the audit chain: at a fixed interval (and on demand) the sealer signs "the trail holds rows
// 1..seq and row seq's hash is H, as of T" with the deployment's Ed25519 key (lib/keys/node-keys.ts). They are
// served with the public keys at GET /api/v1/audit/checkpoints, so a sponsor, an auditor or the other country's
// deployment keeps copies; `npm run audit:verify -- --checkpoint FILE` proves against such a copy that the present
// trail still holds, unchanged, everything it covered.
import { z } from "zod";
import type { Db, Tx } from "@/lib/db/prisma";
import { publicKeys, sign, verify, type PublicKey } from "@/lib/keys/node-keys";
import { sealAll, type ChainHead } from "./seal";
import type { CheckpointClaim } from "./verify";

export const CHECKPOINT_TYPE = "trialbridge.audit-checkpoint";

const payloadSchema = z.strictObject({
  typ: z.literal(CHECKPOINT_TYPE),
  seq: z.string().regex(/^\d{1,18}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.iso.datetime(),
});

export interface CheckpointView {
  seq: string;
  hash: string;
  at: string;
  kid: string;
  jws: string;
}

const view = (c: { seq: bigint; hash: string; at: Date; kid: string; jws: string }): CheckpointView => ({
  seq: String(c.seq),
  hash: c.hash,
  at: c.at.toISOString(),
  kid: c.kid,
  jws: c.jws,
});

/** Signs and stores a checkpoint of `head` (inside the sealer's transaction, or after sealing everything). */
export async function signCheckpoint(tx: Pick<Tx, "auditCheckpoint">, head: ChainHead): Promise<CheckpointView> {
  const at = new Date();
  const { jws, kid } = await sign({ typ: CHECKPOINT_TYPE, seq: String(head.seq), hash: head.hash, at: at.toISOString() });
  return view(await tx.auditCheckpoint.create({ data: { seq: head.seq, hash: head.hash, at, kid, jws } }));
}

/** True when the head moved since the last checkpoint and the last one is at least `intervalSeconds` old. */
export async function checkpointDue(tx: Pick<Tx, "auditCheckpoint">, head: ChainHead | null, intervalSeconds: number): Promise<boolean> {
  if (!head) return false;
  const last = await tx.auditCheckpoint.findFirst({ orderBy: { id: "desc" }, select: { seq: true, at: true } });
  if (!last) return true;
  return last.seq !== head.seq && Date.now() - last.at.getTime() >= intervalSeconds * 1000;
}

/** On demand: seals everything committed, then signs the head (or returns the latest checkpoint if nothing moved). */
export async function checkpointNow(db: Db): Promise<CheckpointView | null> {
  const head = await sealAll(db);
  if (!head) return null;
  const last = await db.auditCheckpoint.findFirst({ orderBy: { id: "desc" } });
  if (last && last.seq === head.seq) return view(last);
  return signCheckpoint(db, head);
}

export interface CheckpointDocument {
  type: "trialbridge.audit-checkpoints";
  keys: PublicKey[];
  checkpoints: CheckpointView[];
}

/** Checkpoints with seq above `afterSeq`, oldest first, at most `limit`, with every public key that signed them. */
export async function listCheckpoints(db: Pick<Db, "auditCheckpoint">, afterSeq = 0n, limit = 1_000): Promise<CheckpointDocument> {
  const rows = await db.auditCheckpoint.findMany({ where: { seq: { gt: afterSeq } }, orderBy: { id: "asc" }, take: limit });
  return { type: "trialbridge.audit-checkpoints", keys: await publicKeys(), checkpoints: rows.map(view) };
}

const savedFile = z.looseObject({
  keys: z.array(z.looseObject({ kid: z.string(), jwk: z.looseObject({ kty: z.string(), crv: z.string(), x: z.string() }) })).min(1),
  checkpoints: z.array(z.looseObject({ jws: z.string().max(4_000) })).min(1),
});

/**
 * Reads a saved checkpoint document and verifies every signature with the keys saved in it (never with the keys the
 * deployment holds now: whoever rewrote history could have replaced those). Returns the verified claims.
 */
export async function claimsFromSavedFile(text: string): Promise<CheckpointClaim[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error("the file is not JSON (save the answer of GET /api/v1/audit/checkpoints)");
  }
  const parsed = savedFile.safeParse(raw);
  if (!parsed.success) throw new Error("the file is not a checkpoint document (it needs keys and checkpoints, as GET /api/v1/audit/checkpoints answers)");
  const keys = parsed.data.keys as unknown as PublicKey[];
  const claims: CheckpointClaim[] = [];
  for (const [index, c] of parsed.data.checkpoints.entries()) {
    let payload: unknown;
    try {
      ({ payload } = await verify(c.jws, keys));
    } catch (error) {
      throw new Error(`checkpoint ${index + 1} in the file: ${error instanceof Error ? error.message : "invalid"}`);
    }
    const claim = payloadSchema.safeParse(payload);
    if (!claim.success) throw new Error(`checkpoint ${index + 1} in the file is not an audit checkpoint`);
    claims.push({ seq: BigInt(claim.data.seq), hash: claim.data.hash, at: claim.data.at });
  }
  return claims;
}
