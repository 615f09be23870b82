import { ACCOUNTS, expect, test } from "./fixtures";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { EN, registerAndEnrol, ZH } from "./flows";

test("a US coordinator registers p.Leu858Arg, enrols into the EGFR cohort and corrects the age, all audited", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorUs);
  const { number } = await registerAndEnrol(page, EN, "America/New_York");
  expect(number).toMatch(/^US-BOS1-\d{4}$/);
});

test("a Chinese coordinator does the same in Chinese; neither coordinator can reach the other's patients", async ({ browser }) => {
  const cnContext = await browser.newContext();
  const cn = await cnContext.newPage();
  const { signIn } = await import("./fixtures");
  await signIn(cn, ACCOUNTS.coordinatorCn);
  const cnPatient = await registerAndEnrol(cn, ZH, "Asia/Shanghai");
  expect(cnPatient.number).toMatch(/^CN-GZ1-\d{4}$/);

  const usContext = await browser.newContext();
  const us = await usContext.newPage();
  await signIn(us, ACCOUNTS.coordinatorUs);
  const path = new URL(cnPatient.url).pathname; // /trials/{trialId}/participants/{id}
  expect((await us.goto(path))?.status()).toBe(404);
  const api = `/api/v1${path}`;
  expect((await us.request.get(api)).status()).toBe(404);
  expect((await us.request.patch(api, { data: { version: 5, reason: "x", ageAtScreening: 60 } })).status()).toBe(404);
  expect(
    (await us.request.post(`${api}/transitions`, { data: { to: "WITHDRAWN", date: "2026-01-01", reasonCode: "OTHER", reason: "x", version: 5 } })).status(),
  ).toBe(404);
  expect((await cn.request.get(api)).status()).toBe(200);
  await cnContext.close();
  await usContext.close();
});

test("a refused registration keeps what was typed (the screening date too) and offers the nearest subtypes to click", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorUs);
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  await page.getByRole("link", { name: EN.screeningLog }).click();
  await page.getByRole("link", { name: EN.register }).click();
  const date = addDays(todayIn("America/New_York"), -9);
  await page.getByLabel("Screening date").fill(date);
  await page.getByLabel(EN.age, { exact: true }).fill("67");
  await page.getByLabel(EN.female, { exact: true }).check();
  await page.getByLabel(EN.subtype).fill("KRAS G12X mutation");
  await page.getByLabel(EN.method).selectOption("PCR");
  await page.getByRole("button", { name: EN.save, exact: true }).click();

  const subtype = page.getByLabel(EN.subtype);
  await expect(subtype).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("form-status")).toBeFocused();
  await expect(page.getByLabel("Screening date")).toHaveValue(date); // not back to today
  await expect(page.getByLabel(EN.age, { exact: true })).toHaveValue("67");
  await expect(page.getByLabel(EN.female, { exact: true })).toBeChecked();
  await expect(page.getByLabel(EN.method)).toHaveValue("PCR");
  await expect(subtype).toHaveValue("KRAS G12X mutation");

  // The nearest vocabulary keys are offered: one click puts the right one in the field.
  await page.getByTestId("suggestions").getByRole("button", { name: "KRAS:G12C", exact: true }).click();
  await expect(subtype).toHaveValue("KRAS:G12C");
  await expect(subtype).toBeFocused();
  await page.getByRole("button", { name: EN.save, exact: true }).click();
  await expect(page).toHaveURL(/\/participants\/[a-z0-9]+$/);
  await expect(page.getByTestId("participant-facts")).toContainText("KRAS:G12C");
});

