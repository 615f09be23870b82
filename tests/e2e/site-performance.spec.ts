import { ACCOUNTS, expect, test } from "./fixtures";

test("an investigator sees every site's performance, with funnel plots, and the API gives the same figures", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.investigator);
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  await page.getByRole("link", { name: "Site performance" }).click();
  await expect(page.getByRole("heading", { name: "Site performance: TB-201" })).toBeVisible();
  const table = page.getByTestId("site-performance");
  // Every site of the trial (other tests may add one: the count is the API's).
  const api = await page.request.get(page.url().replace(/\/trials\/([^/]+)\/performance$/, "/api/v1/trials/$1/site-performance"));
  expect(api.status()).toBe(200);
  const body = (await api.json()) as { sites: { code: string; screened: number; missProbability: number | null; behind: boolean }[] };
  expect(body.sites.length).toBeGreaterThanOrEqual(43);
  await expect(table.locator("tbody tr")).toHaveCount(body.sites.length);
  // A site's row (one no other test registers at): its counts and waits, and a flag cell that says what it is.
  const row = table.locator('tr[data-site="US-NYC1"]');
  await expect(row.locator("td").nth(1)).toHaveText(/^\d+$/); // screened
  await expect(row.locator("td").nth(6)).toHaveText(/Within limits|Amber|Red|Too few to judge/);
  // Its chance of missing its share of plan, as the API gives it (behind plan from 90%, once open 3 months).
  const nyc = body.sites.find((s) => s.code === "US-NYC1")!;
  const chance = `${Math.round(nyc.missProbability! * 100)}%`;
  await expect(row.locator("td").nth(3)).toHaveText(nyc.behind ? `Behind plan (${chance})` : chance);
  // Two real charts, each named with what it shows.
  await expect(page.getByRole("img", { name: /Screen failures against patients screened\. Across the sites: \d+%/ })).toBeVisible();
  await expect(
    page
      .getByRole("img", { name: /Enrolments a month against months open/ })
      .locator("svg.recharts-surface")
      .first(),
  ).toBeVisible();
  const screened = Number(await row.locator("td").nth(1).textContent());
  expect(body.sites.find((s) => s.code === "US-NYC1")!.screened).toBe(screened);
});

test("the same page in Chinese", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorCn);
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  await page.getByRole("link", { name: "中心表现" }).click();
  await expect(page.getByRole("heading", { name: "中心表现: TB-201" })).toBeVisible();
  await expect(page.getByTestId("site-performance").locator("thead")).toContainText("至入组的中位天数");
  await expect(page.getByTestId("site-performance").locator('tr[data-site="CN-GZ1"] th')).toContainText("珠江");
});
