import type { Page } from "@playwright/test";
import { todayIn } from "../../lib/dates/calendar";
import { ACCOUNTS, expect, test } from "./fixtures";

async function openTrial(page: Page, code: string) {
  await page.goto("/trials");
  await page.getByRole("link", { name: code, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(code);
}

async function patientRowSites(page: Page) {
  const table = page.getByTestId("patient-rows");
  await expect(table).toBeVisible();
  return new Set(await table.locator("tbody tr td:nth-child(2)").allInnerTexts());
}

for (const [role, email] of Object.entries(ACCOUNTS)) {
  test(`${role} sees both demo trials with enrolment against target by country`, async ({ page, signIn }) => {
    await signIn(email);
    await page.goto("/trials");
    for (const code of ["TB-201", "TB-305"]) {
      const card = page.locator("section").filter({ has: page.getByRole("heading", { name: new RegExp(code) }) });
      await expect(card.locator("tr[data-country='US'] td").nth(1)).toHaveText(/^\d+$/);
      await expect(card.locator("tr[data-country='CN'] td").nth(1)).toHaveText(/^\d+$/);
      await expect(card.getByRole("progressbar")).toBeVisible();
    }
  });
}

test("the US coordinator sees patient rows of their own site only", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorUs);
  await openTrial(page, "TB-201");
  expect([...(await patientRowSites(page))]).toEqual(["Harborview Thoracic Oncology Center"]);
  // Their own work first: the site's recent screenings come before the trial-wide dashboard.
  const own = (await page.getByTestId("patient-rows").boundingBox())!;
  const dashboard = (await page.getByTestId("enrolled-overall").boundingBox())!;
  expect(own.y).toBeLessThan(dashboard.y);
});

test("a coordinator's work list comes first: their patients still on the way to a decision", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorUs);
  const trials = (await (await page.request.get("/api/v1/trials")).json()) as { items: { id: string; code: string }[] };
  const trialId = trials.items.find((t) => t.code === "TB-201")!.id;
  const mine = (await (await page.request.get(`/api/v1/trials/${trialId}/participants?limit=1`)).json()) as { items: { siteId: string }[] };
  const created = await page.request.post(`/api/v1/trials/${trialId}/participants`, {
    headers: { "Idempotency-Key": `work-list-${Date.now()}` },
    data: {
      siteId: mine.items[0]!.siteId,
      screeningDate: todayIn("America/New_York"),
      ageAtScreening: 70,
      sex: "female",
      results: [{ subtype: "ALK", result: "detected", method: "FISH" }],
    },
  });
  expect(created.status()).toBe(201);
  const { screeningNumber } = (await created.json()) as { screeningNumber: string };
  await openTrial(page, "TB-201");
  const awaiting = page.getByTestId("awaiting");
  await expect(awaiting.getByRole("row", { name: new RegExp(screeningNumber) })).toContainText("Screened");
  expect((await awaiting.boundingBox())!.y).toBeLessThan((await page.getByTestId("enrolled-overall").boundingBox())!.y);
  for (const status of await awaiting.locator("tbody tr td:nth-child(2)").allInnerTexts()) expect(["Screened", "Eligible", "Consented"]).toContain(status);
});

test("an investigator with no site to register at has no work list on the trial page", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.investigator);
  await openTrial(page, "TB-201");
  await expect(page.getByTestId("enrolled-overall")).toBeVisible();
  await expect(page.getByTestId("awaiting")).toHaveCount(0);
});

test("the Chinese coordinator works in Chinese and sees only their own site's patients", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorCn);
  await page.goto("/trials");
  await expect(page.getByRole("heading", { name: "试验", level: 1 })).toBeVisible();
  await openTrial(page, "TB-201");
  expect([...(await patientRowSites(page))]).toEqual(["珠江肿瘤医院"]);
});

test("the trial-wide investigator sees patient rows from several sites", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.investigator);
  await openTrial(page, "TB-201");
  expect((await patientRowSites(page)).size).toBeGreaterThan(1);
});

for (const role of ["sponsor", "admin"] as const) {
  test(`the ${role} sees counts but no patient-level rows`, async ({ page, signIn }) => {
    await signIn(ACCOUNTS[role]);
    for (const code of ["TB-201", "TB-305"]) {
      await openTrial(page, code);
      await expect(page.getByTestId("counts-only")).toBeVisible();
      await expect(page.getByTestId("patient-rows")).toHaveCount(0);
      await expect(page.getByText(/^(US|CN)-[A-Z]+\d-\d{4}$/)).toHaveCount(0); // no screening numbers anywhere
    }
  });
}

test("a trial that does not exist, or is not yours, is not found", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.sponsor);
  const response = await page.goto("/trials/not-a-real-trial");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});

test("the JSON API answers the trials the caller may see, and 401 when signed out", async ({ page, signIn }) => {
  expect((await page.request.get("/api/v1/trials")).status()).toBe(401);
  await signIn(ACCOUNTS.sponsor);
  const response = await page.request.get("/api/v1/trials");
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { items: { code: string; target: number; enrolled: number; byCountry: Record<string, { enrolled: number }> }[] };
  expect(body.items.map((i) => i.code).sort()).toEqual(["TB-201", "TB-305"]);
  for (const item of body.items) expect(item.byCountry.US!.enrolled + item.byCountry.CN!.enrolled).toBe(item.enrolled);
});

test("the health check answers ok", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: "ok" });
});
