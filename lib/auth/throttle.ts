// Sign-in throttling, per account name and per address, kept in PostgreSQL so every instance counts together.
// Only failures count; an email with no account is counted exactly like one with an account, so the answer never
// reveals which accounts exist. Every attempt is audited.
import "server-only";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import { hit, isLimited, RateLimited, type Limit } from "@/lib/http/rate-limit";

export const SIGN_IN_WINDOW_SECONDS = 15 * 60;
const byAccount = (email: string): Limit => ({ key: `signin:email:${email.trim().toLowerCase()}`, max: 5, windowSeconds: SIGN_IN_WINDOW_SECONDS });
const byAddress = (address: string): Limit => ({ key: `signin:ip:${address}`, max: 20, windowSeconds: SIGN_IN_WINDOW_SECONDS });

/** The client's address: the first X-Forwarded-For hop (set by the load balancer), else X-Real-IP. */
export function clientAddress(headers: Headers): string {
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip") || "unknown";
}

export async function assertSignInAllowed(email: string, address: string) {
  const [account, ip] = await Promise.all([isLimited(byAccount(email)), isLimited(byAddress(address))]);
  if (account.limited || ip.limited) {
    const wait = Math.max(account.retryAfterSeconds, ip.retryAfterSeconds);
    throw new RateLimited(wait, `Too many failed sign-in attempts. Try again in ${Math.ceil(wait / 60)} minutes.`);
  }
}

export async function recordSignIn(email: string, address: string, succeeded: boolean) {
  const normalised = email.trim().toLowerCase().slice(0, 254);
  const user = succeeded ? await db().user.findUnique({ where: { email: normalised }, select: { id: true } }) : null;
  if (succeeded) await db().rateLimit.deleteMany({ where: { key: byAccount(normalised).key } });
  else await Promise.all([hit(byAccount(normalised)), hit(byAddress(address))]);
  await db().$transaction((tx) =>
    recordAudit(tx, {
      actorId: user?.id ?? null, action: succeeded ? "auth.signin.success" : "auth.signin.failure", entityType: "User",
      entityId: user?.id ?? null, after: { email: normalised }, ip: address,
    }),
  );
}
