import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { ACCOUNTS, expect, test } from "./fixtures";

const EXAMPLE = "docs/examples/forecast-egfr.json";

test("POST /api/v1/forecast gives the same answer as the command for the same input and seed", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.sponsor);
  const response = await page.request.post("/api/v1/forecast", { data: JSON.parse(readFileSync(EXAMPLE, "utf8")) });
  expect(response.status()).toBe(200);
  const fromCommand = JSON.parse(execFileSync("npx", ["tsx", "scripts/forecast.ts", EXAMPLE], { encoding: "utf8" }));
  expect(await response.json()).toEqual(fromCommand);
});

test("POST /api/v1/forecast refuses bad input with 4xx and says why", async ({ page, signIn }) => {
  expect((await page.request.post("/api/v1/forecast", { data: {} })).status()).toBe(401);
  await signIn(ACCOUNTS.investigator);
  const invalid = await page.request.post("/api/v1/forecast", {
    data: { sites: [{ id: "a", country: "US", rate: { shape: 1, rate: 1 } }], cohorts: [{ id: "c", target: 5 }], prevalence: { US: { c: 1.4 } } },
  });
  expect(invalid.status()).toBe(422);
  const body = (await invalid.json()) as { error: { code: string; fields: Record<string, string[]> } };
  expect(body.error.code).toBe("invalid");
  expect(body.error.fields["prevalence.US.c"]).toEqual(["prevalence must be between 0 and 1"]);
  const malformed = await page.request.post("/api/v1/forecast", { headers: { "content-type": "application/json" }, data: Buffer.from("{oops") });
  expect(malformed.status()).toBe(400);
  const huge = await page.request.post("/api/v1/forecast", { headers: { "content-type": "application/json" }, data: `"${"x".repeat(2_100_000)}"` });
  expect(huge.status()).toBe(413);
});
