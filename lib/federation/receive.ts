// What this node does with its peer's snapshots, however they arrive (pushed to it, or fetched by its long-poll):
// verifies each (a paired or announced key, canonical bytes, strict schema, origin, age), keeps each as signed, and
// applies the peer's feed in order, each sequence number once. The peer's latest counts replace its previous ones
// (a snapshot is a full state, not a change), and every shared trial's live stream gets an event.
import { recordAudit } from "@/lib/audit/record";
import { fromDbDate, toDbDate } from "@/lib/dates/calendar";
import type { Country } from "@/lib/db/generated/enums";
import type { Db, Tx } from "@/lib/db/prisma";
import { appendEnrolmentEvent } from "@/lib/enrolment/events";
import { lockTrial } from "@/lib/enrolment/tally";
import { serverEnv } from "@/lib/env";
import { CHECKPOINT_TYPE } from "@/lib/audit/checkpoints";
import { verify, type PublicKey } from "@/lib/keys/node-keys";
import { applyDefinition, verifiedDefinition } from "./definition";
import { snapshotHash, SnapshotRefused, verifySnapshot, type AnnouncedKey, type Snapshot } from "./snapshot";

export interface Receipt {
  /** The highest sequence applied: the sender resends from the next one. */
  appliedSeq: number;
  /** Set while a gap is open: the first sequence number still missing. */
  missing: number | null;
}

export const asPublicKeys = (keys: unknown): PublicKey[] => (Array.isArray(keys) ? (keys as PublicKey[]) : []);

/** The peer's keys after a verified snapshot's announcement: new keys added, end dates as the origin now says. */
function learnKeys(known: PublicKey[], announced: readonly AnnouncedKey[]): PublicKey[] {
  const byKid = new Map(known.map((k) => [k.kid, k]));
  for (const a of announced) {
    const existing = byKid.get(a.kid);
    if (existing) byKid.set(a.kid, { ...existing, retiresAt: a.retiresAt ?? existing.retiresAt });
    else
      byKid.set(a.kid, {
        kid: a.kid,
        createdAt: new Date().toISOString(),
        retiresAt: a.retiresAt,
        jwk: { kty: "OKP", crv: "Ed25519", x: a.x, kid: a.kid, alg: "EdDSA" },
      });
  }
  return [...byKid.values()];
}

/** Records a refusal on the peer (its state becomes "rejected" until a good snapshot arrives) and rethrows it. */
async function refuse(db: Db, origin: string, error: SnapshotRefused): Promise<never> {
  await db.federationPeer.update({ where: { origin }, data: { rejectedAt: new Date(), rejection: `${error.reason}: ${error.message}`.slice(0, 500) } });
  console.error(`Refused a snapshot from ${origin}: ${error.reason}: ${error.message}`);
  throw error;
}

/**
 * Receives a delivery of the peer's snapshots, oldest first. The last one must be fresh; earlier ones are history
 * vouched for by the chain up to it. Throws SnapshotRefused (recorded on the peer) for anything it does not accept.
 */
