// Groundwork for two deployments of one trial (issue 14): the signed count snapshot one node sends its peer, and the
// rules its peer applies on receipt. Pure: no database, no network (the outbox, the relay and the dashboards that
// combine both sides are still to come; docs/decisions/013-federated-count-snapshots.md).
//
// A snapshot says, in a closed vocabulary only (codes, YYYY-MM months, whole numbers; no patient id, no date finer
// than a month, no free text), what one node's own sites have counted: per trial, site, cohort, metric and month.
// It is strict at every level: a field the schema does not name makes building it fail (so a patient-level field
// added to the exporter stops the export) and makes receiving it fail. Each snapshot carries its origin, a contiguous
// sequence number, the hash of the previous snapshot and its as-of time, and is signed (compact JWS, EdDSA, over
// RFC 8785 canonical JSON) with the node's key (lib/keys/node-keys.ts).
import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalJson, isLive, sign, SignatureError, verify, type PublicKey } from "@/lib/keys/node-keys";

export const SNAPSHOT_TYPE = "trialbridge.counts";
/**
 * 2: cells may name a site and a month together (that site's screened in that month). A node of version 1 refuses a
 * version 2 snapshot (its peer then shows as not heard from, never with misread counts: v1 would have added such a
 * cell to the site's total); this one reads both.
 */
export const SNAPSHOT_VERSION = 2;
/** Status metrics per site (and enrolled per cohort and per month), then tested and detected per subtype (yield). */
export const METRICS = [
  "screened",
  "eligible",
  "screenFailed",
  "consented",
  "enrolled",
  "withdrawn",
  "completed",
  "tested",
  "detected",
  "detectedScreenFailed",
] as const;
export type CellMetric = (typeof METRICS)[number];

const code = z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,31}$/);
/** A site's calendar date (activation): an operational fact of the site, not of any patient. */
const isoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);

const cell = z.strictObject({
  /** null: the country's cells not kept by site (per cohort, per month, yield); with a month: that site's screened then. */
  site: code.nullable(),
  /** null: not by cohort. */
  cohort: code.nullable(),
  /** A subtype's key from the shared vocabulary (yield cells only). */
  subtype: z
    .string()
    .regex(/^[A-Za-z0-9]{1,12}:[A-Za-z0-9._-]{1,24}$/)
    .nullable(),
  metric: z.enum(METRICS),
  /** null: since the start; else the site's calendar month. */
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .nullable(),
  /** null: withheld by the origin's disclosure policy (never to be shown or summed as 0). */
  value: z.number().int().min(0).max(10_000_000).nullable(),
});
export type Cell = z.infer<typeof cell>;

/** A public signing key of the origin, announced in its signed snapshots so that a rotation reaches the peer. */
const announcedKey = z.strictObject({
  kid: z.string().regex(/^[A-Za-z0-9_-]{20,64}$/),
  x: z.string().regex(/^[A-Za-z0-9_-]{40,60}$/),
  retiresAt: z.iso.datetime().nullable(),
});
export type AnnouncedKey = z.infer<typeof announcedKey>;

export const snapshotSchema = z
  .strictObject({
    typ: z.literal(SNAPSHOT_TYPE),
    v: z.union([z.literal(1), z.literal(2)]),
    origin: z.string().regex(/^[a-z0-9-]{1,40}$/),
    /** The origin's home country: the only country whose sites its cells count. */
    country: z.enum(["US", "CN"]),
    seq: z.number().int().min(1),
    /** Hash of the previous snapshot's signed bytes (null for seq 1). */
    prev: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    asOf: z.iso.datetime(),
    /** The origin stopped exporting (its administrators' pause): the peer shows "paused by origin". No cells. */
    paused: z.boolean(),
    /** A heartbeat: the counts are those of the previous snapshot (no cells). */
    unchanged: z.boolean(),
    /** How the origin disclosed small counts: exact, suppressed (null cells), or rounded up to a multiple of k. */
    policy: z.strictObject({ kind: z.enum(["exact", "suppress", "round"]), k: z.number().int().min(2).max(100), yieldShared: z.boolean() }),
    keys: z.array(announcedKey).min(1).max(5),
    /** The origin's latest signed audit checkpoint (compact JWS), which the peer keeps as a witness copy. */
    checkpoint: z
      .string()
      .max(4_000)
      .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
      .nullable(),
    trials: z
      .array(
        z.strictObject({
          trial: code,
          cells: z.array(cell).max(200_000),
          /** The operational facts of the origin's own sites in the trial, which the peer applies (nobody edits the other side's). */
          sites: z
            .array(
              z.strictObject({
                site: code,
                status: z.enum(["PLANNED", "ACTIVE", "CLOSED"]),
                plannedRate: z.number().min(0).max(1_000),
                activation: isoDate.nullable(),
                plannedActivation: isoDate.nullable(),
              }),
            )
            .max(2_000)
            .optional(),
          /** From the trial's owner node only: its signed definition (lib/federation/definition.ts), which the peer applies. */
          definition: z
            .string()
            .max(1_000_000)
            .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
            .optional(),
          /** From the trial's owner node only: each cohort's places per country, which the peer applies. */
          allocations: z
            .array(z.strictObject({ cohort: code, US: z.number().int().min(0).max(10_000), CN: z.number().int().min(0).max(10_000) }))
            .max(500)
            .optional(),
        }),
      )
      .max(500),
  })
  .refine((s) => !(s.paused || s.unchanged) || s.trials.length === 0, { error: "a pause or a heartbeat carries no cells" });

export type Snapshot = z.infer<typeof snapshotSchema>;

