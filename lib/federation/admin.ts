// Administering this node's side of a partnership: its identity (to give the peer's administrator), pairing with the
// peer (its identity as received out of band), the export pause switch and the disclosure policy. Every change is
// audited; pairing, pause and policy are administrators' (or the command line's, as the system).
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { assertAdmin } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { isLive, publicKeys, type PublicKey } from "@/lib/keys/node-keys";
import { exportSettings } from "./export";
import { thisNode } from "./node";

export const IDENTITY_TYPE = "trialbridge.node";

const identitySchema = z.strictObject({
  type: z.literal(IDENTITY_TYPE),
  origin: z.string().regex(/^[a-z0-9-]{1,40}$/),
  country: z.enum(["US", "CN"]),
  keys: z
    .array(
      z.strictObject({
        kid: z.string().min(20).max(64),
        createdAt: z.string(),
        retiresAt: z.string().nullable(),
        jwk: z.looseObject({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string().min(40).max(60) }),
      }),
    )
    .min(1)
    .max(5),
});
export type NodeIdentityDocument = z.infer<typeof identitySchema>;

function federated() {
  const node = thisNode();
  if (!node) throw new AppError("invalid", msg("errors.invalid"), { node: [msg("errors.federation.notFederated")] });
  return node;
}

/** What the peer's administrator needs to pair with this node: its name, country and live public keys. */
export async function identityDocument(): Promise<NodeIdentityDocument> {
  const node = federated();
  const now = Date.now();
  const keys = (await publicKeys()).filter((k) => isLive(k, now));
  return identitySchema.parse({ type: IDENTITY_TYPE, ...node, keys });
}

export const pairInput = z.strictObject({
  identity: z.string().max(20_000),
  url: z
    .string()
    .trim()
    .max(300)
    .refine((v) => v === "" || /^https?:\/\/[^\s/]+(:\d+)?(\/[^\s]*)?$/.test(v), { error: msg("validation.url") })
    .optional(),
  connect: z.boolean().default(false),
});

/** Pairs this node with its peer (or updates the pairing of the same peer: its address, who connects, its keys). */
export async function pairPeer(actor: Actor | null, raw: unknown) {
  if (actor) await assertAdmin(actor, "federation.pair");
  const node = federated();
  const input = pairInput.safeParse(raw);
  if (!input.success) throw new AppError("invalid", msg("errors.invalid"), { identity: [msg("errors.federation.badIdentity")] });
  let parsed: NodeIdentityDocument;
  try {
    parsed = identitySchema.parse(JSON.parse(input.data.identity));
  } catch {
    throw new AppError("invalid", msg("errors.invalid"), { identity: [msg("errors.federation.badIdentity")] });
  }
  if (parsed.origin === node.origin || parsed.country === node.country)
    throw new AppError("invalid", msg("errors.invalid"), { identity: [msg("errors.federation.samePeer")] });
  const url = input.data.url ? input.data.url.replace(/\/+$/, "") : null;
  if (input.data.connect && !url) throw new AppError("invalid", msg("errors.invalid"), { url: [msg("validation.url")] });
  return db().$transaction(async (tx) => {
    const existing = await tx.federationPeer.findFirst();
    if (existing && existing.origin !== parsed.origin) throw new AppError("conflict", msg("errors.federation.samePeer"));
    const keys = parsed.keys as PublicKey[];
    const data = { country: parsed.country, url, connect: input.data.connect, keys: keys as object[] };
    const peer = existing
      ? await tx.federationPeer.update({ where: { origin: parsed.origin }, data })
      : await tx.federationPeer.create({ data: { origin: parsed.origin, ...data } });
    await exportSettings(tx);
    await recordAudit(tx, {
      actorId: actor?.id ?? null,
      action: "federation.pair",
      entityType: "FederationPeer",
      entityId: parsed.origin,
      before: existing ? { url: existing.url, connect: existing.connect } : null,
      after: { origin: parsed.origin, country: parsed.country, url, connect: input.data.connect, kids: keys.map((k) => k.kid) },
    });
    return peer;
  });
}