test("after each step the next-step form offers what the record allows now, with the fields that step needs", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorUs);
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  await page.getByRole("link", { name: EN.screeningLog }).click();
  await page.getByRole("link", { name: EN.register }).click();
  await page.getByLabel(EN.age, { exact: true }).fill("71");
  await page.getByLabel(EN.female, { exact: true }).check();
  await page.getByLabel(EN.subtype).fill("EGFR L858R mutation");
  await page.getByRole("button", { name: EN.save, exact: true }).click();
  await expect(page).toHaveURL(/\/participants\/[a-z0-9]+$/);
  const today = todayIn("America/New_York");
  for (const step of [EN.eligible, EN.consented]) {
    await page.getByLabel(EN.moveTo).selectOption({ label: step });
    await page.getByLabel(EN.date, { exact: true }).fill(today);
    await page.getByRole("button", { name: EN.saveStep }).click();
    await expect(page.getByTestId("status")).toHaveText(step);
  }
  // Consented: the first step offered is Enrolled, and its cohort choice is there without touching the list.
  await expect(page.getByLabel(EN.moveTo)).toHaveValue("ENROLLED");
  await expect(page.getByLabel(EN.cohort, { exact: true })).toBeVisible();
  await page.getByLabel(EN.date, { exact: true }).fill(today);
  await page.getByLabel(EN.cohort, { exact: true }).selectOption({ label: EN.egfrCohort });
  await page.getByRole("button", { name: EN.saveStep }).click();
  await expect(page.getByTestId("status")).toHaveText(EN.enrolled);
});

test("a refused step keeps what was typed; a step's date is corrected on the path, which shows the old date beside it", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorUs);
  const today = todayIn("America/New_York");
  const screened = addDays(today, -5);
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  await page.getByRole("link", { name: EN.screeningLog }).click();
  await page.getByRole("link", { name: EN.register }).click();
  await page.getByLabel("Screening date").fill(screened);
  await page.getByLabel(EN.age, { exact: true }).fill("66");
  await page.getByLabel(EN.female, { exact: true }).check();
  await page.getByLabel(EN.subtype).fill("KRAS G12C");
  await page.getByRole("button", { name: EN.save, exact: true }).click();
  await expect(page).toHaveURL(/\/participants\/[a-z0-9]+$/);

  // "Other" without a note is refused: the step, its date and its reason stay as typed, the note is marked.
  await page.getByLabel(EN.moveTo).selectOption("SCREEN_FAILED");
  await page.getByLabel(EN.date, { exact: true }).fill(addDays(today, -1));
  await page.getByLabel("Reason", { exact: true }).selectOption("OTHER");
  await page.getByRole("button", { name: EN.saveStep }).click();
  await expect(page.getByTestId("move-status")).toBeFocused();
  await expect(page.getByLabel(EN.moveTo)).toHaveValue("SCREEN_FAILED");
  await expect(page.getByLabel(EN.date, { exact: true })).toHaveValue(addDays(today, -1));
  await expect(page.getByLabel("Reason", { exact: true })).toHaveValue("OTHER");
  await expect(page.locator("#reason")).toHaveAttribute("aria-invalid", "true");
  await page.locator("#reason").fill("Moved abroad before consent");
  await page.getByRole("button", { name: EN.saveStep }).click();
  await expect(page.getByTestId("status")).toHaveText("Screen failure");

  // The failure was on the day of screening: corrected on the path, with the old date beside the new.
  const row = page.getByTestId("history").locator("tbody tr").last();
  await row.getByText("Correct this step").click();
  await row.getByLabel("Corrected date").fill(addDays(screened, -1)); // before screening: refused, nothing lost
  await row.getByLabel("Why this step is corrected (required)").fill("Date from the tumour board minutes");
  await row.getByRole("button", { name: "Save this step’s correction" }).click();
  await expect(row.getByTestId("step-status")).toBeFocused();
  await expect(row.getByLabel("Why this step is corrected (required)")).toHaveValue("Date from the tumour board minutes");
  await expect(row.getByLabel("Corrected date")).toHaveAttribute("aria-invalid", "true");
  await row.getByLabel("Corrected date").fill(screened);
  await row.getByRole("button", { name: "Save this step’s correction" }).click();
  const corrected = page.getByTestId("history").locator("tbody tr").last();
  await expect(corrected.getByTestId("corrected-from")).toBeVisible();
  await expect(page.getByTestId("history").locator("tbody tr")).toHaveCount(2); // the corrected row is kept, not shown twice
  const audit = page.getByTestId("audit").locator("tbody tr").last();
  await expect(audit).toContainText("Date from the tumour board minutes");
  await expect(audit).toContainText(`"date": "${addDays(today, -1)}"`);
  await expect(audit).toContainText(`"date": "${screened}"`);
});

