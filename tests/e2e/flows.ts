// Browser flows shared by several specs.
import type { Page } from "@playwright/test";
import { todayIn } from "../../lib/dates/calendar";
import { expect } from "./fixtures";

export interface Labels {
  screeningLog: string;
  register: string;
  age: string;
  female: string;
  subtype: string;
  method: string;
  save: string;
  moveTo: string;
  date: string;
  cohort: string;
  saveStep: string;
  correctAge: string;
  correctReason: string;
  saveCorrection: string;
  eligible: string;
  consented: string;
  enrolled: string;
  egfrCohort: string;
  ngsTissue: string;
  audit: string[];
}

export const EN: Labels = {
  screeningLog: "Screening log",
  register: "Register a patient",
  age: "Age at screening",
  female: "Female",
  subtype: "Subtype (name as on the report) 1",
  method: "Method 1",
  save: "Register",
  moveTo: "Move to",
  date: "Date",
  cohort: "Cohort",
  saveStep: "Save step",
  correctAge: "Age at screening",
  correctReason: "Reason for change (required)",
  saveCorrection: "Save correction",
  eligible: "Eligible",
  consented: "Consented",
  enrolled: "Enrolled",
  egfrCohort: "EGFR sensitizing (exon 19 deletion or L858R)",
  ngsTissue: "NGS (tissue)",
  audit: ["Registered", "Status changed", "Status changed", "Status changed", "Corrected"],
};

export const ZH: Labels = {
  screeningLog: "筛选日志",
  register: "登记患者",
  age: "筛选时年龄",
  female: "女",
  subtype: "亚型（按报告书写） 1",
  method: "检测方法 1",
  save: "登记",
  moveTo: "变更为",
  date: "日期",
  cohort: "队列",
  saveStep: "保存步骤",
  correctAge: "筛选时年龄",
  correctReason: "更正原因（必填）",
  saveCorrection: "保存更正",
  eligible: "符合入选",
  consented: "已知情同意",
  enrolled: "已入组",
  egfrCohort: "EGFR sensitizing (exon 19 deletion or L858R)",
  ngsTissue: "NGS（组织）",
  audit: ["登记", "状态变更", "状态变更", "状态变更", "更正"],
};

export async function registerAndEnrol(page: Page, l: Labels, timeZone: string, afterEnrolment?: () => Promise<void>) {
  const today = todayIn(timeZone);
  await page.goto("/trials");
  await page.getByRole("link", { name: "TB-201", exact: true }).click();
  await page.getByRole("link", { name: l.screeningLog }).click();
  await page.getByRole("link", { name: l.register }).click();
  await page.getByLabel(l.age, { exact: true }).fill("58");
  await page.getByLabel(l.female, { exact: true }).check();
  await page.getByLabel(l.subtype).fill("p.Leu858Arg");
  await page.getByLabel(l.method).selectOption("NGS_TISSUE");
  await page.getByRole("button", { name: l.save, exact: true }).click();
  await expect(page).toHaveURL(/\/participants\/[a-z0-9]+$/);
  await expect(page.getByTestId("participant-facts")).toContainText("EGFR:L858R");
  const number = (await page.getByRole("heading", { level: 1 }).innerText()).trim();

  for (const step of [l.eligible, l.consented, l.enrolled]) {
    await page.getByLabel(l.moveTo).selectOption({ label: step });
    await page.getByLabel(l.date, { exact: true }).fill(today);
    if (step === l.enrolled) await page.getByLabel(l.cohort, { exact: true }).selectOption({ label: l.egfrCohort });
    await page.getByRole("button", { name: l.saveStep }).click();
    await expect(page.getByTestId("status")).toHaveText(step);
    if (step === l.enrolled && afterEnrolment) await afterEnrolment();
  }

  await page.getByLabel(l.correctAge, { exact: true }).last().fill("59");
  await page.getByLabel(l.correctReason).fill("Age copied from the wrong line");
  await page.getByRole("button", { name: l.saveCorrection }).click();
  await expect(page.getByTestId("age")).toHaveText("59");
  const audit = page.getByTestId("audit");
  await expect(audit.locator("tbody tr")).toHaveCount(5);
  expect(await audit.locator("tbody tr td:nth-child(3)").allInnerTexts()).toEqual(l.audit);
  await expect(audit.locator("tbody tr").last()).toContainText("Age copied from the wrong line");
  await expect(audit.locator("tbody tr").last()).toContainText('"ageAtScreening": 58');
  await expect(audit.locator("tbody tr").last()).toContainText('"ageAtScreening": 59');
  return { url: page.url(), number };
}
