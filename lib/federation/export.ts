// What this node tells its peer: a signed snapshot of its own sites' counts for every trial the two share, built from
// the kept counters (lib/enrolment/tally.ts) and written to the outbox in the transaction that signs it. The outbox
// is also the egress log: every snapshot ever signed, in sequence, never changed (a trigger refuses it).
//
// A new snapshot is signed when the content changed, and at least every FEDERATION_HEARTBEAT_SECONDS (an
// "unchanged" heartbeat carries no cells, so a quiet node costs little). While exports are paused one snapshot says
// so, and then nothing more is signed until they resume.
import { createHash } from "node:crypto";
import { fromDbDate } from "@/lib/dates/calendar";
import type { Country } from "@/lib/db/generated/enums";
import type { Db, Tx } from "@/lib/db/prisma";
import { METRICS as SITE_METRICS } from "@/lib/enrolment/summary";
import { keptTallies } from "@/lib/enrolment/tally";
import { serverEnv } from "@/lib/env";
import { canonicalJson, isLive, publicKeys } from "@/lib/keys/node-keys";
import { signedDefinition } from "./definition";
import { thisNode } from "./node";
import { signSnapshot, snapshotHash, SNAPSHOT_TYPE, SNAPSHOT_VERSION, type AnnouncedKey, type Cell, type Snapshot } from "./snapshot";
import { suppressTable } from "./suppress";

export interface ExportPolicy {
  kind: "exact" | "suppress" | "round";
  k: number;
  yieldShared: boolean;
}

export async function exportSettings(db: Pick<Db, "federationSettings"> | Tx) {
  const node = thisNode();
  return db.federationSettings.upsert({
    where: { id: 1 },
    update: {},
    // Subtype yield is genetic information on the Chinese side (../shared/domain/federation.md): off there by default.
    create: { id: 1, shareYield: node?.country !== "CN" },
  });
}

/** Trials shared with a peer of `peerCountry`: those with sites in both countries. */
async function sharedTrials(tx: Tx, own: Country, peerCountry: Country) {
  return tx.trial.findMany({
    where: { AND: [{ trialSites: { some: { site: { country: own } } } }, { trialSites: { some: { site: { country: peerCountry } } } }] },
    select: {
      id: true,
      code: true,
      ownerCountry: true,
      cohorts: { select: { id: true, code: true, allocations: { select: { country: true, places: true } } }, orderBy: { code: "asc" } },
      trialSites: {
        select: {
          siteId: true,
          status: true,
          plannedScreeningRate: true,
          activationDate: true,
          plannedActivationDate: true,
          site: { select: { code: true, country: true } },
        },
        orderBy: { site: { code: "asc" } },
      },
    },
    orderBy: { code: "asc" },
  });
}