export const pauseInput = z.strictObject({
  paused: z.boolean(),
  reason: z
    .string()
    .trim()
    .min(3, { error: msg("errors.federation.pauseReason") })
    .max(500, { error: msg("errors.federation.pauseReason") }),
});

/** The export switch: paused, the peer is told once ("paused by origin") and nothing more leaves this node. */
export async function setExportPaused(actor: Actor | null, raw: unknown) {
  if (actor) await assertAdmin(actor, "federation.pause");
  federated();
  const input = pauseInput.safeParse(raw);
  if (!input.success) throw new AppError("invalid", msg("errors.invalid"), { reason: [msg("errors.federation.pauseReason")] });
  return db().$transaction(async (tx) => {
    const before = await exportSettings(tx);
    const after = await tx.federationSettings.update({
      where: { id: 1 },
      data: { paused: input.data.paused, pauseReason: input.data.paused ? input.data.reason : null, version: { increment: 1 } },
    });
    await recordAudit(tx, {
      actorId: actor?.id ?? null,
      action: input.data.paused ? "federation.pause" : "federation.resume",
      entityType: "FederationSettings",
      entityId: "1",
      before: { paused: before.paused },
      after: { paused: after.paused },
      reason: input.data.reason,
    });
    return after;
  });
}

export const policyInput = z.strictObject({
  policy: z.enum(["exact", "suppress", "round"]),
  minCell: z.coerce.number().int().min(2).max(100),
  shareYield: z.boolean(),
  reason: z.string().trim().min(3).max(500),
});

/** The disclosure policy of what leaves this node (the next snapshot applies it). */
export async function setExportPolicy(actor: Actor | null, raw: unknown) {
  if (actor) await assertAdmin(actor, "federation.policy");
  federated();
  const input = policyInput.safeParse(raw);
  if (!input.success) throw new AppError("invalid", msg("errors.invalid"), { policy: [msg("errors.invalid")] });
  const { reason, ...policy } = input.data;
  return db().$transaction(async (tx) => {
    const before = await exportSettings(tx);
    const after = await tx.federationSettings.update({ where: { id: 1 }, data: { ...policy, version: { increment: 1 } } });
    await recordAudit(tx, {
      actorId: actor?.id ?? null,
      action: "federation.policy",
      entityType: "FederationSettings",
      entityId: "1",
      before: { policy: before.policy, minCell: before.minCell, shareYield: before.shareYield },
      after: policy,
      reason,
    });
    return after;
  });
}

/** The egress log as evidence: every snapshot signed for the peer, one JSON object per line (administrators). */
export async function egressLog(actor: Actor): Promise<string> {
  await assertAdmin(actor, "federation.egress");
  const rows = await db().federationOutbox.findMany({ orderBy: { seq: "asc" } });
  return (
    rows.map((r) => JSON.stringify({ seq: r.seq, asOf: r.asOf.toISOString(), paused: r.paused, hash: r.hash, jws: r.jws })).join("\n") +
    (rows.length ? "\n" : "")
  );
}

/**
 * The peer's audit checkpoints this node witnessed, in the form `npm run audit:verify -- --checkpoint FILE` reads on
 * the peer (with the peer's keys as this node knows them): proof that the peer's trail still holds what it signed.
 */
export async function witnessDocument() {
  const peer = await db().federationPeer.findFirst();
  if (!peer) throw new AppError("not_found", msg("errors.federation.unpaired"));
  const rows = await db().peerCheckpoint.findMany({ where: { origin: peer.origin }, orderBy: { seq: "asc" } });
  return {
    type: "trialbridge.audit-checkpoints",
    witnessedBy: federated().origin,
    origin: peer.origin,
    keys: peer.keys,
    checkpoints: rows.map((r) => ({ seq: String(r.seq), hash: r.hash, at: r.at.toISOString(), jws: r.jws })),
  };
}
