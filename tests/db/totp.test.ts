import { Secret, TOTP } from "otpauth";
import { beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "@/lib/auth/options";
import { hashPassword } from "@/lib/auth/password";
import type { Actor } from "@/lib/auth/session";
import { beginTotp, confirmTotp, decryptSecret, disableTotp, matchingStep, requiredRoles, secondFactorRequired, totpSetup } from "@/lib/auth/totp";
import { db } from "@/lib/db/client";

let actor: Actor;
const PASSWORD = "a long enough passphrase";
const codeAt = (secret: string, at: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: at });

beforeAll(async () => {
  const user = await db().user.create({ data: { email: "totp@example.org", displayName: "Tess", passwordHash: await hashPassword(PASSWORD) } });
  actor = { id: user.id, email: user.email, displayName: user.displayName, isAdmin: false, locale: null };
});

describe("two-step sign-in (TOTP)", () => {
  let secret: string;

  it("keeps the secret encrypted and only turns on after a right code", async () => {
    expect(await totpSetup(actor)).toEqual({ enabled: false });
    await beginTotp(actor);
    const setup = await totpSetup(actor);
    secret = setup.pending!.secret;
    expect(setup.pending!.uri).toMatch(/^otpauth:\/\/totp\/TrialBridge:totp%40example\.org\?.*secret=/);
    expect(setup.pending!.qrSvg).toContain("<svg");
    const stored = await db().user.findUniqueOrThrow({ where: { id: actor.id }, select: { totpSecret: true, totpEnabledAt: true } });
    expect(stored.totpSecret).not.toContain(secret);
    expect(decryptSecret(stored.totpSecret!)).toBe(secret);
    expect(stored.totpEnabledAt).toBeNull();

    // Not in force yet: the password alone still signs in.
    expect((await authenticate({ email: "totp@example.org", password: PASSWORD })).ok).toBe(true);
    await expect(confirmTotp(actor, "12345")).rejects.toMatchObject({ fields: { code: expect.any(Array) } });
    const wrong = String((Number(codeAt(secret, Date.now())) + 1) % 1_000_000).padStart(6, "0");
    await expect(confirmTotp(actor, wrong)).rejects.toMatchObject({ code: "invalid" });
    await confirmTotp(actor, codeAt(secret, Date.now()));
    expect(await totpSetup(actor)).toEqual({ enabled: true });
    await expect(beginTotp(actor)).rejects.toMatchObject({ code: "conflict" });
    expect(await db().auditEvent.count({ where: { action: "user.totp.enable", entityId: actor.id } })).toBe(1);
  });

  it("asks for a code after the right password, accepts each code once, and refuses a wrong one", async () => {
    expect(await authenticate({ email: "totp@example.org", password: PASSWORD })).toEqual({ ok: false, reason: "code_required" });
    expect(await authenticate({ email: "totp@example.org", password: "wrong password", code: codeAt(secret, Date.now() + 30_000) })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await authenticate({ email: "totp@example.org", password: PASSWORD, code: "000000" === codeAt(secret, Date.now()) ? "111111" : "000000" })).toEqual({
      ok: false,
      reason: "invalid",
    });
    const next = codeAt(secret, Date.now() + 30_000); // the next time step: later than the one used to turn it on
    expect((await authenticate({ email: "totp@example.org", password: PASSWORD, code: next })).ok).toBe(true);
    expect(await authenticate({ email: "totp@example.org", password: PASSWORD, code: next })).toEqual({ ok: false, reason: "invalid" });
    // A code from an earlier step than the last one used is refused too, even inside the drift window.
    expect(await authenticate({ email: "totp@example.org", password: PASSWORD, code: codeAt(secret, Date.now() - 30_000) })).toEqual({
      ok: false,
      reason: "invalid",
    });
  });

  it("accepts one step of clock drift and no more", () => {
    const now = Date.now();
    expect(matchingStep(secret, codeAt(secret, now - 30_000), now)).not.toBeNull();
    expect(matchingStep(secret, codeAt(secret, now - 95_000), now)).toBeNull();
  });

  it("turns off only with the password", async () => {
    await expect(disableTotp(actor, "not my password")).rejects.toMatchObject({ fields: { password: expect.any(Array) } });
    await disableTotp(actor, PASSWORD);
    expect((await authenticate({ email: "totp@example.org", password: PASSWORD })).ok).toBe(true);
    expect(await db().auditEvent.count({ where: { action: "user.totp.disable", entityId: actor.id } })).toBe(1);
  });

  it("is required for the roles a deployment names", () => {
    expect(secondFactorRequired({ isAdmin: false }, ["COORDINATOR"], requiredRoles(""))).toBe(false);
    expect(secondFactorRequired({ isAdmin: false }, ["COORDINATOR"], requiredRoles("admin, coordinator"))).toBe(true);
    expect(secondFactorRequired({ isAdmin: false }, ["SPONSOR", "INVESTIGATOR"], requiredRoles("admin,coordinator"))).toBe(false);
    expect(secondFactorRequired({ isAdmin: true }, [], requiredRoles("ADMIN"))).toBe(true);
  });
});