/** The cells of one trial: this node's own country only, under the disclosure policy. */
export function trialCells(
  tallies: readonly { dimension: string; key: string; metric: string; value: number }[],
  sites: ReadonlyMap<string, { code: string; country: Country }>,
  cohorts: ReadonlyMap<string, string>,
  own: Country,
  policy: ExportPolicy,
): Cell[] {
  const bySite = new Map<string, Map<string, number>>();
  const byCohort = new Map<string, number>();
  const byMonth = new Map<string, Map<string, number>>();
  const bySiteMonth = new Map<string, Map<string, number>>();
  const bySubtype = new Map<string, Map<string, number>>();
  let tested = 0;
  const put = (m: Map<string, Map<string, number>>, row: string, col: string, v: number) => {
    const line = m.get(row) ?? new Map<string, number>();
    line.set(col, (line.get(col) ?? 0) + v);
    m.set(row, line);
  };
  for (const t of tallies) {
    if (t.dimension === "site") {
      const site = sites.get(t.key);
      if (site?.country === own && (SITE_METRICS as readonly string[]).includes(t.metric)) put(bySite, site.code, t.metric, t.value);
    } else if (t.dimension === "cohort") {
      const [cohortId, country] = splitLast(t.key);
      const code = cohorts.get(cohortId);
      if (code && country === own) byCohort.set(code, (byCohort.get(code) ?? 0) + t.value);
    } else if (t.dimension === "month") {
      const [month, country] = splitLast(t.key);
      if (country === own) put(byMonth, month, t.metric, t.value);
    } else if (t.dimension === "siteMonth") {
      const [siteId, month] = splitLast(t.key);
      const site = sites.get(siteId);
      if (site?.country === own) put(bySiteMonth, site.code, month, t.value);
    } else if (t.dimension === "tested" && t.key === own) {
      tested += t.value;
    } else if (t.dimension === "yield" && policy.yieldShared) {
      const [country, subtype] = splitFirst(t.key);
      if (country === own) put(bySubtype, subtype, t.metric === "count" ? "detected" : "detectedScreenFailed", t.value);
    }
  }

  const cells: Cell[] = [];
  const table = (rows: Map<string, Map<string, number>>, cols: readonly string[], cell: (row: string, col: string, value: number | null) => Cell) => {
    const keys = [...rows.keys()].sort();
    const values = keys.map((r) => cols.map((c) => rows.get(r)!.get(c) ?? 0));
    const shown = disclose(values, policy);
    keys.forEach((r, i) => cols.forEach((c, j) => cells.push(cell(r, c, shown[i]![j]!))));
  };
  table(bySite, SITE_METRICS, (site, metric, value) => ({ site, cohort: null, subtype: null, metric: metric as Cell["metric"], month: null, value }));
  table(new Map([...byCohort].map(([c, v]) => [c, new Map([["enrolled", v]])])), ["enrolled"], (cohort, _m, value) => ({
    site: null,
    cohort,
    subtype: null,
    metric: "enrolled",
    month: null,
    value,
  }));
  table(byMonth, ["screened", "enrolled"], (month, metric, value) => ({
    site: null,
    cohort: null,
    subtype: null,
    metric: metric as Cell["metric"],
    month,
    value,
  }));
  // Each site's screening by month (snapshot v2): how its rate moves, for the forecast's learning on both nodes.
  const months = [...new Set([...bySiteMonth.values()].flatMap((m) => [...m.keys()]))].sort();
  table(bySiteMonth, months, (site, month, value) => ({ site, cohort: null, subtype: null, metric: "screened", month, value }));
  if (policy.yieldShared) {
    table(new Map([["", new Map([["tested", tested]])]]), ["tested"], (_r, _c, value) => ({
      site: null,
      cohort: null,
      subtype: null,
      metric: "tested",
      month: null,
      value,
    }));
    table(bySubtype, ["detected", "detectedScreenFailed"], (subtype, metric, value) => ({
      site: null,
      cohort: null,
      subtype,
      metric: metric as Cell["metric"],
      month: null,
      value,
    }));
  }
  return cells;
}

function disclose(values: number[][], policy: ExportPolicy): (number | null)[][] {
  if (policy.kind === "suppress") return suppressTable(values, policy.k).cells;
  if (policy.kind === "round") return values.map((r) => r.map((v) => (v === 0 ? 0 : Math.ceil(v / policy.k) * policy.k)));
  return values;
}

const splitLast = (key: string): [string, string] => {
  const i = key.lastIndexOf(":");
  return [key.slice(0, i), key.slice(i + 1)];
};
const splitFirst = (key: string): [string, string] => {
  const i = key.indexOf(":");
  return [key.slice(0, i), key.slice(i + 1)];
};

/** What this process saw at its last look (a hint only: the digest decides what is signed). */
const lastLook = { mark: "" };

export interface Produced {
  seq: number;
  kind: "counts" | "heartbeat" | "paused";
}

/**
 * Signs the next snapshot into the outbox when one is due (one node instance at a time: the others skip). Returns what
 * it wrote, or null.
 */