test("an import is checked and shown before anything is saved, in the reader's words, and the same file goes in once", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorUs);
  const today = todayIn("America/New_York");
  const [y, m, d] = addDays(today, -3).split("-");
  const good = `site,screeningDate,ageAtScreening,sex,results\nUS-BOS1,${Number(m)}/${Number(d)}/${y},63,Female,"EGFR exon 19 deletion|Detected|NGS (tissue)"\n`;
  const bad = `site,screeningDate,ageAtScreening,sex,results\nUS-BOS1,${today},63,female,"EGFR exon 19 deletion|detected|NGS (tissue)"\nUS-BOS1,${today},63,female,"EGFR exon 19 deletion|detected|sequencing"\n`;
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  await page.getByRole("link", { name: EN.screeningLog }).click();
  await page.getByRole("link", { name: "Import a CSV screening log" }).click();
  const template = await page.request.get(
    await page
      .getByRole("link", { name: "Download a template (CSV) with your sites" })
      .getAttribute("href")
      .then((h) => h!),
  );
  expect(await template.text()).toContain("site,screeningDate,ageAtScreening,sex,results");

  await page.getByLabel("CSV file").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await page.getByRole("button", { name: "Check the file" }).click();
  const problems = page.getByTestId("import-problems");
  await expect(problems.locator("tbody tr")).toHaveCount(1);
  await expect(problems.locator("tbody tr td").nth(0)).toHaveText("3");
  await expect(problems.locator("tbody tr td").nth(1)).toHaveText("result 1 · Method");
  await expect(page.getByTestId("import-status")).toContainText("Nothing has been imported");
  await expect(page.getByRole("button", { name: /^Import \d/ })).toHaveCount(0);

  await page.getByLabel("CSV file").setInputFiles({ name: "good.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  await page.getByRole("button", { name: "Check the file" }).click();
  const preview = page.getByTestId("import-preview");
  await expect(preview.locator("tbody tr")).toHaveCount(1);
  await expect(preview).toContainText(addDays(today, -3)); // the US date read as month/day
  await expect(preview).toContainText("EGFR:ex19del");
  await page.getByRole("button", { name: "Import 1 patient" }).click();
  await expect(page.getByTestId("import-status")).toHaveText("Imported 1 patient.");
  const record = page.getByTestId("imported").getByRole("link"); // the new record, one click away
  await expect(record).toHaveText(/^US-BOS1-\d{4}$/);
  const number = await record.innerText();
  const href = (await record.getAttribute("href"))!;

  await page.getByRole("button", { name: "Check the file" }).click(); // the same file again
  await expect(page.getByTestId("import-status")).toContainText("was imported into this trial on");
  await expect(page.getByRole("button", { name: "Import 1 patient" })).toHaveCount(0);

  // The same patient in another file, its date written day/month: read in the order chosen, and flagged.
  const again = `site,screeningDate,ageAtScreening,sex,results\nUS-BOS1,${Number(d)}.${Number(m)}.${y},63,female,"EGFR exon 19 deletion|detected|NGS_TISSUE"\n`;
  await page.getByLabel("Dates with the year last").selectOption("dmy");
  await page.getByLabel("CSV file").setInputFiles({ name: "again.csv", mimeType: "text/csv", buffer: Buffer.from(again) });
  await page.getByRole("button", { name: "Check the file" }).click();
  const duplicates = page.getByTestId("import-duplicates");
  await expect(duplicates).toContainText(`Line 2: same site, screening date, age, sex and results as ${number}`);
  await expect(duplicates.getByRole("link", { name: number })).toHaveAttribute("href", href);
  await expect(page.getByRole("button", { name: "Import 1 patient, keeping the possible duplicates" })).toBeVisible();
  await page.goto(href);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(number);
});

