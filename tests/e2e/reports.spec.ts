import { readFile } from "node:fs/promises";
import { ACCOUNTS, expect, test } from "./fixtures";

test("a sponsor downloads the enrolment report as CSV, Excel and PDF", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.sponsor);
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  const enrolled = Number(await page.getByTestId("enrolled-overall").locator(".big").getAttribute("data-value"));
  const files: Record<string, Buffer> = {};
  for (const [label, extension] of [
    ["CSV", "csv"],
    ["Excel", "xlsx"],
    ["PDF", "pdf"],
  ] as const) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: label, exact: true }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^TB-201-enrolment-.+\\.${extension}$`));
    files[extension] = await readFile((await download.path())!);
  }
  const csv = files.csv!.toString("utf8");
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  expect(csv).toContain("珠江肿瘤医院");
  // Other tests enrol patients meanwhile: the file's total is at least what the dashboard showed, and adds up.
  const enrolledIn = (key: string) => Number(new RegExp(`^country,${key},[^,]*,[^,]*,${key},\\d+,\\d+,\\d+,\\d+,(\\d+),`, "m").exec(csv)?.[1]);
  expect(csv).toMatch(/^country,ALL,All sites,全部中心,ALL,/m);
  expect(enrolledIn("ALL")).toBeGreaterThanOrEqual(enrolled);
  expect(enrolledIn("ALL")).toBe(enrolledIn("US") + enrolledIn("CN"));
  expect(files.xlsx!.subarray(0, 2).toString()).toBe("PK"); // a zip: a real .xlsx
  expect(files.pdf!.subarray(0, 5).toString()).toBe("%PDF-");
  const forbidden = await page.request.get("/api/v1/trials/not-a-trial/reports/enrolment.pdf");
  expect(forbidden.status()).toBe(404);
});

test("report filters on the trial page reach the file, and the listing is offered to whom it is allowed", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.investigator);
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  const reports = page.getByRole("form", { name: "Reports" });
  await reports.getByLabel("Country").selectOption("CN");
  const [download] = await Promise.all([page.waitForEvent("download"), reports.getByRole("button", { name: "CSV", exact: true }).click()]);
  const csv = (await readFile((await download.path())!)).toString("utf8");
  expect(csv).toContain("CN-GZ1");
  expect(csv).not.toContain("US-BOS1"); // only the Chinese sites
  await expect(page.getByRole("link", { name: "Download the de-identified participant listing (CSV)" })).toBeVisible();
});
