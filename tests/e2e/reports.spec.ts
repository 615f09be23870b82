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
  // Only the files named: not a name every object has (these answered a PDF while the check was `in`).
  const trialPath = new URL(page.url()).pathname.replace(/^\/trials\//, "").split("/")[0]!;
  for (const name of ["constructor", "__proto__", "toString", "report.exe"]) {
    expect((await page.request.get(`/api/v1/trials/${trialPath}/reports/${name}`)).status(), name).toBe(404);
  }
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
  const [odm] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /CDISC ODM 1\.3\.2/ }).click()]);
  expect(odm.suggestedFilename()).toMatch(/^TB-201-participants-.*\.odm\.xml$/);
  const xml = (await readFile((await odm.path())!)).toString("utf8");
  expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<ODM xmlns="http:\/\/www\.cdisc\.org\/ns\/odm\/v1\.3"/);
  expect(xml).toContain('ODMVersion="1.3.2"');
  expect(xml).toMatch(/<SubjectData SubjectKey="CN-GZ1-[^"]+">\s*<SiteRef LocationOID="SITE\.CN-GZ1"\/>\s*<tb:SubjectStatus[^>]* GeneticsWithheld="Yes"\/>/);
  expect(xml.trimEnd()).toMatch(/<\/ClinicalData>\n<\/ODM>$/);
  // The extension's schemas, which the file's users validate it with, are served beside the app.
  for (const schema of ["trialbridge-odm-1.xsd", "ODM1-3-2-trialbridge.xsd"]) {
    const answer = await page.request.get(`/odm/${schema}`);
    expect(answer.status(), schema).toBe(200);
    expect(await answer.text()).toContain('xmlns:xs="http://www.w3.org/2001/XMLSchema"');
  }
});
