import fs from "node:fs";
import pg from "pg";
import type { APIRequestContext } from "@playwright/test";
import { todayIn } from "../../lib/dates/calendar";
import { ACCOUNTS, expect, signIn, test } from "./fixtures";
import { registerAndEnrol, ZH } from "./flows";
import { cookieHeader, SseClient } from "./sse";

const PORT = Number(process.env.E2E_PORT ?? 3100);

async function trialIdOf(request: APIRequestContext, code = "TB-201") {
  const trials = (await (await request.get("/api/v1/trials")).json()) as { items: { id: string; code: string }[] };
  return trials.items.find((t) => t.code === code)!.id;
}

/** Registers a patient through the API as the signed-in US coordinator: one enrolment event. */
async function registerOne(request: APIRequestContext, trialId: string, n: number, base = `http://localhost:${PORT}`) {
  const enrolment = (await (await request.get(`${base}/api/v1/trials/${trialId}/enrolment`)).json()) as { bySite: { siteId: string; code: string }[] };
  const siteId = enrolment.bySite.find((s) => s.code === "US-BOS1")!.siteId;
  const response = await request.post(`${base}/api/v1/trials/${trialId}/participants`, {
    headers: { "Idempotency-Key": `live-test-${Date.now()}-${n}-${Math.random().toString(36).slice(2)}` },
    data: {
      siteId,
      screeningDate: todayIn("America/New_York"),
      ageAtScreening: 50 + n,
      sex: "female",
      results: [{ subtype: "L858R", result: "detected", method: "PCR" }],
    },
  });
  expect(response.status()).toBe(201);
}

