// The audit trail. Every change is recorded in the same transaction as the change itself, so if the audit row
// cannot be written the change does not happen. Rows are never deleted and their content never changes (the database
// refuses). Writing takes no lock: the sealer (./seal.ts) chains each committed row just after commit, in the order
// it sees them, giving it a seq and a SHA-256 over its content and the previous row's hash, so any later alteration
// breaks the chain (`npm run audit:verify`), and signed checkpoints of the chain's head prove that nobody rewrote the
// whole chain (./checkpoints.ts). See docs/decisions/009-audit-without-a-global-lock.md.
import { createHash } from "node:crypto";
import { Prisma } from "@/lib/db/generated/client";
import type { Tx } from "@/lib/db/prisma";

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
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
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
    id: String(row.id),
    at: row.at.toISOString(),
    actorId: row.actorId,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    trialId: row.trialId,
    before: row.before,
    after: row.after,
    reason: row.reason,
    ip: row.ip,
  });
  return createHash("sha256")
    .update(`${prevHash ?? ""}\n${content}`)
    .digest("hex");
}

const json = (value: unknown) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

function rowData(entry: AuditEntry, at: Date) {
  const before = json(entry.before);
  const after = json(entry.after);
  return {
    at,
    actorId: entry.actorId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    trialId: entry.trialId ?? null,
    reason: entry.reason ?? null,
    ip: entry.ip ?? null,
    ...(before !== null ? { before: before as object } : {}),
    ...(after !== null ? { after: after as object } : {}),
  };
}

/** Records one audit row in the caller's transaction. */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({ data: rowData(entry, new Date()) });
}

/** The statement that inserts many audit rows at once, for a caller to run or to put in a statement of its own. */
export function auditRowsInsert(entries: readonly AuditEntry[]): Prisma.Sql {
  const at = new Date();
  const col = <T>(f: (e: AuditEntry) => T) => entries.map(f);
  const jsonText = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  return Prisma.sql`
    INSERT INTO "AuditEvent" ("at", "actorId", "action", "entityType", "entityId", "trialId", "before", "after", "reason", "ip")
    SELECT ${at}, t.actor, t.action, t.type, t.entity, t.trial, t.before::jsonb, t.after::jsonb, t.reason, t.ip
      FROM unnest(${col((e) => e.actorId)}::text[], ${col((e) => e.action)}::text[], ${col((e) => e.entityType)}::text[], ${col((e) => e.entityId ?? null)}::text[],
                  ${col((e) => e.trialId ?? null)}::text[], ${col((e) => jsonText(e.before))}::text[], ${col((e) => jsonText(e.after))}::text[],
                  ${col((e) => e.reason ?? null)}::text[], ${col((e) => e.ip ?? null)}::text[])
           AS t(actor, action, type, entity, trial, before, after, reason, ip)`;
}
