import { describe, expect, it } from "vitest";
import type { LiveEvent } from "./hub";
import type { Beat } from "./pulse";
import { liveStream } from "./sse";

const event = (n: number): LiveEvent => ({ id: BigInt(n), trialId: "t", at: new Date(0), type: "enrolment", payload: { totals: { screened: n } } });
const decode = (chunk: Uint8Array) => new TextDecoder().decode(chunk);

describe("a live stream to one client", () => {
  it("keeps at most its queue plus the newest event for a client that does not read, and sends the newest when it does", async () => {
    let send: (e: LiveEvent) => void = () => {};
    const stream = liveStream({ subscribe: async (s) => ((send = s), () => {}), heartbeat: () => () => {}, queueFrames: 4 });
    const reader = stream.getReader();
    await new Promise((r) => setTimeout(r, 10));
    for (let n = 1; n <= 1_000; n++) send(event(n));
    const chunks: string[] = [];
    let pending = reader.read();
    for (;;) {
      const next = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
      if (!next || next.done) break;
      chunks.push(decode(next.value));
      pending = reader.read();
    }
    expect(chunks[0]).toBe("retry: 2000\n\n");
    const events = chunks.slice(1);
    expect(events.length).toBeLessThanOrEqual(5); // never the 1,000 that were sent
    expect(events.at(-1)).toContain("id: 1000\n"); // and the newest arrives
    send(event(1_001));
    expect(decode((await pending).value!)).toContain("id: 1001\n");
    await reader.cancel();
  });

  it("ends at the heartbeat that finds the user no longer allowed", async () => {
    let beat: Beat = () => {};
    let stopped = false;
    const stream = liveStream({ subscribe: async () => () => {}, heartbeat: (b) => ((beat = b), () => (stopped = true)) });
    const reader = stream.getReader();
    expect(decode((await reader.read()).value!)).toBe("retry: 2000\n\n");
    beat(true);
    expect(decode((await reader.read()).value!)).toBe(": heartbeat\n\n");
    beat(false);
    expect((await reader.read()).done).toBe(true);
    expect(stopped).toBe(true); // and it no longer beats
  });
});
