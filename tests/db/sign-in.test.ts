import { beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "@/lib/auth/options";
import { hashPassword } from "@/lib/auth/password";
import { db } from "@/lib/db/client";

beforeAll(async () => {
  await db().user.create({ data: { email: "alex@example.org", displayName: "Alex", passwordHash: await hashPassword("a-long-passphrase") } });
  await db().user.create({ data: { email: "gone@example.org", displayName: "Gone", active: false, passwordHash: await hashPassword("a-long-passphrase") } });
});

describe("authenticate", () => {
  it("accepts the right password, whatever the email's case and spaces", async () => {
    await expect(authenticate({ email: " Alex@Example.org ", password: "a-long-passphrase" })).resolves.toMatchObject({
      ok: true,
      user: { email: "alex@example.org" },
    });
  });

  it.each([
    ["a wrong password", { email: "alex@example.org", password: "wrong-passphrase" }],
    ["an unknown account", { email: "nobody@example.org", password: "a-long-passphrase" }],
    ["a deactivated account", { email: "gone@example.org", password: "a-long-passphrase" }],
    ["empty fields", { email: "", password: "" }],
    ["wrong types", { email: 42, password: ["a-long-passphrase"] }],
    ["a very long password", { email: "alex@example.org", password: "x".repeat(10_000) }],
    ["a very long email", { email: `${"a".repeat(300)}@example.org`, password: "a-long-passphrase" }],
    ["nothing at all", undefined],
  ])("refuses %s", async (_label, input) => {
    await expect(authenticate(input)).resolves.toEqual({ ok: false, reason: "invalid" });
  });

  it("never returns the password hash", async () => {
    const user = await authenticate({ email: "alex@example.org", password: "a-long-passphrase" });
    expect(JSON.stringify(user)).not.toContain("argon2");
  });
});
