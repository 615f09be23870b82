// The counts a trial's views are built from: this node's kept counters (lib/enrolment/tally.ts), joined by the
// peer node's latest verified counts when the trial is shared with one (lib/federation).
import type { Db, Tx } from "@/lib/db/prisma";
import { keptTallies, type TallyRow } from "./tally";

export async function trialTallies(db: Pick<Db, "$queryRaw"> | Tx, trialId: string): Promise<TallyRow[]> {
  return keptTallies(db, trialId);
}
