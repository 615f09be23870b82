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

test("a forecast over the work budget is refused at once; a large one within it never stops the server answering", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.sponsor);
  const sites = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `s${i}`, country: i % 2 ? "US" : "CN", rate: { shape: 2, rate: 4 } }));
  const cohorts = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, target: 40 }));
  const started = Date.now();
  const over = await page.request.post("/api/v1/forecast", { data: { sites: sites(2_000), cohorts: cohorts(50), replicates: 200_000 } });
  expect(over.status()).toBe(422);
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(JSON.stringify(await over.json())).toContain("units of work");

  // About 100 million units of work: seconds of simulation, in a worker thread.
  let done = false;
  const large = page.request
    .post("/api/v1/forecast", {
      data: { sites: sites(500), cohorts: cohorts(10), scenarios: [{ name: "Joint", countries: ["US", "CN"] }], replicates: 20_000 },
      timeout: 60_000,
    })
    .then((r) => {
      done = true;
      return r;
    });
  await new Promise((r) => setTimeout(r, 300));
  const answers: number[] = [];
  while (!done && answers.length < 20) {
    const t = Date.now();
    expect((await page.request.get("/api/health")).status()).toBe(200);
    answers.push(Date.now() - t);
  }
  expect((await large).status()).toBe(200);
  expect(answers.length).toBeGreaterThan(1); // the health check answered while the forecast ran
  expect(Math.max(...answers)).toBeLessThan(1_000);
});
