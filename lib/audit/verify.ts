// Checks the audit trail's hash chain from the first row to the last: each row must carry the previous row's hash
// and a hash of its own content. Returns the first row that breaks the chain, if any.
import type { Db } from "@/lib/db/prisma";
import { auditHash } from "./record";

export interface ChainBreak {
  id: string;
  at: string;
  problem: string;
}

export async function verifyAuditChain(db: Pick<Db, "auditEvent">, batch = 5_000): Promise<{ rows: number; broken: ChainBreak | null }> {
  let previous: string | null = null;
  let after = 0n;
  let rows = 0;
  for (;;) {
    const page = await db.auditEvent.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: batch });
    for (const row of page) {
      rows++;
      const where = { id: String(row.id), at: row.at.toISOString() };
      if (row.prevHash !== previous) return { rows, broken: { ...where, problem: "does not follow the row before it (prevHash differs): a row was removed, inserted or reordered" } };
      const expected = auditHash({ ...row, before: row.before ?? null, after: row.after ?? null }, row.prevHash);
      if (row.hash !== expected) return { rows, broken: { ...where, problem: "its content does not match its hash: the row was altered" } };
      previous = row.hash;
      after = row.id;
    }
    if (page.length < batch) return { rows, broken: null };
  }
}
