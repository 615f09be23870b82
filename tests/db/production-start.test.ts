import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("npm start (production)", () => {
  it("refuses to run without an AUTH secret, before touching any database", () => {
    const env = { ...process.env, DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none" };
    delete env.AUTH_SECRET;
    delete env.NEXTAUTH_SECRET;
    for (const secret of [undefined, "too-short"]) {
      const result = spawnSync("npx", ["tsx", "scripts/serve.ts", "start"], {
        env: secret ? { ...env, AUTH_SECRET: secret } : env,
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("Refusing to start: set AUTH_SECRET");
    }
  });

  it("refuses to run without DATABASE_URL rather than start an embedded database of its own", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, AUTH_SECRET: "a-production-secret-that-is-long-enough" };
    delete env.DATABASE_URL;
    const result = spawnSync("npx", ["tsx", "scripts/serve.ts", "start"], { env, encoding: "utf8", timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Refusing to start: set DATABASE_URL");
  });
});
