import { ACCOUNTS, expect, signIn as signInPage, test } from "./fixtures";

test("on the demo data, the joint scenario finishes earlier than either country alone, with intervals", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.sponsor);
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  await page.getByRole("link", { name: "Forecast" }).click();
  await expect(page.getByRole("heading", { name: "Recruitment forecast: TB-201" })).toBeVisible();
  const summary = page.getByTestId("forecast-summary");
  const p50 = async (name: string) => Number(await summary.locator(`tr[data-scenario="${name}"]`).getAttribute("data-p50"));
  const [us, cn, joint] = [await p50("US only"), await p50("China only"), await p50("Joint")];
  expect(joint).toBeGreaterThan(0);
  expect(joint).toBeLessThan(us);
  expect(joint).toBeLessThan(cn);
  await expect(summary.locator('tr[data-scenario="Joint"] td').nth(1)).toHaveText(/\w{3} \d{4} – \w{3} \d{4}/); // 80% interval
  await expect(page.getByTestId("speedup")).toContainText("sooner than");
  await expect(
    page
      .getByRole("img", { name: /Fan chart of expected total enrolment/ })
      .locator("svg.recharts-surface")
      .first(),
  ).toBeVisible();
  await expect(page.locator(".recharts-line")).toHaveCount(3);
  // What it learned from the trial, each with its uncertainty: the demo's sites run at their plans, open on their
  // dates, at steady rates (or too briefly watched to tell).
  const learned = page.getByTestId("learned");
  await expect(learned.locator('[data-learned="ratio"]')).toContainText(/screen at [\d.]+ times their planned rates \(80% interval/);
  await expect(learned.locator('[data-learned="trend"]')).toContainText(/held steady|Too little history yet/);
  await expect(learned.locator('[data-learned="delay"]')).toHaveCount(0); // every TB-201 site is open: no delay to forecast
  // TB-305 has sites still to open: they are forecast to open as late as its open sites did (on their dates, here).
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-305", exact: true }).click();
  await page.getByRole("link", { name: "Forecast" }).click();
  await expect(learned.locator('[data-learned="delay"]')).toContainText(
    /Sites open on average 0\.\d months after their planned dates \(80% interval 0\.\d to 0\.\d; from 31 sites opened and 0 past their date\)/,
  );
});

test("what-if: a lower enrolment fraction redraws a later forecast without reloading", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.investigator);
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  await page.getByRole("link", { name: "Forecast" }).click();
  const jointRow = page.getByTestId("forecast-summary").locator('tr[data-scenario="Joint"]');
  const before = Number(await jointRow.getAttribute("data-p50"));
  await page.getByText("Assumptions (editable)").click();
  await page.getByLabel("Share of biomarker-matched patients who enrol (%)").fill("15");
  let loads = 0; // the address bar will change (it holds the scenario), the page must not reload
  page.on("load", () => loads++);
  await page.getByRole("button", { name: "Recalculate" }).click();
  await expect.poll(async () => Number(await jointRow.getAttribute("data-p50"))).toBeGreaterThan(before);
  expect(loads).toBe(0);
  // Said to be a what-if, downloadable, and one click from the live forecast again.
  const banner = page.getByTestId("what-if");
  await expect(banner).toContainText("not from the live forecast");
  const href = (await banner.getByRole("link", { name: "Download this scenario (JSON)" }).getAttribute("href"))!;
  const scenario = JSON.parse(decodeURIComponent(href.slice(href.indexOf(",") + 1))) as {
    input: { enrolmentFraction?: number };
    result: { scenarios: unknown[] };
  };
  expect(scenario.result.scenarios.length).toBeGreaterThan(0);
  const csvHref = (await banner.getByRole("link", { name: "Its figures (CSV)" }).getAttribute("href"))!;
  const csv = decodeURIComponent(csvHref.slice(csvHref.indexOf(",") + 1)).split("\r\n");
  expect(csv[0]).toBe("scenario,cohort,completion_p10,completion_p50,completion_p90,share_not_within_horizon");
  expect(csv.find((line) => line.startsWith("Joint,ALL,"))).toMatch(/^Joint,ALL,(\d{4}-\d{2})?,(\d{4}-\d{2})?,(\d{4}-\d{2})?,[\d.]+$/);
  // A link to it: the address bar holds the changes, and another reader opening it sees the same what-if.
  const link = await banner.getByLabel("Link to this scenario").inputValue();
  expect(page.url()).toBe(link);
  expect(new URL(link).searchParams.get("scenario")).toBe(JSON.stringify({ v: 1, enrolFraction: 0.15 }));
  const whatIfP50 = Number(await jointRow.getAttribute("data-p50"));
  const other = await page.context().browser()!.newContext();
  const reader = await other.newPage();
  await signInPage(reader, ACCOUNTS.sponsor);
  await reader.goto(link);
  await expect(reader.getByTestId("what-if")).toBeVisible();
  await expect(reader.getByLabel("Share of biomarker-matched patients who enrol (%)")).toHaveValue("15");
  // The same changes on the live inputs as they are when the reader opens it: other tests enrol meanwhile, so the
  // month can move a little with the counts (it moved 0.07% once), never with the changes.
  await expect
    .poll(async () => {
      const p50 = Number(await reader.getByTestId("forecast-summary").locator('tr[data-scenario="Joint"]').getAttribute("data-p50"));
      return Math.abs(p50 - whatIfP50) / whatIfP50;
    })
    .toBeLessThan(0.01);
  await other.close();

  await banner.getByRole("button", { name: "Back to the live forecast" }).click();
  await expect(banner).toHaveCount(0);
  expect(Number(await jointRow.getAttribute("data-p50"))).toBe(before);
  expect(new URL(page.url()).search).toBe("");
});

test("the forecast of a trial you may not see is not found", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.sponsor);
  expect((await page.goto("/trials/unknown-trial/forecast"))?.status()).toBe(404);
  expect((await page.request.get("/api/v1/trials/unknown-trial/forecast")).status()).toBe(404);
});

test("what-if: impossible inputs are explained in the reader's language, and nothing is recalculated", async ({ page, signIn, baseURL }) => {
  await signIn(ACCOUNTS.sponsor);
  await page.context().addCookies([{ name: "tb-locale", value: "zh-CN", url: baseURL! }]);
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  await page.getByRole("link", { name: "预测", exact: true }).click();
  const jointRow = page.getByTestId("forecast-summary").locator('tr[data-scenario="Joint"]');
  const before = await jointRow.getAttribute("data-p50");
  await page.getByText("假设（可编辑）").click();
  await page.locator("#enrol-fraction").fill("0");
  const requests: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/v1/forecast")) requests.push(request.url());
  });
  await page.getByRole("button", { name: "重新计算" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "入组比例必须在 1% 到 100% 之间。" })).toBeVisible();
  expect(requests).toEqual([]);
  expect(await jointRow.getAttribute("data-p50")).toBe(before);
});
