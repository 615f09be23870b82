// Sign-in throttling, per account name and per address, kept in PostgreSQL so every instance counts together.
// Every attempt counts before its password is checked, and a success resets the account's count; an email with no account is counted exactly like one with an account, so the answer never
// reveals which accounts exist. Every attempt is audited.
import "server-only";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { hit, RateLimited, type Limit } from "@/lib/http/rate-limit";

export const SIGN_IN_WINDOW_SECONDS = 15 * 60;
const byAccount = (email: string): Limit => ({ key: `signin:email:${email.trim().toLowerCase()}`, max: 5, windowSeconds: SIGN_IN_WINDOW_SECONDS });
const byAddress = (address: string): Limit => ({ key: `signin:ip:${address}`, max: 20, windowSeconds: SIGN_IN_WINDOW_SECONDS });

/**
 * The client's address: the X-Forwarded-For entry that the nearest trusted proxy appended, TRUSTED_PROXY_HOPS from the
 * right (1: one load balancer, or Next's own server, which fills the header from the connection when it is absent).
 * Entries further left are the client's own to write, and are never trusted.
 */
export function clientAddress(headers: Headers, hops = serverEnv().TRUSTED_PROXY_HOPS): string {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  return entries[entries.length - hops] ?? entries[0] ?? "unknown";
}

const tooMany = (wait: number) => new RateLimited(wait, `Too many failed sign-in attempts. Try again in ${Math.ceil(wait / 60)} minutes.`);

/**
 * Counts the attempt first, atomically, for the account name and the address, and refuses it (429) once either is
 * over its budget, before any password is checked: a burst of parallel guesses gets exactly the budget checked.
 * A success gives the account its budget back (recordSignIn).
 */
export async function claimSignInAttempt(email: string, address: string) {
  const [account, ip] = await Promise.all([hit(byAccount(email)), hit(byAddress(address))]);
  const over = [account.count > byAccount(email).max ? account : null, ip.count > byAddress(address).max ? ip : null].filter((x) => x !== null);
  if (over.length) throw tooMany(Math.max(...over.map((o) => o.retryAfterSeconds)));
}

export async function recordSignIn(email: string, address: string, succeeded: boolean) {
  const normalised = email.trim().toLowerCase().slice(0, 254);
  const user = succeeded ? await db().user.findUnique({ where: { email: normalised }, select: { id: true } }) : null;
  // The attempt was counted before it was checked (claimSignInAttempt); a success gives the account its budget back.
  // The address gets the one attempt back, so a hospital's many users behind one address are not throttled by their
  // own successful sign-ins.
  if (succeeded) {
    await db().rateLimit.deleteMany({ where: { key: byAccount(normalised).key } });
    await db().$executeRaw`UPDATE "RateLimit" SET "count" = greatest("count" - 1, 0) WHERE "key" = ${byAddress(address).key}`;
  }
  await db().$transaction((tx) =>
    recordAudit(tx, {
      actorId: user?.id ?? null,
      action: succeeded ? "auth.signin.success" : "auth.signin.failure",
      entityType: "User",
      entityId: user?.id ?? null,
      after: { email: normalised },
      ip: address,
    }),
  );
}
