// The example client in docs/examples (openapi-fetch, with the types generated from the description), run as a user
// would run it, against this server: it lists trials, registers a patient with an Idempotency-Key (twice: one patient)
// and reads the counts. Its type-check is the suite's `tsc`, which covers docs/examples too.
import { spawnSync } from "node:child_process";
import { ACCOUNTS, DEMO_PASSWORD, expect, test } from "./fixtures";

test("the typed example client lists trials, registers a patient once with an Idempotency-Key and reads the counts", async ({ baseURL }) => {
  const run = spawnSync(process.execPath, ["--import", "tsx", "docs/examples/client.ts"], {
    env: { ...process.env, TRIALBRIDGE_URL: baseURL, TRIALBRIDGE_EMAIL: ACCOUNTS.coordinatorUs, TRIALBRIDGE_PASSWORD: DEMO_PASSWORD },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const [listed, registered, counted] = run.stdout.trim().split("\n");
  expect(listed).toMatch(/^TB-\d+: \d+ of \d+ enrolled \(US \d+, CN \d+\)$/);
  const number = /^registered (\S+) \(SCREENED\); the retry answered (\S+)$/.exec(registered ?? "");
  expect(number, registered).not.toBeNull();
  expect(number![2]).toBe(number![1]); // the retry with the same key is the same registration
  expect(counted).toMatch(/^screened \d+ \(US \d+, CN \d+\), enrolled \d+ of \d+$/);
});
