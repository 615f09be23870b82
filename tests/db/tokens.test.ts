import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createToken, revokeToken, userForToken } from "@/lib/auth/tokens";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

describe("API tokens", () => {
  it("are stored hashed, expire, revoke at once, and every use is audited", async () => {
    await seedDemoData();
    const sponsor = await actorFor(DEMO_ACCOUNTS.sponsor);
    const created = await createToken(sponsor, { name: "nightly sync", expiresInDays: 30 });
    const row = await db().apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).not.toContain(created.token);
    expect(JSON.stringify(row)).not.toContain(created.token);
    expect(await userForToken(created.token, { method: "GET", path: "/api/v1/trials" })).toMatchObject({ email: DEMO_ACCOUNTS.sponsor });
    expect(await db().auditEvent.count({ where: { action: "token.use", entityId: created.id } })).toBe(1);
    await db().apiToken.update({ where: { id: created.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await userForToken(created.token, { method: "GET", path: "/" })).toBeNull();
    const second = await createToken(sponsor, { name: "other" });
    await revokeToken(sponsor, second.id);
    expect(await userForToken(second.token, { method: "GET", path: "/" })).toBeNull();
    const other = await actorFor(DEMO_ACCOUNTS.investigator);
    await expect(revokeToken(other, created.id)).rejects.toMatchObject({ code: "not_found" });
  });
});