export async function produceSnapshot(db: Db, now = new Date()): Promise<Produced | null> {
  const node = thisNode();
  if (!node) return null;
  const env = serverEnv();
  return db.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtext('federation:outbox')) AS ok`;
      if (!lock?.ok) return null;
      const peer = await tx.federationPeer.findFirst();
      if (!peer) return null;
      const settings = await exportSettings(tx);
      const last = await tx.federationOutbox.findFirst({ orderBy: { seq: "desc" } });
      // Nothing moved since the last look (no live event, no settings change) and no heartbeat due: nothing to build.
      const [moved] = await tx.$queryRaw<{ mark: string | null }[]>`
        SELECT (SELECT max("id")::text FROM "EnrolmentEvent") || ':' || (SELECT max("updatedAt")::text FROM "Trial") AS mark`;
      const live = (await publicKeys()).filter((k) => isLive(k, now.getTime()));
      const mark = `${moved?.mark ?? ""}:${settings.version}:${last?.seq ?? 0}:${live.map((k) => k.kid + k.retiresAt).join()}`;
      const heartbeatDue = !last || now.getTime() - last.asOf.getTime() >= env.FEDERATION_HEARTBEAT_SECONDS * 1000;
      if (!heartbeatDue && mark === lastLook.mark) return null;
      lastLook.mark = mark;
      if (settings.paused && last?.paused) return null; // paused: said once, then nothing more leaves
      const policy: ExportPolicy = { kind: settings.policy as ExportPolicy["kind"], k: settings.minCell, yieldShared: settings.shareYield };
      const keys: AnnouncedKey[] = live.slice(-5).map((k) => ({ kid: k.kid, x: String(k.jwk.x), retiresAt: k.retiresAt }));

      let trials: Snapshot["trials"] = [];
      if (!settings.paused) {
        for (const trial of await sharedTrials(tx, node.country, peer.country)) {
          const sites = new Map(trial.trialSites.map((ts) => [ts.siteId, ts.site]));
          const cohorts = new Map(trial.cohorts.map((c) => [c.id, c.code]));
          const cells = trialCells(await keptTallies(tx, trial.id), sites, cohorts, node.country, policy);
          const place = (c: (typeof trial.cohorts)[number], country: Country) => c.allocations.find((a) => a.country === country)?.places ?? 0;
          const allocations = trial.cohorts.map((c) => ({ cohort: c.code, US: place(c, "US"), CN: place(c, "CN") }));
          const ownSites = trial.trialSites
            .filter((ts) => ts.site.country === node.country)
            .map((ts) => ({
              site: ts.site.code,
              status: ts.status,
              plannedRate: ts.plannedScreeningRate,
              activation: ts.activationDate ? fromDbDate(ts.activationDate) : null,
              plannedActivation: ts.plannedActivationDate ? fromDbDate(ts.plannedActivationDate) : null,
            }));
          const owned = trial.ownerCountry === node.country;
          const definition = owned ? await signedDefinition(tx, trial.id, node.origin) : null;
          trials.push({ trial: trial.code, cells, sites: ownSites, ...(owned ? { allocations, ...(definition ? { definition } : {}) } : {}) });
        }
      }
      const checkpoint = settings.paused ? null : ((await tx.auditCheckpoint.findFirst({ orderBy: { id: "desc" }, select: { jws: true } }))?.jws ?? null);
      const content = { paused: settings.paused, policy, keys, checkpoint, trials };
      const digest = createHash("sha256").update(canonicalJson(content)).digest("hex");
      const unchanged = !!last && !last.paused && !settings.paused && last.digest === digest;
      if (unchanged && now.getTime() - last.asOf.getTime() < env.FEDERATION_HEARTBEAT_SECONDS * 1000) return null;
      if (unchanged) trials = []; // a heartbeat: the peer keeps the counts it has

      const seq = (last?.seq ?? 0) + 1;
      const { jws } = await signSnapshot({
        typ: SNAPSHOT_TYPE,
        v: SNAPSHOT_VERSION,
        origin: node.origin,
        country: node.country,
        seq,
        prev: last?.hash ?? null,
        asOf: now.toISOString(),
        paused: settings.paused,
        unchanged,
        policy,
        keys,
        checkpoint,
        trials,
      });
      await tx.federationOutbox.create({ data: { seq, jws, hash: snapshotHash(jws), digest, paused: settings.paused, asOf: now } });
      return { seq, kind: settings.paused ? "paused" : unchanged ? "heartbeat" : "counts" };
    },
    { timeout: 30_000 },
  );
}
