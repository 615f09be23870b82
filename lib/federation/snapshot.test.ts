import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { publicKeys, rotateKey, sign } from "@/lib/keys/node-keys";
import { applySnapshot, emptyFeed, signSnapshot, snapshotHash, SnapshotRefused, verifySnapshot, type FeedState, type Snapshot } from "./snapshot";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-fed-"));
const cnKeys = path.join(dir, "cn.json");
const otherKeys = path.join(dir, "other.json");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const snapshot = (seq: number, prev: string | null, extra: Partial<Snapshot> = {}): Snapshot => ({
  typ: "trialbridge.counts",
  v: 1,
  origin: "cn-node",
  country: "CN",
  seq,
  prev,
  asOf: new Date().toISOString(),
  paused: false,
  unchanged: false,
  policy: { kind: "exact", k: 5, yieldShared: false },
  keys: [{ kid: "k".repeat(43), x: "x".repeat(43), retiresAt: null }],
  checkpoint: null,
  trials: [{ trial: "TB-201", cells: [{ site: "CN-GZ1", cohort: null, subtype: null, metric: "screened", month: "2026-11", value: 10 + seq }] }],
  ...extra,
});

async function chain(n: number) {
  const out: { jws: string; snapshot: Snapshot }[] = [];
  let prev: string | null = null;
  for (let seq = 1; seq <= n; seq++) {
    const signed = await signSnapshot(snapshot(seq, prev), cnKeys);
    out.push(signed);
    prev = snapshotHash(signed.jws);
  }
  return out;
}

const refusal = async (promise: Promise<unknown>) =>
  (
    (await promise.then(
      () => null,
      (e: unknown) => e,
    )) as SnapshotRefused | null
  )?.reason;

