// The deployment's own Ed25519 signing keys, kept in a file outside the database (NODE_KEY_FILE, by default
// node-keys.json in the data folder, ./data), so that someone who can rewrite the database cannot also forge what the deployment signed.
// Created on first use; `npm run keys:rotate` adds a new current key and gives the old one an end date after an
// overlap period. Every process re-reads the file when it changes, so a rotation needs no restart. Several app
// instances on several machines share one key file (a mounted secret), as they share AUTH_SECRET.
//
// What is signed: compact JWS (alg EdDSA, kid = the key's RFC 7638 thumbprint) over RFC 8785 canonical JSON.
import fs from "node:fs";
import path from "node:path";
import canonicalize from "canonicalize";
import { calculateJwkThumbprint, compactVerify, CompactSign, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { z } from "zod";
import { dataDir } from "@/lib/data-dir";

const jwk = z.looseObject({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string().min(40).max(60) });
const storedKey = z.strictObject({
  kid: z.string().min(20).max(64),
  createdAt: z.iso.datetime(),
  /** After this instant the key signs nothing more and its signatures on new documents are refused. */
  retiresAt: z.iso.datetime().nullable(),
  privateJwk: jwk.extend({ d: z.string().min(40).max(60) }),
});
const keyFile = z.strictObject({ keys: z.array(storedKey).min(1) });

export type StoredKey = z.infer<typeof storedKey>;

/** A public key as published beside what it signed. */
export interface PublicKey {
  kid: string;
  createdAt: string;
  retiresAt: string | null;
  /** Ed25519 only: the JWK as published (and as the OpenAPI description's CheckpointDocument says). */
  jwk: JWK & { kty: "OKP"; crv: "Ed25519"; x: string; kid: string; alg: "EdDSA" };
}

export function keyFilePath(): string {
  return process.env.NODE_KEY_FILE ? path.resolve(process.env.NODE_KEY_FILE) : path.join(dataDir(), "node-keys.json");
}

async function newKey(): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const privateJwk = (await exportJWK(privateKey)) as StoredKey["privateJwk"];
  const kid = await calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x: privateJwk.x });
  return { kid, createdAt: new Date().toISOString(), retiresAt: null, privateJwk: { kty: "OKP", crv: "Ed25519", x: privateJwk.x, d: privateJwk.d } };
}

function writeAtomically(file: string, keys: StoredKey[], exclusive: boolean) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body = `${JSON.stringify({ keys }, null, 2)}\n`;
  if (exclusive) {
    fs.writeFileSync(file, body, { mode: 0o600, flag: "wx" }); // two processes starting at once: one wins
    return;
  }
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, body, { mode: 0o600 });
  fs.renameSync(temp, file);
}

let cache: { file: string; mtimeMs: number; size: number; keys: StoredKey[] } | undefined;

