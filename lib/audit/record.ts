// The audit trail. Every change is recorded in the same transaction as the change itself, so if the audit row
// cannot be written the change does not happen. Rows are never updated or deleted (the database refuses), and each
// carries a SHA-256 over its content and the previous row's hash, so any later alteration breaks the chain
// (`npm run audit:verify`). Appends are serialised by a transaction-scoped advisory lock to keep the chain linear.
import { createHash } from "node:crypto";
import type { Tx } from "@/lib/db/prisma";

const AUDIT_CHAIN_LOCK = 7_264_001;

export interface AuditEntry {
  actorId: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  trialId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  ip?: string | null;
}

/** Canonical JSON: keys sorted, so the same content always hashes the same. */
export function canonical(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "object") {
    return `{${Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export interface HashedFields {
  id: bigint | string;
  at: Date;
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  trialId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  ip: string | null;
}

export function auditHash(row: HashedFields, prevHash: string | null): string {
  const content = canonical({
    id: String(row.id), at: row.at.toISOString(), actorId: row.actorId, action: row.action, entityType: row.entityType,
    entityId: row.entityId, trialId: row.trialId, before: row.before, after: row.after, reason: row.reason, ip: row.ip,
  });
  return createHash("sha256").update(`${prevHash ?? ""}\n${content}`).digest("hex");
}

const json = (value: unknown) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const last = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  const [next] = await tx.$queryRaw<{ id: bigint }[]>`SELECT nextval(pg_get_serial_sequence('"AuditEvent"', 'id')) AS id`;
  const id = next!.id;
  const row: HashedFields & { id: bigint } = {
    id, at: new Date(), actorId: entry.actorId, action: entry.action, entityType: entry.entityType,
    entityId: entry.entityId ?? null, trialId: entry.trialId ?? null, before: json(entry.before), after: json(entry.after),
    reason: entry.reason ?? null, ip: entry.ip ?? null,
  };
  const prevHash = last?.hash ?? null;
  const { before, after, ...rest } = row;
  await tx.auditEvent.create({
    data: {
      ...rest,
      ...(before !== null ? { before: before as object } : {}),
      ...(after !== null ? { after: after as object } : {}),
      prevHash,
      hash: auditHash(row, prevHash),
    },
  });
}
