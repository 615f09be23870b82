// next-auth configuration: email + password, JWT sessions. The token carries the user id and the user's session
// version; every request re-checks both against the database (lib/auth/session.ts), so deactivation and "sign out
// everywhere" take effect at once even while a cookie is still valid.
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { credentialsSchema } from "./credentials";
import { dummyPasswordHash, verifyPassword } from "./password";
import { endSession, openSession } from "./sessions";
import { consumeSignInCode } from "./totp";

/** What authorize throws when the password is right and the account's second factor is still to come. */
export const TOTP_REQUIRED = "TotpRequired";

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    sv?: number;
    /** The server-side session (lib/auth/sessions.ts). */
    sid?: string;
  }
}

export type Authentication =
  | { ok: true; user: { id: string; email: string; name: string; sessionVersion: number } }
  | { ok: false; reason: "invalid" | "code_required" };

/** Checks a password, then (for accounts with a second factor) the authenticator's code. */
export async function authenticate(raw: unknown): Promise<Authentication> {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { email, password, code } = parsed.data;
  const user = await db().user.findUnique({ where: { email }, omit: { passwordHash: false, totpSecret: false } });
  if (!user || !user.active || !user.passwordHash) {
    await verifyPassword(await dummyPasswordHash(), password); // same work whether or not the account exists
    return { ok: false, reason: "invalid" };
  }
  if (!(await verifyPassword(user.passwordHash, password))) return { ok: false, reason: "invalid" };
  if (user.totpEnabledAt) {
    if (!code?.trim()) return { ok: false, reason: "code_required" };
    if (!(await consumeSignInCode(user, code))) return { ok: false, reason: "invalid" };
  }
  return { ok: true, user: { id: user.id, email: user.email, name: user.displayName, sessionVersion: user.sessionVersion } };
}

let options: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  options ??= {
    secret: serverEnv().AUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { type: "email" }, password: { type: "password" }, code: { type: "text" } },
        authorize: async (credentials) => {
          const result = await authenticate({ email: credentials?.email, password: credentials?.password, code: credentials?.code || undefined });
          if (!result.ok) {
            if (result.reason === "code_required") throw new Error(TOTP_REQUIRED);
            return null;
          }
          return { id: result.user.id, email: result.user.email, name: result.user.name, sessionVersion: result.user.sessionVersion };
        },
      }),
    ],
    events: {
      // Signing out ends the server-side session too, so a copy of the cookie is worthless.
      async signOut({ token }) {
        if (token?.sid) await endSession(token.sid);
        if (token?.uid) {
          const userId = token.uid;
          await db().$transaction((tx) => recordAudit(tx, { actorId: userId, action: "auth.signout", entityType: "User", entityId: userId }));
        }
      },
    },
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0;
          token.sid = await openSession(user.id);
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, user: { name: session.user?.name ?? null, email: session.user?.email ?? null }, uid: token.uid };
      },
    },
  };
  return options;
}
