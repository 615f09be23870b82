// The enrolment report as CSV (RFC 4180, UTF-8 with BOM so Excel shows Chinese names), as an Excel workbook, and
// as a PDF for steering committees. The numbers come from one EnrolmentReport, so every format says the same.
import ExcelJS from "exceljs";
import { csvFile } from "@/lib/http/csv";
import PDFDocument from "pdfkit";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { METRICS, type Counts } from "@/lib/enrolment/summary";
import type { Locale } from "@/lib/i18n/config";
import { msg, renderMessage } from "@/lib/i18n/messages";
import { monthLabel, type EnrolmentReport } from "./enrolment-report";

const COLUMNS = [
  "section",
  "key",
  "name",
  "name_local",
  "country",
  "screened",
  "eligible",
  "screen_failed",
  "consented",
  "enrolled",
  "withdrawn",
  "completed",
  "target",
] as const;
const metricCells = (c: Partial<Counts>) => METRICS.map((m) => c[m] ?? "");

type Label = (key: string, params?: Record<string, string | number>) => string;
const ENGLISH_FILTERS: Label = (key, params) =>
  ({
    country: `country ${params?.value}`,
    site: `site ${params?.value}`,
    cohort: `cohort ${params?.value}`,
    from: `from ${params?.value}`,
    to: `to ${params?.value}`,
    none: "none",
  })[key] ?? key;

