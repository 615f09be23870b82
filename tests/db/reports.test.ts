import ExcelJS from "exceljs";
import Papa from "papaparse";
import { extractText, getDocumentProxy } from "unpdf";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { sitePerformance } from "@/lib/performance/sites";
import { enrolmentSummary } from "@/lib/enrolment/summary";
import { buildEnrolmentReport } from "@/lib/reports/enrolment-report";
import { reportCsv, reportPdf, reportXlsx } from "@/lib/reports/formats";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let sponsor: Actor;
let trialId: string;
beforeAll(async () => {
  await seedDemoData();
  sponsor = await actorFor(DEMO_ACCOUNTS.sponsor);
  trialId = (await db().trial.findFirstOrThrow({ where: { code: "TB-201" } })).id;
});

describe("enrolment reports", () => {
  it("CSV: UTF-8 with BOM, Chinese site names intact, totals equal to the enrolment endpoint's", async () => {
    const summary = await enrolmentSummary(db(), trialId);
    const csv = reportCsv(await buildEnrolmentReport(sponsor, trialId, {}, "csv"));
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = Papa.parse<Record<string, string>>(csv.slice(1), { header: true, skipEmptyLines: true }).data;
    const all = rows.find((r) => r.section === "country" && r.key === "ALL")!;
    expect(Number(all.enrolled)).toBe(summary.totals.enrolled);
    expect(Number(all.screened)).toBe(summary.totals.screened);
    expect(Number(rows.find((r) => r.section === "country" && r.key === "CN")!.enrolled)).toBe(summary.byCountry.CN.enrolled);
    expect(rows.filter((r) => r.section === "site")).toHaveLength(summary.bySite.length);
    expect(rows.find((r) => r.key === "CN-GZ1")!.name_local).toBe("珠江肿瘤医院");
    expect(rows.find((r) => r.section === "report" && r.key === "as_of")!.name).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    for (const cohort of summary.byCohort) {
      expect(Number(rows.find((r) => r.section === "cohort" && r.key === cohort.code && r.country === "ALL")!.enrolled)).toBe(cohort.enrolled);
    }
    const monthly = rows.filter((r) => r.section === "month").reduce((sum, r) => sum + Number(r.enrolled), 0);
    expect(monthly).toBe(summary.totals.enrolled);
  });

  it("filters: one country's report adds up to that country's counts", async () => {
    const summary = await enrolmentSummary(db(), trialId);
    const report = await buildEnrolmentReport(sponsor, trialId, { country: "CN" }, "csv");
    expect(report.summary.totals).toEqual(summary.byCountry.CN);
    expect(report.summary.bySite.every((s) => s.country === "CN")).toBe(true);
    await expect(buildEnrolmentReport(sponsor, trialId, { country: "JP" }, "csv")).rejects.toMatchObject({ code: "invalid" });
    await expect(buildEnrolmentReport(sponsor, "not-a-trial", {}, "csv")).rejects.toMatchObject({ code: "not_found" });
  });

  it("Excel: a real workbook with every sheet and the same totals", async () => {
    const summary = await enrolmentSummary(db(), trialId);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await reportXlsx(await buildEnrolmentReport(sponsor, trialId, {}, "xlsx"))) as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual([
      "Summary",
      "By site",
      "By cohort",
      "Monthly timeline",
      "Screen failures",
      "CONSORT flow",
      "Site performance",
      "Forecast",
    ]);
    // The site performance page's figures, site by site (issue 18 item 5).
    const performance = await sitePerformance(sponsor, trialId);
    const perf = book.getWorksheet("Site performance")!;
    expect(perf.getRow(1).getCell(7).value).toBe("Chance of missing its share of plan");
    expect(perf.getRow(1).getCell(8).value).toBe("Screen failures");
    performance.sites.forEach((x, i) => {
      const row = perf.getRow(i + 2);
      expect([row.getCell(1).value, row.getCell(5).value, row.getCell(11).value]).toEqual([x.code, x.screened, x.enrolled]);
      if (x.missProbability !== null) expect(row.getCell(7).value).toBeCloseTo(x.missProbability, 10);
      if (x.screenFailureShare !== null) expect(row.getCell(8).value).toBeCloseTo(x.screenFailureShare, 10);
      expect(row.getCell(8).numFmt).toBe("0%");
      if (x.activationDate) expect(row.getCell(9).value).toMatch(/^(Red|Amber|Too few to judge|Within limits)$/);
    });
    const cells = (name: string) => book.getWorksheet(name)!.getSheetValues() as unknown[][];
    const summaryRow = cells("Summary").find((r) => r?.[1] === "Enrolled (all sites)")!;
    expect(summaryRow[2]).toBe(summary.totals.enrolled);
    expect(cells("By site").filter(Boolean)).toHaveLength(summary.bySite.length + 1);
    // Dates are dates, headers stay in view and carry filters.
    const bySite = book.getWorksheet("By site")!;
    const activated = summary.bySite.findIndex((x) => x.activationDate);
    const cell = bySite.getRow(activated + 2).getCell(5);
    expect(cell.value).toBeInstanceOf(Date);
    expect((cell.value as Date).toISOString().slice(0, 10)).toBe(summary.bySite[activated]!.activationDate);
    expect(cell.numFmt).toBe("yyyy-mm-dd");
    expect(bySite.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(bySite.autoFilter).toBeTruthy();
    const month = book.getWorksheet("Monthly timeline")!.getRow(2).getCell(1);
    expect(month.value).toBeInstanceOf(Date);
    expect(month.numFmt).toBe("yyyy-mm");
    expect(cells("Summary").find((r) => r?.[1] === "As of (UTC)")![2]).toBeInstanceOf(Date);
    // The CONSORT sheet adds up: excluded + still in screening + enrolled = screened.
    const consort = new Map(
      cells("CONSORT flow")
        .filter(Boolean)
        .map((r) => [r[1], r[2]]),
    );
    expect(Number(consort.get("Excluded (screen failures)")) + Number(consort.get("Still in screening (no decision yet)")) + summary.totals.enrolled).toBe(
      summary.totals.screened,
    );
    expect(
      cells("Forecast")
        .filter(Boolean)
        .map((r) => r[1]),
    ).toEqual(["scenario", "US only", "China only", "US and China jointly"]);
  });

  it("Excel in Chinese: sheet names and headings in the reader's language, the same numbers", async () => {
    const summary = await enrolmentSummary(db(), trialId);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await reportXlsx(await buildEnrolmentReport(sponsor, trialId, { country: "CN" }, "xlsx"), "zh-CN")) as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(["摘要", "按中心", "按队列", "按月进度", "筛选失败", "CONSORT 流程", "中心表现", "预测"]);
    // The filter keeps the Chinese sites only, in the performance sheet too; its headings are Chinese.
    const perf = book.getWorksheet("中心表现")!;
    expect(perf.getRow(1).getCell(8).value).toBe("筛选失败");
    expect(perf.getColumn(3).values.slice(2)).toEqual(summary.bySite.filter((x) => x.country === "CN").map(() => "CN"));
    const cells = (name: string) => book.getWorksheet(name)!.getSheetValues() as unknown[][];
    expect(cells("摘要").find((r) => r?.[1] === "已入组（全部中心）")![2]).toBe(summary.byCountry.CN.enrolled);
    expect(cells("摘要").find((r) => r?.[1] === "筛选条件")![2]).toBe("国家 CN");
    expect(cells("按中心")[1]!.slice(1, 7)).toEqual(["代码", "名称", "本地名称", "国家", "启动日期", "已筛选"]);
    expect(
      cells("预测")
        .filter(Boolean)
        .map((r) => r[1]),
    ).toEqual(["情景", "仅美国", "仅中国", "中美联合"]);
  });

  it("PDF: readable text with the headline, charts' legend, CONSORT, forecast and site table", async () => {
    const summary = await enrolmentSummary(db(), trialId);
    const pdf = await reportPdf(await buildEnrolmentReport(sponsor, trialId, {}, "pdf"));
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const { text, totalPages } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
    expect(totalPages).toBeGreaterThanOrEqual(2);
    expect(text).toContain(`Enrolled ${summary.totals.enrolled} of 320`);
    for (const heading of [
      "Cumulative enrolment by country",
      "United States",
      "Cohorts against targets",
      "Flow of participants (CONSORT)",
      "Forecast of completion",
      "US and China jointly: median",
      "Harborview Thoracic Oncology Center",
      "Pearl River Cancer Hospital",
      "珠江肿瘤医院", // a Chinese site's Chinese name, in the embedded font
      "in Chinese",
      "Still in screening",
      "On study",
    ]) {
      expect(text).toContain(heading);
    }
    expect(text).toContain(`page 1 of ${totalPages}`);
    expect(text).toContain(`page ${totalPages} of ${totalPages}`);
    expect(text).toMatch(/As of \d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}/); // not an ISO stamp
  });

  it("PDF for a Chinese reader: in Chinese throughout, Chinese site names first, dates in Chinese", async () => {
    const summary = await enrolmentSummary(db(), trialId);
    const pdf = await reportPdf(await buildEnrolmentReport(sponsor, trialId, { country: "CN" }, "pdf"), "zh-CN");
    const { text, totalPages } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
    const squeezed = text.replace(/\s+/g, ""); // text extraction may break a CJK line anywhere
    for (const words of [
      "TB-201入组报告",
      "筛选条件：国家CN",
      `已入组${summary.byCountry.CN.enrolled}/320`,
      "各国累计入组",
      "受试者流程（CONSORT）",
      "仍在筛选中",
      "完成时间预测",
      "中美联合：中位数",
      "珠江肿瘤医院",
      "PearlRiverCancerHospital", // the English name beneath it
      `第1页，共${totalPages}页`,
    ]) {
      expect(squeezed).toContain(words);
    }
    expect(squeezed).toMatch(/数据截至\d{4}年\d{1,2}月\d{1,2}日/);
    for (const english of ["enrolment report", "Headline", "Screened", "page 1 of"]) expect(text).not.toContain(english);
    expect(pdf.length).toBeLessThan(400_000); // the font is embedded as a subset, not its 10 MB whole
  });

  it("audits every download with its format and filters", async () => {
    const before = await db().auditEvent.count({ where: { action: "report.download", actorId: sponsor.id } });
    await buildEnrolmentReport(sponsor, trialId, { country: "US" }, "pdf");
    const last = await db().auditEvent.findFirstOrThrow({ where: { action: "report.download", actorId: sponsor.id }, orderBy: { id: "desc" } });
    expect(await db().auditEvent.count({ where: { action: "report.download", actorId: sponsor.id } })).toBe(before + 1);
    expect(last.after).toEqual({ report: "enrolment", format: "pdf", filters: { country: "US" } });
  });
});
