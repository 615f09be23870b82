// The counts a trial's views are built from: this node's kept counters (lib/enrolment/tally.ts), joined by the
// peer node's latest verified counts when this node is one of two (lib/federation). The peer's cells name trials,
// sites and cohorts by code; here they become counters keyed as the local ones are, so the dashboard, the live
// stream, the reports and the forecast treat both sides alike. Withheld cells (null) are left out of every sum and
// counted, never read as 0.
import type { Country } from "@/lib/db/generated/enums";
import type { Db, Tx } from "@/lib/db/prisma";
import { thisNode } from "@/lib/federation/node";
import { federationView, type FederationView } from "@/lib/federation/status";
import { keptTallies, type TallyRow } from "./tally";

type Reader = Pick<Db, "$queryRaw" | "federationPeer" | "peerCount" | "trial" | "site"> | Tx;

export interface JointTallies {
  tallies: TallyRow[];
  federation: FederationView | null;
}

export async function jointTallies(db: Reader, trialId: string, now = new Date()): Promise<JointTallies> {
  // A deployment serving both countries has no peer: its views read its own counters only.
  if (!thisNode()) return { tallies: await keptTallies(db, trialId), federation: null };
  // The peer's row and its cells are read in one snapshot: read apart, a snapshot applied between the two reads
  // showed the peer's new counts under its old state ("never seen" beside counts it had sent; the two-node test
  // caught it once in CI). A caller's transaction is used as it is.
  if ("$transaction" in db && typeof (db as Partial<Db>).$transaction === "function") {
    return (db as Db).$transaction((tx) => readJoint(tx, trialId, now), { isolationLevel: "RepeatableRead" });
  }
  return readJoint(db, trialId, now);
}

async function readJoint(db: Reader, trialId: string, now: Date): Promise<JointTallies> {
  const [local, peer] = await Promise.all([keptTallies(db, trialId), db.federationPeer.findFirst()]);
  if (!peer) return { tallies: local, federation: null };
  const trial = await db.trial.findUniqueOrThrow({ where: { id: trialId }, select: { code: true, cohorts: { select: { id: true, code: true } } } });
  const cells = await db.peerCount.findMany({ where: { origin: peer.origin, trial: trial.code } });
  const siteCodes = [...new Set(cells.flatMap((c) => (c.site ? [c.site] : [])))];
  const country: Country = peer.country;
  // Only the peer's own country's sites: a cell naming one of ours is ignored, never added to our counts.
  const sites = new Map((await db.site.findMany({ where: { code: { in: siteCodes }, country }, select: { id: true, code: true } })).map((s) => [s.code, s.id]));
  const cohorts = new Map(trial.cohorts.map((c) => [c.code, c.id]));
  const rows: TallyRow[] = [...local];
  let withheld = 0;
  for (const c of cells) {
    if (c.value === null) {
      withheld += 1;
      continue;
    }
    const row = asTally(c, country, sites, cohorts);
    if (row) rows.push({ ...row, value: c.value });
  }
  return { tallies: rows, federation: federationView(peer, withheld, now) };
}

function asTally(
  c: { site: string | null; cohort: string | null; subtype: string | null; metric: string; month: string | null },
  country: Country,
  sites: ReadonlyMap<string, string>,
  cohorts: ReadonlyMap<string, string>,
): Omit<TallyRow, "value"> | null {
  if (c.site && c.month) {
    const siteId = sites.get(c.site);
    return siteId && c.metric === "screened" ? { dimension: "siteMonth", key: `${siteId}:${c.month}`, metric: "screened" } : null;
  }
  if (c.site) {
    const siteId = sites.get(c.site);
    return siteId ? { dimension: "site", key: siteId, metric: c.metric } : null;
  }
  if (c.cohort) {
    const cohortId = cohorts.get(c.cohort);
    return cohortId ? { dimension: "cohort", key: `${cohortId}:${country}`, metric: "enrolled" } : null;
  }
  if (c.month) return { dimension: "month", key: `${c.month}:${country}`, metric: c.metric };
  if (c.metric === "tested") return { dimension: "tested", key: country, metric: "count" };
  if (c.subtype) return { dimension: "yield", key: `${country}:${c.subtype}`, metric: c.metric === "detected" ? "count" : "screenFailed" };
  return null;
}

/** The joint counters only. */
export async function trialTallies(db: Reader, trialId: string): Promise<TallyRow[]> {
  return (await jointTallies(db, trialId)).tallies;
}