export async function receiveSnapshots(db: Db, jwsList: readonly string[], now = new Date()): Promise<Receipt> {
  const env = serverEnv();
  const peer = await db.federationPeer.findFirst();
  if (!peer) throw new SnapshotRefused("wrong_origin", "this node is not paired with any peer");
  let keys = asPublicKeys(peer.keys);
  const ownCountry = peer.country === "US" ? "CN" : "US";
  const verified: { jws: string; snapshot: Snapshot }[] = [];
  for (const [i, jws] of jwsList.entries()) {
    try {
      const snapshot = await verifySnapshot(jws, {
        keys,
        origin: peer.origin,
        maxAgeSeconds: env.FEDERATION_MAX_AGE_SECONDS,
        now,
        history: i < jwsList.length - 1,
      });
      if (snapshot.country !== peer.country) throw new SnapshotRefused("wrong_origin", `counts of ${snapshot.country}, expected ${peer.country}`);
      keys = learnKeys(keys, snapshot.keys);
      verified.push({ jws, snapshot });
    } catch (error) {
      if (error instanceof SnapshotRefused) await refuse(db, peer.origin, error);
      throw error;
    }
  }

  const outcome = await db
    .$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM "FederationPeer" WHERE "origin" = ${peer.origin} FOR NO KEY UPDATE`;
        const state = await tx.federationPeer.findUniqueOrThrow({ where: { origin: peer.origin } });
        for (const v of verified) {
          if (v.snapshot.seq <= state.appliedSeq) continue;
          const stored = await tx.federationInbox.findUnique({ where: { origin_seq: { origin: peer.origin, seq: v.snapshot.seq } } });
          if (stored && stored.jws !== v.jws) throw new SnapshotRefused("broken_chain", `two different snapshots signed as ${v.snapshot.seq}`);
          if (!stored) await tx.federationInbox.create({ data: { origin: peer.origin, seq: v.snapshot.seq, jws: v.jws } });
        }
        // Apply from the inbox in order, as far as the sequence is contiguous.
        const waiting = await tx.federationInbox.findMany({ where: { origin: peer.origin, seq: { gt: state.appliedSeq } }, orderBy: { seq: "asc" } });
        let seq = state.appliedSeq;
        let hash = state.appliedHash;
        let latest: Snapshot | null = null;
        let counts: Snapshot | null = null;
        const checkpoints = new Set<string>();
        for (const row of waiting) {
          if (row.seq !== seq + 1) break;
          const known = verified.find((v) => v.snapshot.seq === row.seq)?.snapshot ?? (JSON.parse(payloadOf(row.jws)) as Snapshot);
          if (known.prev !== hash) throw new SnapshotRefused("broken_chain", `snapshot ${row.seq} does not follow snapshot ${seq}`);
          seq = row.seq;
          hash = snapshotHash(row.jws);
          latest = known;
          if (known.checkpoint) checkpoints.add(known.checkpoint);
          if (!known.unchanged && !known.paused) counts = known;
        }
        const missing = waiting.some((w) => w.seq > seq) ? seq + 1 : null;
        if (!latest) {
          await tx.federationPeer.update({ where: { origin: peer.origin }, data: { keys: keys as object[] } });
          return { receipt: { appliedSeq: seq, missing }, trials: [] as string[] };
        }
        if (counts) {
          // The owner's allocations, for the trials it owns: applied under each cohort's row lock, as enrolments read them.
          // The owner's definitions first (a trial, cohort or site new to this node is created), then facts and places.
          for (const t of counts.trials) {
            if (!t.definition) continue;
            const definition = await verifiedDefinition(t.definition, keys, peer.origin);
            if (definition && definition.trial === t.trial) await applyDefinition(tx, t.definition, definition, peer.country, ownCountry);
          }
          await applySiteFacts(tx, counts.trials, peer);
          await applyAllocations(tx, counts.trials, peer);
          await tx.peerCount.deleteMany({ where: { origin: peer.origin } });
          const rows = counts.trials.flatMap((t) => t.cells.map((c) => ({ origin: peer.origin, trial: t.trial, ...c })));
          for (let i = 0; i < rows.length; i += 5_000) await tx.peerCount.createMany({ data: rows.slice(i, i + 5_000) });
        }
        // The peer's audit checkpoints, kept as a witness copy once their signatures verify with its keys.
        for (const jws of checkpoints) {
          const claim = await checkpointClaim(jws, keys);
          if (claim) await tx.peerCheckpoint.upsert({ where: { jws }, update: {}, create: { origin: peer.origin, jws, ...claim } });
        }
        await tx.federationPeer.update({
          where: { origin: peer.origin },
          data: {
            keys: keys as object[],
            appliedSeq: seq,
            appliedHash: hash,
            lastAsOf: new Date(latest.asOf),
            lastReceivedAt: now,
            pausedByOrigin: latest.paused,
          },
        });
        const codes = await tx.peerCount.findMany({ where: { origin: peer.origin }, distinct: ["trial"], select: { trial: true } });
        const shared = await tx.trial.findMany({ where: { code: { in: codes.map((c) => c.trial) } }, select: { id: true } });
        return { receipt: { appliedSeq: seq, missing }, trials: shared.map((t) => t.id) };
      },
      { timeout: 60_000 },
    )
    .catch((error: unknown) => (error instanceof SnapshotRefused ? refuse(db, peer.origin, error) : Promise.reject(error)));
  // Each shared trial's live dashboards redraw (their events carry the joint counts); the peer's state changes (live,
  // paused) reach them with the next event or refetch.
  for (const trialId of outcome.trials)
    await db.$transaction(async (tx) => {
      await lockTrial(tx, trialId);
      await appendEnrolmentEvent(tx, trialId);
    });
  return outcome.receipt;
}

type Peer = { origin: string; country: Country };
const fromPeer = (peer: Peer) => `from the peer node ${peer.origin}`;

/**
 * The peer's own sites' operational facts (status, planned rate, activation), applied to this node's copy under each
 * trial-site row's lock, as registrations take it; never to a site of this node's country. A change is audited as
 * the system's, as an administrator's edit of it is.
 */
async function applySiteFacts(tx: Tx, trials: Snapshot["trials"], peer: Peer) {
  for (const t of trials) {
    for (const f of t.sites ?? []) {
      const [ts] = await tx.$queryRaw<{ id: string; trialId: string }[]>`
        SELECT ts."id", ts."trialId" FROM "TrialSite" ts JOIN "Trial" t ON t."id" = ts."trialId" JOIN "Site" s ON s."id" = ts."siteId"
         WHERE t."code" = ${t.trial} AND s."code" = ${f.site} AND s."country" = ${peer.country}::"Country" FOR NO KEY UPDATE OF ts`;
      if (!ts) continue;
      const current = await tx.trialSite.findUniqueOrThrow({ where: { id: ts.id } });
      const before = {
        status: current.status,
        plannedScreeningRate: current.plannedScreeningRate,
        activationDate: current.activationDate ? fromDbDate(current.activationDate) : null,
        plannedActivationDate: current.plannedActivationDate ? fromDbDate(current.plannedActivationDate) : null,
      };
      const after = { status: f.status, plannedScreeningRate: f.plannedRate, activationDate: f.activation, plannedActivationDate: f.plannedActivation };
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      await tx.trialSite.update({
        where: { id: ts.id },
        data: {
          ...after,
          activationDate: after.activationDate ? toDbDate(after.activationDate) : null,
          plannedActivationDate: after.plannedActivationDate ? toDbDate(after.plannedActivationDate) : null,
        },
      });
      await recordAudit(tx, {
        actorId: null,
        action: "trialSite.update",
        entityType: "TrialSite",
        entityId: ts.id,
        trialId: ts.trialId,
        before,
        after,
        reason: fromPeer(peer),
      });
    }
  }
}

/** The owner's places per country, for the trials it owns, under each cohort's row lock (as enrolments read them). */
async function applyAllocations(tx: Tx, trials: Snapshot["trials"], peer: Peer) {
  for (const t of trials) {
    if (!t.allocations) continue;
    const trial = await tx.trial.findFirst({ where: { code: t.trial, ownerCountry: peer.country }, select: { id: true } });
    if (!trial) continue;
    for (const a of t.allocations) {
      const [cohort] = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Cohort" WHERE "trialId" = ${trial.id} AND "code" = ${a.cohort} FOR NO KEY UPDATE`;
      if (!cohort) continue;
      const rows = await tx.cohortAllocation.findMany({ where: { cohortId: cohort.id } });
      const before = Object.fromEntries((["US", "CN"] as const).map((c) => [c, rows.find((r) => r.country === c)?.places ?? 0]));
      if (before.US === a.US && before.CN === a.CN && rows.length === 2) continue;
      for (const country of ["US", "CN"] as const)
        await tx.cohortAllocation.upsert({
          where: { cohortId_country: { cohortId: cohort.id, country } },
          update: { places: a[country] },
          create: { cohortId: cohort.id, country, places: a[country] },
        });
      await recordAudit(tx, {
        actorId: null,
        action: "cohort.allocation",
        entityType: "Cohort",
        entityId: cohort.id,
        trialId: trial.id,
        before,
        after: { US: a.US, CN: a.CN },
        reason: fromPeer(peer),
      });
    }
  }
}

/** An audit checkpoint of the peer, verified with its keys (null if it does not verify: it is then not kept). */
async function checkpointClaim(jws: string, keys: PublicKey[]) {
  try {
    const { payload } = await verify(jws, keys);
    const claim = payload as { typ?: unknown; seq?: unknown; hash?: unknown; at?: unknown };
    if (claim.typ !== CHECKPOINT_TYPE || typeof claim.seq !== "string" || typeof claim.hash !== "string" || typeof claim.at !== "string") return null;
    return { seq: BigInt(claim.seq), hash: claim.hash, at: new Date(claim.at) };
  } catch {
    return null;
  }
}

const payloadOf = (jws: string) => Buffer.from(jws.split(".")[1] ?? "", "base64url").toString("utf8");
