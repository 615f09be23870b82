// Idempotency keys for create requests. Inside the create's transaction, the key is claimed first
// (INSERT ... ON CONFLICT DO NOTHING): a second request with the same key waits on the unique index until the first
// commits, then replays the stored response (same body) or is refused (different body). If the first rolls back,
// its claim goes with it and the second proceeds as new.
import { createHash } from "node:crypto";
import { canonical } from "@/lib/audit/record";
import type { Tx } from "@/lib/db/prisma";
import { AppError } from "./errors";

export interface IdempotencyClaim {
  actorId: string;
  scope: string;
  key: string;
  body: unknown;
}

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestHash(body: unknown): string {
  return createHash("sha256").update(canonical(body)).digest("hex");
}

export async function idempotent<T>(
  tx: Tx,
  claim: IdempotencyClaim,
  create: () => Promise<{ status: number; body: T }>,
): Promise<{ status: number; body: T; replayed: boolean }> {
  const hash = requestHash(claim.body);
  const claimed = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "IdempotencyKey" ("id", "actorId", "scope", "key", "requestHash")
    VALUES (gen_random_uuid()::text, ${claim.actorId}, ${claim.scope}, ${claim.key}, ${hash})
    ON CONFLICT ("actorId", "scope", "key") DO NOTHING
    RETURNING "id"`;
  if (claimed.length === 0) {
    const previous = await tx.idempotencyKey.findUniqueOrThrow({
      where: { actorId_scope_key: { actorId: claim.actorId, scope: claim.scope, key: claim.key } },
    });
    if (previous.requestHash !== hash) {
      throw new AppError("invalid", "This Idempotency-Key was already used with a different request. Use a new key for a new request.");
    }
    return { status: previous.status ?? 200, body: previous.response as T, replayed: true };
  }
  const result = await create();
  await tx.idempotencyKey.update({ where: { id: claimed[0]!.id }, data: { status: result.status, response: result.body as object } });
  return { ...result, replayed: false };
}
