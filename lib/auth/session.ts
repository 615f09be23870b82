// Who is asking. Reads the next-auth JWT from the request's cookies and re-checks the user against the database on
// every request (active, same session version), so a revoked session stops working at its very next request.
import "server-only";
import { cookies, headers } from "next/headers";
import { getToken } from "next-auth/jwt";
import { cache } from "react";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { AppError, unauthenticated } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { assertTokenScope } from "./access";
import { sessionIsLive } from "./sessions";
import { userForToken } from "./tokens";
import { userNeedsSecondFactor } from "./totp";

export interface Actor {
  id: string;
  email: string;
  displayName: string;
  isAdmin: boolean;
  locale: string | null;
  /** Signed in with a personal API token: read-only. */
  viaToken?: boolean;
  /** What the token may do (lib/auth/access.ts assertTokenScope). */
  tokenScope?: "read" | "audit-checkpoints";
  /** The server-side session behind a cookie sign-in. */
  sessionId?: string;
  /** The deployment requires a second factor for this user's roles and they have not set one up yet: until they do,
   * the only thing they may do is set it up (lib/auth/page.ts, requireActor). */
  secondFactorMissing?: boolean;
}

async function secondFactorMissing(user: { id: string; isAdmin: boolean; totpEnabledAt: Date | null }): Promise<boolean> {
  return !user.totpEnabledAt && (await userNeedsSecondFactor(user.id, user.isAdmin));
}

/**
 * `Authorization: Bearer <token>` when present (and then only the token counts: a bad one is 401 even with a
 * session cookie); otherwise the session cookie.
 */
export const getActor = cache(async (): Promise<Actor | null> => {
  const [cookieStore, headerStore] = await Promise.all([cookies(), headers()]);
  const bearer = /^Bearer\s+(\S+)$/i.exec(headerStore.get("authorization") ?? "")?.[1];
  if (bearer) {
    const user = await userForToken(bearer, { method: headerStore.get("x-trialbridge-method") ?? "GET", path: headerStore.get("x-trialbridge-path") ?? "" });
    if (!user) return null;
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      isAdmin: user.isAdmin,
      locale: user.locale,
      viaToken: true,
      tokenScope: user.scope,
      secondFactorMissing: await secondFactorMissing(user),
    };
  }
  const req = {
    headers: Object.fromEntries(headerStore.entries()),
    cookies: Object.fromEntries(cookieStore.getAll().map((c) => [c.name, c.value])),
  };
  const token = await getToken({ req: req as never, secret: serverEnv().AUTH_SECRET });
  if (!token?.uid) return null;
  const user = await db().user.findUnique({
    where: { id: token.uid },
    select: { id: true, email: true, displayName: true, isAdmin: true, locale: true, active: true, sessionVersion: true, totpEnabledAt: true },
  });
  if (!user || !user.active || user.sessionVersion !== (token.sv ?? 0)) return null;
  if (!token.sid || !(await sessionIsLive(token.sid, user.id))) return null;
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    isAdmin: user.isAdmin,
    locale: user.locale,
    sessionId: token.sid,
    secondFactorMissing: await secondFactorMissing(user),
  };
});

/** The actor, or a 401 for route handlers (403 while a required second factor is not set up, or past a token's scope). */
export async function requireActor(): Promise<Actor> {
  const actor = await getActor();
  if (!actor) throw unauthenticated();
  if (actor.secondFactorMissing) throw new AppError("forbidden", msg("errors.totpSetupFirst"));
  if (actor.tokenScope) assertTokenScope(actor, (await headers()).get("x-trialbridge-path") ?? "");
  return actor;
}
