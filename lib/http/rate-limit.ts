// Fixed-window rate limits kept in PostgreSQL, so every app instance counts against the same budget.
import { db } from "@/lib/db/client";
import { AppError } from "./errors";

export interface Limit {
  /** What is limited and for whom, e.g. "participants.write:<userId>". */
  key: string;
  max: number;
  windowSeconds: number;
}

export class RateLimited extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = "Too many requests. Wait a moment and try again.",
  ) {
    super("rate_limited", message);
  }
}

/** Counts one request against the limit; returns how many remain. */
export async function hit(limit: Limit): Promise<{ count: number; remaining: number; retryAfterSeconds: number }> {
  const [row] = await db().$queryRaw<{ count: number; windowStart: Date }[]>`
    INSERT INTO "RateLimit" ("key", "windowStart", "count") VALUES (${limit.key}, now(), 1)
    ON CONFLICT ("key") DO UPDATE SET
      "count" = CASE WHEN "RateLimit"."windowStart" < now() - make_interval(secs => ${limit.windowSeconds}) THEN 1 ELSE "RateLimit"."count" + 1 END,
      "windowStart" = CASE WHEN "RateLimit"."windowStart" < now() - make_interval(secs => ${limit.windowSeconds}) THEN now() ELSE "RateLimit"."windowStart" END
    RETURNING "count", "windowStart"`;
  const elapsed = (Date.now() - row!.windowStart.getTime()) / 1000;
  return { count: row!.count, remaining: Math.max(0, limit.max - row!.count), retryAfterSeconds: Math.max(1, Math.ceil(limit.windowSeconds - elapsed)) };
}

/** Counts the request and throws RateLimited (429) once the window's budget is spent. */
export async function enforce(limit: Limit, message?: string): Promise<void> {
  const result = await hit(limit);
  if (result.count > limit.max) throw new RateLimited(result.retryAfterSeconds, message);
}

/** Looks at a limit without counting a request. */
export async function isLimited(limit: Limit): Promise<{ limited: boolean; retryAfterSeconds: number }> {
  const row = await db().rateLimit.findUnique({ where: { key: limit.key } });
  if (!row) return { limited: false, retryAfterSeconds: 0 };
  const elapsed = (Date.now() - row.windowStart.getTime()) / 1000;
  if (elapsed >= limit.windowSeconds) return { limited: false, retryAfterSeconds: 0 };
  return { limited: row.count >= limit.max, retryAfterSeconds: Math.max(1, Math.ceil(limit.windowSeconds - elapsed)) };
}

export const LIMITS = {
  participantWrites: (userId: string): Limit => ({ key: `participants.write:${userId}`, max: 300, windowSeconds: 60 }),
  imports: (userId: string): Limit => ({ key: `participants.import:${userId}`, max: 20, windowSeconds: 600 }), // a preview and its import are two
  forecasts: (userId: string): Limit => ({ key: `forecast:${userId}`, max: 30, windowSeconds: 60 }),
  matches: (userId: string): Limit => ({ key: `match:${userId}`, max: 120, windowSeconds: 60 }),
};
