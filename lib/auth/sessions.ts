// Server-side sessions. The JWT cookie carries a session id; each request checks the session row: revoked (sign-out,
// sign-out everywhere, password change), idle for longer than SESSION_IDLE_MINUTES, or older than
// SESSION_MAX_HOURS, and it no longer signs anyone in, even while the cookie is still valid.
import "server-only";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";

const TOUCH_EVERY_MS = 60_000;

export async function openSession(userId: string): Promise<string> {
  const session = await db().session.create({ data: { userId } });
  return session.id;
}

/** True when the session may be used now; records the activity (at most once a minute). */
export async function sessionIsLive(sessionId: string, userId: string): Promise<boolean> {
  const session = await db().session.findUnique({ where: { id: sessionId } });
  if (!session || session.userId !== userId || session.revokedAt) return false;
  const { SESSION_IDLE_MINUTES, SESSION_MAX_HOURS } = serverEnv();
  const now = Date.now();
  if (now - session.createdAt.getTime() > SESSION_MAX_HOURS * 3_600_000) return false;
  if (now - session.lastSeenAt.getTime() > SESSION_IDLE_MINUTES * 60_000) return false;
  if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db().session.update({ where: { id: sessionId }, data: { lastSeenAt: new Date(now) } });
  }
  return true;
}

export async function endSession(sessionId: string) {
  await db().session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
}