function describeFilters(report: EnrolmentReport, label: Label = ENGLISH_FILTERS) {
  const f = report.filters;
  const parts = [
    f.country && label("country", { value: f.country }),
    f.siteId && label("site", { value: report.summary.bySite[0]?.code ?? f.siteId }),
    f.cohortId && label("cohort", { value: report.summary.byCohort[0]?.code ?? f.cohortId }),
    f.from && label("from", { value: f.from }),
    f.to && label("to", { value: f.to }),
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : label("none");
}

/** A forecast scenario's name in the reader's language (a scenario of a user's own keeps the name it was given). */
function scenarioName(name: string, locale: Locale) {
  const key = `forecast.scenarioNames.${name}`;
  const text = renderMessage(msg(key), locale);
  return text === key ? name : text;
}

/** Labels of the Excel workbook in the reader's language (lib/i18n/messages: reports.workbook). */
function workbookLabels(locale: Locale): Label {
  return (key, params) => renderMessage(msg(`reports.workbook.${key}`, params), locale);
}

/** Whose counts these are, when a peer node's are included: its state and the as-of time of its latest counts. */
export function peerNote(report: EnrolmentReport): string | null {
  const f = report.summary.federation;
  if (!f) return null;
  const withheld = f.withheld ? `; ${f.withheld} small counts withheld by its policy, left out of every total` : "";
  return `includes the ${f.country} node's counts (${f.origin}): ${f.state.replace("_", " ")}, as of ${f.asOf ?? "never"}${withheld}`;
}

export function reportCsv(report: EnrolmentReport): string {
  const s = report.summary;
  const peer = peerNote(report);
  const rows: (string | number)[][] = [
    ["report", "as_of", report.asOf, "", "", ...metricCells({}), ""],
    ...(peer ? [["report", "peer_node", peer, "", "", ...metricCells({}), ""]] : []),
    ["report", "trial", report.trial.code, "", "", ...metricCells({}), report.trial.target],
    ["report", "filters", describeFilters(report), "", "", ...metricCells({}), ""],
    ...(["US", "CN"] as const).map((c) => [
      "country",
      c,
      c === "US" ? "United States" : "China",
      c === "US" ? "United States" : "中国",
      c,
      ...metricCells(s.byCountry[c]),
      "",
    ]),
    ["country", "ALL", "All sites", "全部中心", "ALL", ...metricCells(s.totals), report.trial.target],
    ...s.bySite.map((site) => ["site", site.code, site.nameEn, site.nameLocal, site.country, ...metricCells(site), ""]),
    ...s.byCohort.flatMap((c) => [
      ["cohort", c.code, c.name, "", "ALL", ...metricCells({ enrolled: c.enrolled }), c.target],
      ...(["US", "CN"] as const).map((k) => ["cohort", c.code, c.name, "", k, ...metricCells({ enrolled: c.byCountry[k] }), ""]),
    ]),
    ...s.timeline.flatMap((m) =>
      (["US", "CN"] as const).map((k) => ["month", m.month, "", "", k, ...metricCells({ screened: m.screened[k], enrolled: m.enrolled[k] }), ""]),
    ),
  ];
  return csvFile(COLUMNS, rows);
}

/** The workbook, its sheet names and headings in the reader's language (the data as it is). */
export async function reportXlsx(report: EnrolmentReport, locale: Locale = "en"): Promise<Buffer> {
  const s = report.summary;
  const t = workbookLabels(locale);
  const filters = describeFilters(report, (key, params) => t(`filters.${key}`, params));
  const scenario = (name: string) => scenarioName(name, locale);
  const book = new ExcelJS.Workbook();
  book.creator = "TrialBridge";
  book.created = new Date(report.asOf);
  // Tables keep their header in view and carry filters; calendar dates are real dates (a UTC midnight is the date
  // itself in Excel, which has no time zones), formatted so that no locale reorders them.
  const sheet = (name: string, columns: { header: string; key: string; width?: number; numFmt?: string }[], rows: Record<string, unknown>[], table = true) => {
    const ws = book.addWorksheet(name, table ? { views: [{ state: "frozen", ySplit: 1 }] } : {});
    ws.columns = columns.map(({ numFmt, ...c }) => ({ width: 14, ...c, ...(numFmt ? { style: { numFmt } } : {}) }));
    ws.getRow(1).font = { bold: true };
    ws.addRows(rows);
    if (table && rows.length) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
    return ws;
  };
  const day = (iso: string | null | undefined) => (iso ? new Date(`${iso.slice(0, 10)}T00:00:00Z`) : null);
  const firstOfMonth = (month: string) => new Date(`${month}-01T00:00:00Z`);
  const metrics = METRICS.map((m) => ({ header: t(`metrics.${m}`), key: m }));
  const summary = sheet(
    t("sheets.summary"),
    [
      { header: "", key: "label", width: 28 },
      { header: "", key: "value", width: 60 },
    ],
    [
      { label: t("summary.trial"), value: `${report.trial.code}: ${report.trial.title}` },
      { label: t("summary.sponsor"), value: report.trial.sponsorName },
      { label: t("summary.asOf"), value: new Date(report.asOf) },
      ...(peerNote(report) ? [{ label: t("summary.peer"), value: peerNote(report)! }] : []),
      { label: t("summary.filters"), value: filters },
      { label: t("summary.target"), value: report.trial.target },
      { label: t("summary.enrolled"), value: s.totals.enrolled },
      { label: t("summary.enrolledUS"), value: s.byCountry.US.enrolled },
      { label: t("summary.enrolledCN"), value: s.byCountry.CN.enrolled },
      { label: t("summary.screened"), value: s.totals.screened },
    ],
    false,
  );
  summary.getColumn(1).font = { bold: true };
  summary.getColumn(2).eachCell((cell) => {
    if (cell.value instanceof Date) cell.numFmt = "yyyy-mm-dd hh:mm"; // as of, UTC
  });
  sheet(
    t("sheets.bySite"),
    [
      { header: t("columns.code"), key: "code" },
      { header: t("columns.name"), key: "nameEn", width: 36 },
      { header: t("columns.localName"), key: "nameLocal", width: 24 },
      { header: t("columns.country"), key: "country" },
      { header: t("columns.activated"), key: "activationDate", numFmt: "yyyy-mm-dd" },
      ...metrics,
      { header: t("columns.perMonth"), key: "enrolmentRatePerMonth" },
      { header: t("columns.daysSince"), key: "daysSinceLastScreening" },
    ],
    s.bySite.map((x) => ({ ...x, activationDate: day(x.activationDate) })),
  );
  sheet(
    t("sheets.byCohort"),
    [
      { header: t("columns.code"), key: "code" },
      { header: t("columns.name"), key: "name", width: 44 },
      { header: t("columns.target"), key: "target" },
      { header: t("metrics.enrolled"), key: "enrolled" },
      { header: t("columns.US"), key: "US" },
      { header: t("columns.CN"), key: "CN" },
    ],
    s.byCohort.map((c) => ({ ...c, US: c.byCountry.US, CN: c.byCountry.CN })),
  );
  sheet(
    t("sheets.timeline"),
    [
      { header: t("columns.month"), key: "month", numFmt: "yyyy-mm" },
      { header: t("columns.screenedUS"), key: "sUS" },
      { header: t("columns.screenedCN"), key: "sCN" },
      { header: t("columns.enrolledUS"), key: "eUS" },
      { header: t("columns.enrolledCN"), key: "eCN" },
      { header: t("columns.cumulativeUS"), key: "cUS" },
      { header: t("columns.cumulativeCN"), key: "cCN" },
      { header: t("columns.cumulativeJoint"), key: "cJ" },
      { header: t("columns.planned"), key: "planned" },
    ],
    s.timeline.map((m) => ({
      month: firstOfMonth(m.month),
      sUS: m.screened.US,
      sCN: m.screened.CN,
      eUS: m.enrolled.US,
      eCN: m.enrolled.CN,
      cUS: m.cumulative.US,
      cCN: m.cumulative.CN,
      cJ: m.cumulative.joint,
      planned: m.planned,
    })),
  );
  sheet(
    t("sheets.screenFailures"),
    [
      { header: t("columns.reason"), key: "code", width: 24 },
      { header: t("columns.patients"), key: "count" },
    ],
    s.screenFailureReasons,
  );
  sheet(
    t("sheets.consort"),
    [
      { header: t("columns.step"), key: "step", width: 36 },
      { header: t("columns.patients"), key: "n" },
    ],
    [
      { step: t("consort.screened"), n: s.totals.screened },
      { step: t("consort.excluded"), n: s.totals.screenFailed },
      { step: t("consort.inScreening"), n: consortFlow(s.totals).inScreening },
      { step: t("metrics.eligible"), n: s.totals.eligible },
      { step: t("metrics.consented"), n: s.totals.consented },
      { step: t("metrics.enrolled"), n: s.totals.enrolled },
      ...s.byCohort.map((c) => ({ step: `  ${t("consort.enrolledIn", { cohort: c.name })}`, n: c.enrolled })),
      { step: t("consort.onStudy"), n: consortFlow(s.totals).onStudy },
      { step: t("metrics.withdrawn"), n: s.totals.withdrawn },
      { step: t("metrics.completed"), n: s.totals.completed },
    ],
  );
  if (report.performance) {
    // The site performance page's figures (lib/performance/sites.ts): shares as fractions formatted as percentages.
    const flag = (f: { flag: string | null; tooFew: boolean }) =>
      f.flag ? t(`performance.${f.flag}`) : f.tooFew ? t("performance.tooFew") : t("performance.within");
    sheet(
      t("sheets.performance"),
      [
        { header: t("columns.code"), key: "code" },
        { header: t("columns.name"), key: "nameEn", width: 36 },
        { header: t("columns.country"), key: "country" },
        { header: t("performance.monthsOpen"), key: "monthsOpen", numFmt: "0.0" },
        { header: t("metrics.screened"), key: "screened" },
        { header: t("performance.shareOfPlan"), key: "shareOfPlan", numFmt: "0%" },
        { header: t("performance.missProbability"), key: "missProbability", numFmt: "0%" },
        { header: t("performance.screenFailureShare"), key: "screenFailureShare", numFmt: "0%" },
        { header: t("performance.screenFailureFlag"), key: "screenFailureFlag", width: 18 },
        { header: t("performance.consentShare"), key: "consentShare", numFmt: "0%" },
        { header: t("metrics.enrolled"), key: "enrolled" },
        { header: t("performance.enrolledPerMonth"), key: "enrolledPerMonth", numFmt: "0.00" },
        { header: t("performance.enrolmentFlag"), key: "enrolmentFlag", width: 18 },
        { header: t("performance.daysToConsent"), key: "medianDaysToConsent" },
        { header: t("performance.daysToEnrolment"), key: "medianDaysToEnrolment" },
        { header: t("performance.daysSinceScreening"), key: "daysSinceScreening" },
        { header: t("performance.daysSinceEnrolment"), key: "daysSinceEnrolment" },
      ],
      report.performance.map((x) => ({
        ...x,
        screenFailureFlag: x.activationDate ? flag(x.screenFailure) : null,
        enrolmentFlag: x.activationDate ? flag(x.enrolment) : null,
      })),
    );
  }
  const month = (months: number | null) => (months === null ? t("forecast.notWithin") : monthLabel(report.monthZero, months));
  sheet(
    t("sheets.forecast"),
    [
      { header: t("forecast.scenario"), key: "name", width: 24 },
      { header: t("forecast.median"), key: "p50", width: 22 },
      { header: t("forecast.from"), key: "p10", width: 20 },
      { header: t("forecast.to"), key: "p90", width: 20 },
      { header: t("forecast.incomplete"), key: "incomplete", width: 30 },
    ],
    report.forecast.map((f) => ({ name: scenario(f.name), p50: month(f.p50), p10: month(f.p10), p90: month(f.p90), incomplete: f.incompleteShare })),
  );
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The CONSORT boxes the counters do not hold but imply: those still in screening, and those still on study. */
export function consortFlow(totals: { screened: number; screenFailed: number; enrolled: number; withdrawn: number; completed: number }) {
  return {
    inScreening: Math.max(0, totals.screened - totals.screenFailed - totals.enrolled),
    onStudy: Math.max(0, totals.enrolled - totals.withdrawn - totals.completed),
  };
}

const COLOURS = { US: "#1f5fa8", CN: "#b8322a", joint: "#4a3a8c", planned: "#888888" };

/**
 * Noto Sans SC (SIL Open Font License, from an npm package), regular and bold: it has Latin and Chinese glyphs, so one
 * face prints both languages and the Chinese site names. pdfkit embeds only the glyphs a document uses. Read once.
 */
const FONT_FILES = { regular: "400Regular/NotoSansSC_400Regular.ttf", bold: "700Bold/NotoSansSC_700Bold.ttf" } as const;
let fonts: Record<keyof typeof FONT_FILES, Buffer> | undefined;
function pdfFonts() {
  if (!fonts) {
    const resolve = createRequire(path.join(process.cwd(), "package.json")).resolve;
    const read = (file: string) => readFileSync(resolve(["@expo-google-fonts/noto-sans-sc", file].join("/")));
    fonts = { regular: read(FONT_FILES.regular), bold: read(FONT_FILES.bold) };
  }
  return fonts;
}

/** A PDF a steering committee can read, in the reader's language; sites by their English and Chinese names. */
export function reportPdf(report: EnrolmentReport, locale: Locale = "en"): Promise<Buffer> {
  const s = report.summary;
  const t: Label = (key, params) => renderMessage(msg(`reports.document.${key}`, params), locale);
  const country = (c: "US" | "CN") => renderMessage(msg(`reports.workbook.columns.${c}`), locale);
  const scenario = (name: string) => scenarioName(name, locale);
  const doc = new PDFDocument({
    size: "A4",
    margin: 48,
    bufferPages: true, // page numbers are written once the page count is known
    lang: locale,
    info: { Title: t("title", { code: report.trial.code }), Author: "TrialBridge" },
  });
  doc.registerFont("regular", pdfFonts().regular);
  doc.registerFont("bold", pdfFonts().bold);
  doc.font("regular");
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  const width = doc.page.width - 96;
  const heading = (text: string, x?: number) => doc.font("bold").fontSize(13).text(text, x).font("regular");

  doc
    .font("bold")
    .fontSize(18)
    .text(t("title", { code: report.trial.code }))
    .font("regular");
  const asOf = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : locale, { dateStyle: "long", timeStyle: "short", timeZone: "UTC" }).format(
    new Date(report.asOf),
  );
  const filters = describeFilters(report, (key, params) => renderMessage(msg(`reports.workbook.filters.${key}`, params), locale));
  doc
    .fontSize(10)
    .fillColor("#555")
    .text(report.trial.title)
    .text(t("asOf", { date: asOf, filters }));
  const f = s.federation;
  if (f) {
    const state = renderMessage(msg(`peerState.${f.state}`), locale);
    doc.text(t("peer", { country: country(f.country), origin: f.origin, state, asOf: f.asOf ?? t("never") }));
    if (f.withheld) doc.text(t("peerWithheld", { count: f.withheld }));
  }
  doc.fillColor("black").moveDown();
  heading(t("headline"));
  doc
    .fontSize(11)
    .text(
      t("headlineText", {
        enrolled: s.totals.enrolled,
        target: report.trial.target,
        percent: Math.round((s.totals.enrolled / Math.max(1, report.trial.target)) * 100),
        us: s.byCountry.US.enrolled,
        cn: s.byCountry.CN.enrolled,
        screened: s.totals.screened,
      }),
    )
    .moveDown();

  // Enrolment over time, one line per country and one for both, against the plan.
  heading(t("timeline"));
  const top = doc.y + 6;
  const h = 160;
  const max = Math.max(1, ...s.timeline.map((m) => Math.max(m.cumulative.joint, m.planned)));
  const x = (i: number) => 48 + 30 + (i / Math.max(1, s.timeline.length - 1)) * (width - 40);
  const y = (v: number) => top + h - (v / max) * h;
  doc
    .lineWidth(0.5)
    .strokeColor("#999")
    .moveTo(78, top)
    .lineTo(78, top + h)
    .lineTo(48 + width, top + h)
    .stroke();
  doc
    .fontSize(8)
    .fillColor("#555")
    .text(String(max), 48, top - 4, { width: 26, align: "right" })
    .text("0", 48, top + h - 4, { width: 26, align: "right" });
  if (s.timeline.length) {
    doc.text(s.timeline[0]!.month, 78, top + h + 4).text(s.timeline.at(-1)!.month, 48 + width - 40, top + h + 4);
  }
  const line = (values: number[], colour: string, dash = false) => {
    if (!values.length) return;
    doc.lineWidth(dash ? 1 : 2).strokeColor(colour);
    if (dash) doc.dash(4, { space: 3 });
    values.forEach((v, i) => (i === 0 ? doc.moveTo(x(i), y(v)) : doc.lineTo(x(i), y(v))));
    doc.stroke().undash();
  };
  line(
    s.timeline.map((m) => m.cumulative.US),
    COLOURS.US,
  );
  line(
    s.timeline.map((m) => m.cumulative.CN),
    COLOURS.CN,
  );
  line(
    s.timeline.map((m) => m.cumulative.joint),
    COLOURS.joint,
  );
  line(
    s.timeline.map((m) => m.planned),
    COLOURS.planned,
    true,
  );
  doc.fillColor("black").fontSize(9);
  let legend = 78;
  for (const [label, colour] of [
    [country("US"), COLOURS.US],
    [country("CN"), COLOURS.CN],
    [t("both"), COLOURS.joint],
    [t("planned"), COLOURS.planned],
  ] as const) {
    doc
      .rect(legend, top + h + 18, 10, 6)
      .fill(colour)
      .fillColor("black")
      .text(label, legend + 14, top + h + 16);
    legend += 90;
  }
  doc.y = top + h + 36;
  doc.x = 48;

  heading(t("cohorts"));
  for (const c of s.byCohort) {
    const rowY = doc.y + 2;
    doc
      .fontSize(9)
      .fillColor("black")
      .text(t("cohortLine", { name: c.name, enrolled: c.enrolled, target: c.target, us: c.byCountry.US, cn: c.byCountry.CN }), 48, rowY);
    const barY = doc.y + 1;
    doc.rect(48, barY, width, 6).fill("#e7eaee");
    const us = Math.min(1, c.byCountry.US / Math.max(1, c.target)) * width;
    const cn = Math.min(1 - us / width, c.byCountry.CN / Math.max(1, c.target)) * width;
    doc
      .rect(48, barY, us, 6)
      .fill(COLOURS.US)
      .rect(48 + us, barY, cn, 6)
      .fill(COLOURS.CN)
      .fillColor("black");
    doc.y = barY + 10;
  }
  doc.moveDown();

  heading(t("consort"), 48);
  const box = (label: string, n: number, bx: number, by: number) => {
    doc.lineWidth(1).strokeColor("#666").rect(bx, by, 150, 34).stroke();
    doc
      .fontSize(8)
      .fillColor("black")
      .text(label, bx + 4, by + 4, { width: 142 })
      .fontSize(11)
      .text(String(n), bx + 4, by + 17);
  };
  const flowTop = doc.y + 4;
  // Every screened patient is in exactly one of: excluded, still in screening, enrolled; every enrolled one in one of:
  // on study, withdrawn, completed. So the boxes add up.
  const flow = consortFlow(s.totals);
  box(t("screened"), s.totals.screened, 48, flowTop);
  box(t("excluded"), s.totals.screenFailed, 226, flowTop);
  box(t("inScreening"), flow.inScreening, 392, flowTop);
  box(t("consented"), s.totals.consented, 48, flowTop + 44);
  box(t("enrolled"), s.totals.enrolled, 48, flowTop + 88);
  box(t("onStudy"), flow.onStudy, 48, flowTop + 132);
  box(t("withdrawn"), s.totals.withdrawn, 226, flowTop + 132);
  box(t("completed"), s.totals.completed, 392, flowTop + 132);
  doc.y = flowTop + 176;
  doc.x = 48;

  heading(t("forecast"));
  const month = (months: number | null) =>
    months === null ? renderMessage(msg("reports.workbook.forecast.notWithin"), locale) : monthLabel(report.monthZero, months);
  for (const fc of report.forecast) {
    const incomplete = fc.incompleteShare > 0 ? t("forecastIncomplete", { percent: Math.round(fc.incompleteShare * 100) }) : "";
    doc.fontSize(9).text(t("forecastLine", { name: scenario(fc.name), p50: month(fc.p50), p10: month(fc.p10), p90: month(fc.p90) }) + incomplete);
  }
  doc.moveDown();

  doc.addPage();
  heading(t("sites"));
  doc.fontSize(8).fillColor("#555").text(t("sitesNote")).fillColor("black").moveDown(0.5);
  const cols = [
    [t("site"), 170],
    [t("country"), 45],
    [t("activated"), 60],
    [t("screened"), 50],
    [t("failures"), 45],
    [t("consented"), 50],
    [t("enrolled"), 45],
  ] as const;
  const header = () => {
    let cx = 48;
    const rowY = doc.y;
    for (const [label, w] of cols) {
      doc.fontSize(8).font("bold").text(label, cx, rowY, { width: w, lineBreak: false, ellipsis: true });
      cx += w + 4;
    }
    doc.font("regular").moveDown(0.3);
  };
  header();
  for (const site of s.bySite) {
    // The reader's name for the site first; the other beneath it when it differs.
    const [first, second] = locale === "zh-CN" ? [site.nameLocal, site.nameEn] : [site.nameEn, site.nameLocal];
    const rowHeight = first !== second ? 22 : 12;
    if (doc.y + rowHeight > doc.page.height - 58) {
      doc.addPage();
      header();
    }
    const rowY = doc.y;
    let cx = 48;
    for (const [value, [, w]] of [
      [first],
      [site.country],
      [site.activationDate ?? t("notActive")],
      [String(site.screened)],
      [String(site.screenFailed)],
      [String(site.consented)],
      [String(site.enrolled)],
    ].map((v, i) => [v[0]!, cols[i]!] as const)) {
      doc.fontSize(8).text(value, cx, rowY, { width: w, lineBreak: false, ellipsis: true });
      cx += w + 4;
    }
    if (first !== second)
      doc
        .fontSize(7)
        .fillColor("#555")
        .text(second, 48, rowY + 10, { width: 170, lineBreak: false, ellipsis: true })
        .fillColor("black");
    doc.y = rowY + rowHeight;
  }
  const pages = doc.bufferedPageRange();
  for (let i = 0; i < pages.count; i++) {
    doc.switchToPage(pages.start + i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing in the margin must not start a new page
    doc
      .fontSize(8)
      .fillColor("#555")
      .text(t("page", { code: report.trial.code, page: i + 1, pages: pages.count }), 48, doc.page.height - 30, { width, align: "right", lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