describe("signed count snapshots between two nodes", () => {
  it("verify with the paired key; a flipped byte, an unknown key or an over-age snapshot is refused", async () => {
    const [first] = await chain(1);
    const keys = await publicKeys(cnKeys);
    const options = { keys, origin: "cn-node", maxAgeSeconds: 300 };
    expect((await verifySnapshot(first!.jws, options)).seq).toBe(1);
    const [header, payload, signature] = first!.jws.split(".") as [string, string, string];
    const bytes = Buffer.from(payload, "base64url");
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x01;
    expect(await refusal(verifySnapshot(`${header}.${bytes.toString("base64url")}.${signature}`, options))).toBe("bad_signature");
    expect(await refusal(verifySnapshot(first!.jws, { ...options, keys: await publicKeys(otherKeys) }))).toBe("unknown_key");
    const later = new Date(Date.now() + 3_600_000);
    expect(await refusal(verifySnapshot(first!.jws, { ...options, now: later }))).toBe("too_old");
    const old = await signSnapshot(snapshot(1, null, { asOf: new Date(Date.now() - 86_400_000).toISOString() }), cnKeys);
    expect(await refusal(verifySnapshot(old.jws, options))).toBe("too_old");
    expect((await verifySnapshot(old.jws, { ...options, history: true })).seq).toBe(1); // vouched for by a fresh successor
    expect(await refusal(verifySnapshot(first!.jws, { ...options, origin: "us-node" }))).toBe("wrong_origin");
  });

  it("fail closed on any field the schema does not name: sending refuses it, receiving refuses it", async () => {
    const leaky = snapshot(1, null);
    (leaky.trials[0]!.cells[0] as Record<string, unknown>).screeningNumber = "CN-GZ1-0042";
    expect(await refusal(signSnapshot(leaky, cnKeys))).toBe("schema");
    const { jws } = await sign(leaky, cnKeys); // a peer that signed it anyway
    expect(await refusal(verifySnapshot(jws, { keys: await publicKeys(cnKeys), origin: "cn-node", maxAgeSeconds: 300 }))).toBe("schema");
    expect(await refusal(signSnapshot({ ...snapshot(1, null), note: "free text" }, cnKeys))).toBe("schema");
    expect(
      await refusal(
        signSnapshot(
          snapshot(1, null, {
            trials: [{ trial: "TB-201", cells: [{ site: "CN-GZ1", cohort: null, subtype: null, metric: "screened", month: "2026-11-03", value: 1 }] }],
          }),
          cnKeys,
        ),
      ),
    ).toBe("schema");
  });

  it("apply each sequence once, wait for a gap to fill, and end as in-order delivery would", async () => {
    const feed = await chain(8);
    let state: FeedState = emptyFeed();
    for (let i = 0; i < 3; i++) state = applySnapshot(state, feed[0]!.jws, feed[0]!.snapshot).state; // delivered three times
    expect(state.seq).toBe(1);
    for (const n of [1, 2, 3, 4]) state = applySnapshot(state, feed[n]!.jws, feed[n]!.snapshot).state;
    const early = applySnapshot(state, feed[6]!.jws, feed[6]!.snapshot); // seq 7 before 6
    expect(early).toMatchObject({ applied: [], missing: 6 });
    const filled = applySnapshot(early.state, feed[5]!.jws, feed[5]!.snapshot);
    expect(filled.applied).toEqual([6, 7]);
    let inOrder = emptyFeed();
    for (const s of feed.slice(0, 7)) inOrder = applySnapshot(inOrder, s.jws, s.snapshot).state;
    expect(filled.state).toEqual(inOrder);
    const forged = await signSnapshot(snapshot(8, "0".repeat(64)), cnKeys);
    expect(() => applySnapshot(filled.state, forged.jws, forged.snapshot)).toThrow(SnapshotRefused);
  });

  it("rotate keys with an overlap: the old key signs until it retires (the peer learns the new one meanwhile), then the new one", async () => {
    const before = await chain(1);
    const oldOnly = path.join(dir, "cn-old.json");
    fs.copyFileSync(cnKeys, oldOnly);
    await rotateKey(60, cnKeys);
    const keys = await publicKeys(cnKeys);
    const options = { keys, origin: "cn-node", maxAgeSeconds: 300 };
    const during = await signSnapshot(snapshot(1, null), cnKeys);
    expect(during.jws.split(".")[0]).toBe(before[0]!.jws.split(".")[0]); // still the old kid: the peer knows it
    expect((await verifySnapshot(during.jws, { ...options, keys: keys.slice(0, 1) })).seq).toBe(1);
    const pastOverlap = new Date(Date.now() + 120_000);
    // Made while the old key was live, delivered (or delivered again) after it retired: still good, within the age.
    expect((await verifySnapshot(before[0]!.jws, { ...options, maxAgeSeconds: 3_600, now: pastOverlap })).seq).toBe(1);
    expect(await refusal(verifySnapshot(before[0]!.jws, { ...options, maxAgeSeconds: 60, now: pastOverlap }))).toBe("unknown_key");
    // The old key claiming a time after it retired: refused.
    const late = await signSnapshot({ ...snapshot(2, null), asOf: pastOverlap.toISOString() }, oldOnly);
    expect(await refusal(verifySnapshot(late.jws, { ...options, maxAgeSeconds: 3_600, now: pastOverlap }))).toBe("unknown_key");
    // Once the old key has retired the new one signs (the key file ages with the clock, so retire it now).
    const file = JSON.parse(fs.readFileSync(cnKeys, "utf8")) as { keys: { retiresAt: string | null }[] };
    file.keys[0]!.retiresAt = new Date(Date.now() - 1_000).toISOString();
    fs.writeFileSync(cnKeys, JSON.stringify(file));
    const after = await signSnapshot(snapshot(1, null), cnKeys);
    expect(after.jws.split(".")[0]).not.toBe(before[0]!.jws.split(".")[0]);
    expect((await verifySnapshot(after.jws, { ...options, keys: await publicKeys(cnKeys) })).seq).toBe(1);
  });
});