test("a Chinese coordinator's enrolment reaches the investigator's open dashboard within a second, without reload", async ({ browser }) => {
  const investigatorContext = await browser.newContext();
  const dashboard = await investigatorContext.newPage();
  await signIn(dashboard, ACCOUNTS.investigator);
  await dashboard.goto("/trials");
  await dashboard.getByRole("link", { name: "TB-201", exact: true }).click();
  await expect(dashboard.getByTestId("live-indicator")).toHaveAttribute("data-state", "live");
  await dashboard.evaluate(() => ((window as unknown as { marker: string }).marker = "no reload"));
  const value = async (testId: string) => Number(await dashboard.getByTestId(testId).locator(".big").getAttribute("data-value"));
  const cnBefore = await value("enrolled-CN");
  const egfrBefore = Number(await dashboard.getByTestId("cohort-enrolled-EGFR-S").innerText());
  const siteRow = dashboard.getByTestId("site-table").locator('tr[data-site="CN-GZ1"] td').nth(7);
  const siteBefore = Number(await siteRow.innerText());

  const coordinatorContext = await browser.newContext();
  const coordinator = await coordinatorContext.newPage();
  await signIn(coordinator, ACCOUNTS.coordinatorCn);
  await registerAndEnrol(coordinator, ZH, "Asia/Shanghai", async () => {
    // Called right after the enrolment is saved: the dashboard must show it within a second. (Other tests may enrol
    // Chinese patients at the same time, so the counts are at least one higher.)
    await expect.poll(() => value("enrolled-CN"), { timeout: 1_000 }).toBeGreaterThanOrEqual(cnBefore + 1);
    await expect
      .poll(async () => Number(await dashboard.getByTestId("cohort-enrolled-EGFR-S").innerText()), { timeout: 1_000 })
      .toBeGreaterThanOrEqual(egfrBefore + 1);
    await expect.poll(async () => Number(await siteRow.innerText()), { timeout: 1_000 }).toBeGreaterThanOrEqual(siteBefore + 1); // the refreshed site table
  });
  expect(await dashboard.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe("no reload");
  await expect(dashboard.getByTestId("live-indicator")).toHaveAttribute("data-state", "live");
  await investigatorContext.close();
  await coordinatorContext.close();
});

test("a client that reconnects with Last-Event-ID gets the newest counts it missed at once, then live events", async ({ page }) => {
  await signIn(page, ACCOUNTS.coordinatorUs);
  // TB-305: no other test writes to it, so every event in this stream is this test's.
  const trialId = await trialIdOf(page.request, "TB-305");
  const headers = { cookie: await cookieHeader(page.context()) };
  const url = `http://localhost:${PORT}/api/v1/trials/${trialId}/events`;
  const screenedOf = (e: { data: unknown }) => (e.data as { totals: { screened: number } }).totals.screened;

  const first = new SseClient(url, headers);
  const observer = new SseClient(url, headers); // stays connected: tells when the missed changes have all been sent
  await Promise.all([first.opened, observer.opened]);
  await registerOne(page.request, trialId, 1);
  const [k] = await first.waitFor(1);
  first.close(); // drop after event k
  for (let n = 2; n <= 4; n++) await registerOne(page.request, trialId, n); // committed while disconnected
  await expect.poll(async () => screenedOf((await observer.waitFor(1)).at(-1)!)).toBe(screenedOf(k!) + 3);
  observer.close();

  const again = new SseClient(url, { ...headers, "Last-Event-ID": k!.id });
  await again.opened;
  const [caughtUp] = await again.waitFor(1);
  expect(BigInt(caughtUp!.id)).toBeGreaterThan(BigInt(k!.id));
  expect(screenedOf(caughtUp!)).toBe(screenedOf(k!) + 3); // the newest counts at once, not the backlog
  await registerOne(page.request, trialId, 5);
  const all = await again.waitFor(2);
  expect(all).toHaveLength(2); // then live, with no repeats
  expect(screenedOf(all[1]!)).toBe(screenedOf(k!) + 4);
  expect(BigInt(all[1]!.id)).toBeGreaterThan(BigInt(caughtUp!.id));
  expect(JSON.stringify(all)).not.toMatch(/screeningNumber|ageAtScreening|"siteId"/); // counts only
  again.close();
});

test("a change made through one app instance reaches a client of another instance within a second", async ({ page }) => {
  await signIn(page, ACCOUNTS.coordinatorUs);
  const trialId = await trialIdOf(page.request);
  const other = new SseClient(`http://localhost:${PORT + 1}/api/v1/trials/${trialId}/events`, { cookie: await cookieHeader(page.context()) });
  await other.opened;
  const started = Date.now();
  await registerOne(page.request, trialId, 9, `http://localhost:${PORT}`); // through instance A
  await other.waitFor(1, 1_000); // arrives at instance B
  expect(Date.now() - started).toBeLessThan(1_000 + 500);
  other.close();
});

test("an open stream ends at its next heartbeat once its user is deactivated", async ({ page }) => {
  await signIn(page, "stream.test@example.org");
  const trialId = await trialIdOf(page.request, "TB-305");
  const stream = new SseClient(`http://localhost:${PORT}/api/v1/trials/${trialId}/events`, { cookie: await cookieHeader(page.context()) });
  await stream.opened;
  await new Promise((r) => setTimeout(r, 2_500)); // a heartbeat with the user still active: the stream stays open
  expect(stream.ended).toBe(false);
  const db = new pg.Client({ connectionString: fs.readFileSync("test-results/e2e-database-url.txt", "utf8").trim() });
  await db.connect();
  await db.query(`UPDATE "User" SET "active" = false WHERE "email" = 'stream.test@example.org'`);
  await db.end();
  await expect.poll(() => stream.ended, { timeout: 6_000 }).toBe(true);
});

test("the events stream is for members of the trial only", async ({ page }) => {
  expect((await page.request.get(`/api/v1/trials/x/events`)).status()).toBe(401);
  await signIn(page, ACCOUNTS.sponsor);
  expect((await page.request.get(`/api/v1/trials/not-a-trial/events`)).status()).toBe(404);
  expect((await page.request.get(`/api/v1/trials/${await trialIdOf(page.request)}/events?lastEventId=abc`)).status()).toBe(400);
});