test.describe("on a phone (390 px wide)", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the registration form and the record fit the screen, and Register can be reached and pressed", async ({ page, signIn }) => {
    await signIn(ACCOUNTS.coordinatorUs);
    await page.goto("/trials");
    await page.getByRole("link", { name: "TB-201", exact: true }).click();
    await page.getByRole("link", { name: EN.screeningLog }).click();
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    await expect(page.getByTestId("participant-list")).toBeVisible();
    expect(await width()).toBeLessThanOrEqual(390); // the log: its table scrolls in place
    await page.getByRole("link", { name: EN.register }).click();
    await expect(page).toHaveURL(/\/participants\/new$/);
    expect(await width()).toBeLessThanOrEqual(390);
    const register = page.getByRole("button", { name: EN.save, exact: true });
    await register.scrollIntoViewIfNeeded();
    const box = (await register.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await page.getByLabel(EN.age, { exact: true }).fill("52");
    await page.getByLabel(EN.female, { exact: true }).check();
    await page.getByLabel(EN.subtype).fill("ALK fusion");
    await register.click();
    await expect(page).toHaveURL(/\/participants\/[a-z0-9]+$/);
    expect(await width()).toBeLessThanOrEqual(390); // the record page too: its wide tables scroll in their own regions
  });
});

test("the log says why a patient failed screening, and shows voided records when asked, marked as voided", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorUs);
  const trials = (await (await page.request.get("/api/v1/trials")).json()) as { items: { id: string; code: string }[] };
  const trialId = trials.items.find((t) => t.code === "TB-201")!.id;
  const mine = (await (await page.request.get(`/api/v1/trials/${trialId}/participants?limit=1`)).json()) as { items: { siteId: string }[] };
  const day = addDays(todayIn("America/New_York"), -45); // a day no other test registers on
  const register = async (n: number) => {
    const response = await page.request.post(`/api/v1/trials/${trialId}/participants`, {
      headers: { "Idempotency-Key": `log-test-${n}-${Date.now()}` },
      data: {
        siteId: mine.items[0]!.siteId,
        screeningDate: day,
        ageAtScreening: 60 + n,
        sex: "male",
        results: [{ subtype: "BRAF V600E", result: "detected", method: "PCR" }],
      },
    });
    expect(response.status()).toBe(201);
    return (await response.json()) as { id: string; screeningNumber: string; version: number };
  };
  const failed = await register(1);
  const mistaken = await register(2);
  const base = `/api/v1/trials/${trialId}/participants`;
  expect(
    (
      await page.request.post(`${base}/${failed.id}/transitions`, {
        data: { to: "SCREEN_FAILED", date: day, reasonCode: "EXCLUSION_MET", version: failed.version },
      })
    ).status(),
  ).toBe(200);
  expect((await page.request.post(`${base}/${mistaken.id}/void`, { data: { reason: "Registered twice", version: mistaken.version } })).status()).toBe(200);

  await page.goto(`/trials/${trialId}/participants?from=${day}&to=${day}`);
  const list = page.getByTestId("participant-list");
  await expect(list.getByRole("row", { name: new RegExp(failed.screeningNumber) })).toContainText("Screen failure · Exclusion criterion met");
  await expect(list.getByRole("row", { name: new RegExp(mistaken.screeningNumber) })).toHaveCount(0);
  await page.getByLabel("Show voided records").check();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(list.getByRole("row", { name: new RegExp(mistaken.screeningNumber) }).getByTestId("voided")).toHaveText("Voided");
});
