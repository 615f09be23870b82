import { describe, expect, it } from "vitest";
import type { Watch } from "@/lib/auth/access";
import { Pulse } from "./pulse";

const watch = (userId: string, trialId = "t1", sessionId: string | null = `s-${userId}`): Watch => ({ userId, sessionId, trialId });

describe("one heartbeat for every live stream of an instance", () => {
  it("asks once per period for all streams, each distinct stream standing once, and beats each with its answer", async () => {
    const calls: Watch[][] = [];
    const pulse = new Pulse(60_000, async (watches) => (calls.push([...watches]), watches.map((w) => w.userId !== "gone")));
    const beats = new Map<number, boolean[]>();
    for (let n = 0; n < 2_000; n++) {
      const userId = n === 7 ? "gone" : `u${n % 50}`; // 2,000 dashboards of 51 users
      pulse.add(watch(userId), (allowed) => beats.set(n, [...(beats.get(n) ?? []), allowed]));
    }
    await pulse.tick();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(51);
    expect(beats.size).toBe(2_000);
    expect(beats.get(7)).toEqual([false]);
    expect(beats.get(8)).toEqual([true]);
  });

  it("keeps streams open when the check fails, and stops its timer when the last stream leaves", async () => {
    const pulse = new Pulse(10, async () => {
      throw new Error("database down");
    });
    const answers: boolean[] = [];
    const stop = pulse.add(watch("u1"), (allowed) => answers.push(allowed));
    await new Promise((r) => setTimeout(r, 35));
    stop();
    const seen = answers.length;
    expect(seen).toBeGreaterThan(0);
    expect(answers.every(Boolean)).toBe(true);
    expect(pulse.size).toBe(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(answers.length).toBe(seen); // no beat after the stream left
  });

  it("does not stack a second check on a slow one", async () => {
    let running = 0;
    let most = 0;
    const pulse = new Pulse(60_000, async (watches) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return watches.map(() => true);
    });
    pulse.add(watch("u1"), () => {});
    await Promise.all([pulse.tick(), pulse.tick(), pulse.tick()]);
    expect(most).toBe(1);
  });
});
