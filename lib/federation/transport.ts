// How snapshots travel between the two nodes. One side connects (FederationPeer.connect, the Chinese node by default:
// it needs no inbound port): it pushes its outbox to the peer (POST /api/federation/v1/snapshots, the response says
// how far the peer has applied) and long-polls the peer for the peer's outbox (GET ... ?after=N, authenticated by a
// short-lived request signed with its node key). The other side only answers. Either side may restart at any time:
// the outbox and the applied sequence numbers are in each database, so the link resumes where it left off.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db/prisma";
import { serverEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { isLive, sign, SignatureError, verify } from "@/lib/keys/node-keys";
import { thisNode } from "./node";
import { asPublicKeys, receiveSnapshots } from "./receive";
import { SnapshotRefused } from "./snapshot";

export const SNAPSHOTS_PATH = "/api/federation/v1/snapshots";
const BATCH = 50;
const POLL_TOKEN_TYPE = "trialbridge.poll";

/** A push: the peer's snapshots, oldest first. */
export const pushBody = z.strictObject({ snapshots: z.array(z.string().min(1).max(20_000_000)).min(1).max(BATCH) });
/** A poll: this node's snapshots after `after` (the last one the peer applied), waiting up to `wait` seconds. */
export const pollQuery = z.strictObject({
  after: z.coerce.number().int().min(0).max(2_000_000_000),
  wait: z.coerce.number().int().min(0).max(60).default(0),
});

const pollClaims = z.strictObject({
  typ: z.literal(POLL_TOKEN_TYPE),
  iss: z.string(),
  aud: z.string(),
  after: z.number().int().min(0),
  exp: z.number().int(),
  jti: z.string().max(64),
});

/** A request to read the peer's outbox after `after`, signed with this node's key, valid for a minute. */
export async function pollToken(peerOrigin: string, after: number): Promise<string> {
  const node = thisNode()!;
  const claims = { typ: POLL_TOKEN_TYPE, iss: node.origin, aud: peerOrigin, after, exp: Math.floor(Date.now() / 1000) + 60, jti: randomUUID() };
  return (await sign(claims, undefined, "oldest")).jws;
}

/** The paired peer behind a signed poll request, and how far it has applied this node's feed; else a 401. */
export async function verifyPollRequest(db: Db, authorization: string | null, after: number) {
  const token = /^TrialBridge-Node\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  const node = thisNode();
  const peer = node ? await db.federationPeer.findFirst() : null;
  if (!token || !node || !peer) throw new AppError("unauthenticated", msg("errors.federation.unpaired"));
  try {
    const { payload } = await verify(
      token,
      asPublicKeys(peer.keys).filter((k) => isLive(k)),
    );
    const claims = pollClaims.parse(payload);
    if (claims.iss !== peer.origin || claims.aud !== node.origin || claims.after !== after || claims.exp * 1000 < Date.now()) throw new Error("claims");
  } catch (error) {
    if (error instanceof SignatureError || error instanceof Error) throw new AppError("unauthenticated", msg("errors.federation.badSignature"));
    throw error;
  }
  return peer;
}

/** This node's snapshots after `after`, waiting up to `waitSeconds` for one to be signed (a long poll). */
export async function outboxAfter(db: Db, after: number, waitSeconds: number, signal?: AbortSignal): Promise<string[]> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const rows = await db.federationOutbox.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" }, take: BATCH, select: { jws: true } });
    if (rows.length || Date.now() >= deadline || signal?.aborted) return rows.map((r) => r.jws);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The peer has applied this node's feed up to `seq` (its poll says so, or its answer to a push). */
export async function acknowledge(db: Db, origin: string, seq: number) {
  await db.federationPeer.update({ where: { origin }, data: { ackedSeq: seq } });
}

export async function receivePush(db: Db, jwsList: readonly string[]) {
  try {
    return await receiveSnapshots(db, jwsList);
  } catch (error) {
    if (error instanceof SnapshotRefused) {
      throw new AppError("invalid", msg("errors.federation.refused", { reason: error.reason }), {
        snapshots: [msg("errors.federation.refused", { reason: error.reason })],
      });
    }
    throw error;
  }
}

const instance = randomUUID();

/** Takes (or keeps) the relay's lease: one instance of a node relays at a time; another takes over if it dies. */
async function holdLease(db: Db, origin: string): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE "FederationPeer" SET "relayHolder" = ${instance}, "relayUntil" = now() + interval '15 seconds'
     WHERE "origin" = ${origin} AND "connect" AND "url" IS NOT NULL
       AND ("relayHolder" = ${instance} OR "relayUntil" IS NULL OR "relayUntil" < now())`;
  return n === 1;
}

async function fetchJson(url: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const body: unknown = await response.json().catch(() => null);
  return { status: response.status, body };
}

export const pushAnswer = z.object({ appliedSeq: z.number().int().min(0), missing: z.number().int().nullable() });
export const pollAnswer = z.object({ snapshots: z.array(z.string()).max(BATCH) });

/** One push pass: sends what the peer has not acknowledged, in order. Returns whether there was anything to send. */
export async function pushOnce(db: Db): Promise<boolean> {
  const peer = await db.federationPeer.findFirst();
  if (!peer?.connect || !peer.url) return false;
  const rows = await db.federationOutbox.findMany({ where: { seq: { gt: peer.ackedSeq } }, orderBy: { seq: "asc" }, take: BATCH, select: { jws: true } });
  if (!rows.length) return false;
  const { status, body } = await fetchJson(
    `${peer.url}${SNAPSHOTS_PATH}`,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ snapshots: rows.map((r) => r.jws) }) },
    30_000,
  );
  const answer = pushAnswer.safeParse(body);
  if (status !== 200 || !answer.success) throw new Error(`the peer answered ${status} to a push: ${JSON.stringify(body).slice(0, 300)}`);
  await acknowledge(db, peer.origin, answer.data.appliedSeq);
  return true;
}

/** One long-poll pass: fetches the peer's snapshots after the last one applied here, and applies them. */
export async function pollOnce(db: Db): Promise<number> {
  const peer = await db.federationPeer.findFirst();
  if (!peer?.connect || !peer.url) return 0;
  const wait = serverEnv().FEDERATION_POLL_SECONDS;
  const after = peer.appliedSeq;
  const { status, body } = await fetchJson(
    `${peer.url}${SNAPSHOTS_PATH}?after=${after}&wait=${wait}`,
    { headers: { authorization: `TrialBridge-Node ${await pollToken(peer.origin, after)}` } },
    (wait + 15) * 1000,
  );
  const answer = pollAnswer.safeParse(body);
  if (status !== 200 || !answer.success) throw new Error(`the peer answered ${status} to a poll: ${JSON.stringify(body).slice(0, 300)}`);
  if (answer.data.snapshots.length) await receiveSnapshots(db, answer.data.snapshots);
  return answer.data.snapshots.length;
}

/**
 * The connecting side's two loops (push, long-poll), while this instance holds the relay's lease. Failures back off
 * from one to ten seconds and are said once per outage.
 */
export function startRelay(db: Db) {
  const loop = (name: string, pass: () => Promise<unknown>, idleMs: number) => {
    let backoff = 1_000;
    let failing = false;
    const run = async () => {
      let next = 2_000; // not the relaying instance (or not paired): look again in a while
      try {
        const peer = await db.federationPeer.findFirst({ select: { origin: true } });
        if (peer && (await holdLease(db, peer.origin))) next = (await pass()) ? 0 : idleMs;
        backoff = 1_000;
        if (failing) console.log(`Federation ${name}: the link is back.`);
        failing = false;
      } catch (error) {
        if (!failing) console.error(`Federation ${name} failed (retrying): ${error instanceof Error ? error.message.split("\n")[0] : "unknown error"}`);
        failing = true;
        next = backoff;
        backoff = Math.min(backoff * 2, 10_000);
      }
      setTimeout(() => void run(), next).unref();
    };
    setTimeout(() => void run(), 500).unref();
  };
  loop("push", () => pushOnce(db), 200);
  loop("poll", () => pollOnce(db), 100); // each pass itself waits up to FEDERATION_POLL_SECONDS
}