export class SnapshotRefused extends Error {
  constructor(
    readonly reason: "bad_signature" | "unknown_key" | "not_canonical" | "schema" | "too_old" | "wrong_origin" | "broken_chain",
    message: string,
  ) {
    super(message);
    this.name = "SnapshotRefused";
  }
}

/** The hash a snapshot's successor names as `prev`: SHA-256 of its compact JWS. */
export const snapshotHash = (jws: string) => createHash("sha256").update(jws).digest("hex");

/** Checks a snapshot against the strict schema before it leaves (fails closed) and signs it. */
export async function signSnapshot(snapshot: unknown, keyFile?: string): Promise<{ jws: string; snapshot: Snapshot }> {
  const parsed = snapshotSchema.safeParse(snapshot);
  if (!parsed.success)
    throw new SnapshotRefused("schema", `refusing to send: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  // The oldest live key signs: during a rotation's overlap the peer still knows it, and learns the successor from
  // the snapshot's announced keys; once it retires, the successor signs.
  const { jws } = await sign(parsed.data, keyFile, "oldest");
  return { jws, snapshot: parsed.data };
}

export interface VerifyOptions {
  /** The peer's public keys as paired (never the keys a message offers), with each key's end of life. */
  keys: readonly PublicKey[];
  origin: string;
  maxAgeSeconds: number;
  now?: Date;
  /** History delivered before a fresh snapshot of the same chain: its age is not checked (the chain vouches). */
  history?: boolean;
}

/**
 * Verifies a received snapshot: signature by a paired key that was live when the snapshot says it was made,
 * canonical bytes, strict schema, origin and age. A snapshot signed during a rotation's overlap stays good when it
 * arrives, or comes again, after the old key retired (a slow link, a redelivery that was not yet acknowledged: the
 * two-node test caught one under load); one claiming a time after its key retired is refused as an unknown key. A
 * fresh snapshot must also be younger than the maximum age, so a retired key signs nothing new for longer than that.
 */
export async function verifySnapshot(jws: string, options: VerifyOptions): Promise<Snapshot> {
  const now = options.now ?? new Date();
  const earliest = now.getTime() - options.maxAgeSeconds * 1000;
  const candidates = options.keys.filter((k) => options.history || isLive(k, earliest));
  let payload: unknown;
  let kid: string;
  try {
    ({ payload, kid } = await verify(jws, candidates));
  } catch (error) {
    if (error instanceof SignatureError) {
      const reason = error.reason === "unknown_key" ? "unknown_key" : error.reason === "not_canonical" ? "not_canonical" : "bad_signature";
      throw new SnapshotRefused(reason, error.message);
    }
    throw error;
  }
  const parsed = snapshotSchema.safeParse(payload);
  if (!parsed.success) throw new SnapshotRefused("schema", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const snapshot = parsed.data;
  const signer = candidates.find((k) => k.kid === kid)!;
  if (!isLive(signer, Date.parse(snapshot.asOf))) {
    throw new SnapshotRefused("unknown_key", `signed with key ${kid}, which retired at ${signer.retiresAt}, before the snapshot's time ${snapshot.asOf}`);
  }
  if (snapshot.origin !== options.origin) throw new SnapshotRefused("wrong_origin", `from ${snapshot.origin}, expected ${options.origin}`);
  const age = (now.getTime() - Date.parse(snapshot.asOf)) / 1000;
  if (age > options.maxAgeSeconds && !options.history) throw new SnapshotRefused("too_old", `as of ${snapshot.asOf}, older than ${options.maxAgeSeconds} s`);
  return snapshot;
}

/** What a receiver keeps of a peer's feed: the last applied snapshot, and verified ones waiting for a gap to fill. */
export interface FeedState {
  seq: number;
  hash: string | null;
  latest: Snapshot | null;
  waiting: Record<number, { jws: string; snapshot: Snapshot }>;
}

export const emptyFeed = (): FeedState => ({ seq: 0, hash: null, latest: null, waiting: {} });

/**
 * Applies a verified snapshot to a feed: each sequence number once (a redelivery changes nothing), in order (one that
 * comes early waits for the missing ones), each naming its predecessor's hash (or the chain is broken and refused).
 * Returns the new state and the sequence numbers applied now (with `missing` set while a gap is open).
 */
export function applySnapshot(state: FeedState, jws: string, snapshot: Snapshot): { state: FeedState; applied: number[]; missing: number | null } {
  if (snapshot.seq <= state.seq || state.waiting[snapshot.seq]) return { state, applied: [], missing: firstMissing(state) };
  const next: FeedState = { ...state, waiting: { ...state.waiting, [snapshot.seq]: { jws, snapshot } } };
  const applied: number[] = [];
  for (;;) {
    const candidate = next.waiting[next.seq + 1];
    if (!candidate) break;
    if (candidate.snapshot.prev !== next.hash) {
      throw new SnapshotRefused("broken_chain", `snapshot ${candidate.snapshot.seq} does not follow snapshot ${next.seq}`);
    }
    delete next.waiting[next.seq + 1];
    next.seq = candidate.snapshot.seq;
    next.hash = snapshotHash(candidate.jws);
    next.latest = candidate.snapshot;
    applied.push(candidate.snapshot.seq);
  }
  return { state: next, applied, missing: firstMissing(next) };
}

function firstMissing(state: FeedState): number | null {
  return Object.keys(state.waiting).length ? state.seq + 1 : null;
}

/** The canonical text of a snapshot (what is signed), for the egress log and for byte scans in tests. */
export const snapshotText = (snapshot: Snapshot) => canonicalJson(snapshot);
