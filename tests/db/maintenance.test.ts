import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { IDEMPOTENCY_REPLAY_HOURS, PRUNER_LOCK, pruneExpired } from "@/lib/jobs/maintenance";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { seedDemoData } from "../support/demo";

const settings = { sessionMaxHours: 12, sessionIdleMinutes: 30 };
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

beforeAll(seedDemoData);

describe("pruning expired operational rows", () => {
  it("removes dead sessions, keys past their replay window and spent rate limits, and nothing else", async () => {
    const user = await db().user.findUniqueOrThrow({ where: { email: DEMO_ACCOUNTS.coordinatorUs } });
    const live = await db().session.create({ data: { userId: user.id } });
    const oldButLive = await db().session.create({ data: { userId: user.id, createdAt: hoursAgo(11), lastSeenAt: hoursAgo(0.1) } });
    const dead = await Promise.all([
      db().session.create({ data: { userId: user.id, createdAt: hoursAgo(40), lastSeenAt: hoursAgo(39) } }),
      db().session.create({ data: { userId: user.id, createdAt: hoursAgo(30), lastSeenAt: hoursAgo(25) } }),
      db().session.create({ data: { userId: user.id, revokedAt: hoursAgo(30) } }),
    ]);
    const fresh = await db().idempotencyKey.create({ data: { actorId: user.id, scope: "s", key: "fresh-key", requestHash: "h" } });
    const expired = await db().idempotencyKey.create({
      data: { actorId: user.id, scope: "s", key: "old-key", requestHash: "h", createdAt: hoursAgo(IDEMPOTENCY_REPLAY_HOURS + 1) },
    });
    await db().rateLimit.createMany({
      data: [
        { key: "now", windowStart: new Date(), count: 3 },
        { key: "spent", windowStart: hoursAgo(2), count: 9 },
      ],
    });
    const audits = await db().auditEvent.count();

    const pruned = await pruneExpired(db(), settings);
    expect(pruned).toMatchObject({ sessions: 3, idempotencyKeys: 1, rateLimits: 1 });
    const sessions = (await db().session.findMany({ select: { id: true } })).map((s) => s.id);
    expect(sessions).toEqual(expect.arrayContaining([live.id, oldButLive.id]));
    for (const d of dead) expect(sessions).not.toContain(d.id);
    expect(await db().idempotencyKey.findUnique({ where: { id: fresh.id } })).not.toBeNull();
    expect(await db().idempotencyKey.findUnique({ where: { id: expired.id } })).toBeNull();
    expect((await db().rateLimit.findMany()).map((r) => r.key)).toContain("now");
    expect(await db().auditEvent.count()).toBe(audits);
  });

  it("runs once at a time across instances: one that finds another pruning skips its turn", async () => {
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT pg_advisory_xact_lock($1)", [PRUNER_LOCK]); // another instance, mid-pass
      expect(await pruneExpired(db(), settings)).toBeNull();
      await other.query("COMMIT");
      expect(await pruneExpired(db(), settings)).not.toBeNull();
    } finally {
      await other.end();
    }
  });
});
