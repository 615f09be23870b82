import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { enforce, hit, isLimited, RateLimited } from "@/lib/http/rate-limit";

describe("rate limits", () => {
  it("allow the budget, then refuse with 429 and a Retry-After, counting concurrent requests exactly", async () => {
    const limit = { key: "test:burst", max: 20, windowSeconds: 60 };
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => enforce(limit)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(20);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as RateLimited);
    expect(refused).toHaveLength(10);
    expect(refused.every((e) => e.code === "rate_limited" && e.retryAfterSeconds > 0 && e.retryAfterSeconds <= 60)).toBe(true);
    expect((await isLimited(limit)).limited).toBe(true);
  });

  it("start a new window once the old one has passed", async () => {
    const limit = { key: "test:window", max: 1, windowSeconds: 60 };
    await enforce(limit);
    await expect(enforce(limit)).rejects.toBeInstanceOf(RateLimited);
    await db().rateLimit.update({ where: { key: limit.key }, data: { windowStart: new Date(Date.now() - 61_000) } });
    expect((await isLimited(limit)).limited).toBe(false);
    expect((await hit(limit)).count).toBe(1);
  });
});