function readKeys(file: string): StoredKey[] | null {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return null;
  if (cache && cache.file === file && cache.mtimeMs === stat.mtimeMs && cache.size === stat.size) return cache.keys;
  const parsed = keyFile.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`The key file ${file} is not a TrialBridge key file: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  cache = { file, mtimeMs: stat.mtimeMs, size: stat.size, keys: parsed.data.keys };
  return parsed.data.keys;
}

/** The deployment's keys, newest last; the file is created with a first key when there is none. */
export async function nodeKeys(file = keyFilePath()): Promise<StoredKey[]> {
  const existing = readKeys(file);
  if (existing) return existing;
  try {
    writeAtomically(file, [await newKey()], true);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readKeys(file)!;
}

/** Whether a key still signs and verifies at `now` (no end date, or one still ahead). */
export const isLive = (key: { retiresAt: string | null }, now = Date.now()) => !key.retiresAt || Date.parse(key.retiresAt) > now;

/** The key that signs now: the newest one not retired. */
export async function currentKey(file = keyFilePath(), which: "newest" | "oldest" = "newest"): Promise<StoredKey> {
  const now = Date.now();
  const live = (await nodeKeys(file)).filter((k) => isLive(k, now));
  const key = which === "newest" ? live.at(-1) : live[0];
  if (!key) throw new Error(`Every key in ${file} has retired: run npm run keys:rotate.`);
  return key;
}

/** Adds a new current key; the previous current key keeps verifying (and, during the overlap, signing nothing new). */
export async function rotateKey(overlapSeconds: number, file = keyFilePath()): Promise<{ added: StoredKey; retiring: StoredKey[] }> {
  const keys = await nodeKeys(file);
  const retiresAt = new Date(Date.now() + overlapSeconds * 1000).toISOString();
  const retiring: StoredKey[] = [];
  const updated = keys.map((k) => {
    if (k.retiresAt) return k;
    const r = { ...k, retiresAt };
    retiring.push(r);
    return r;
  });
  const added = await newKey();
  writeAtomically(file, [...updated, added], false);
  return { added, retiring };
}

export function publicKey(key: StoredKey): PublicKey {
  return {
    kid: key.kid,
    createdAt: key.createdAt,
    retiresAt: key.retiresAt,
    jwk: { kty: "OKP", crv: "Ed25519", x: key.privateJwk.x, kid: key.kid, alg: "EdDSA" },
  };
}

export async function publicKeys(file = keyFilePath()): Promise<PublicKey[]> {
  return (await nodeKeys(file)).map(publicKey);
}

/** RFC 8785 canonical JSON. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error("Cannot canonicalise an undefined value");
  return text;
}

/** A compact JWS of the canonical JSON of `payload`, signed with the current key (or the oldest live one). */
export async function sign(payload: object, file = keyFilePath(), which: "newest" | "oldest" = "newest"): Promise<{ jws: string; kid: string }> {
  const key = await currentKey(file, which);
  const privateKey = await importJWK({ ...key.privateJwk, alg: "EdDSA" }, "EdDSA");
  const jws = await new CompactSign(new TextEncoder().encode(canonicalJson(payload))).setProtectedHeader({ alg: "EdDSA", kid: key.kid }).sign(privateKey);
  return { jws, kid: key.kid };
}

export class SignatureError extends Error {
  constructor(
    readonly reason: "malformed" | "unknown_key" | "bad_signature" | "not_canonical",
    message: string,
  ) {
    super(message);
    this.name = "SignatureError";
  }
}

/**
 * Verifies a compact JWS against a set of public keys (those saved by whoever relies on the signature, never those
 * the signer offers at the time) and returns its kid and JSON payload. The payload must be canonical JSON.
 */
export async function verify(jws: string, keys: readonly PublicKey[]): Promise<{ kid: string; payload: unknown }> {
  const [encodedHeader] = jws.split(".");
  let kid: unknown;
  try {
    const header = JSON.parse(Buffer.from(encodedHeader ?? "", "base64url").toString("utf8")) as { kid?: unknown; alg?: unknown };
    if (header.alg !== "EdDSA") throw new Error("alg");
    kid = header.kid;
  } catch {
    throw new SignatureError("malformed", "not a compact JWS signed with EdDSA");
  }
  const key = keys.find((k) => k.kid === kid);
  if (!key) throw new SignatureError("unknown_key", `signed with an unknown key (${String(kid).slice(0, 64)})`);
  let bytes: Uint8Array;
  try {
    ({ payload: bytes } = await compactVerify(jws, await importJWK({ ...key.jwk, alg: "EdDSA" }, "EdDSA"), { algorithms: ["EdDSA"] }));
  } catch {
    throw new SignatureError("bad_signature", `the signature does not verify with key ${key.kid}`);
  }
  const text = new TextDecoder().decode(bytes);
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new SignatureError("malformed", "the signed payload is not JSON");
  }
  if (canonicalJson(payload) !== text) throw new SignatureError("not_canonical", "the signed payload is not canonical JSON");
  return { kid: key.kid, payload };
}
