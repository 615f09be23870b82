import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { foldPending } from "@/lib/enrolment/tally";
import { AppError } from "@/lib/http/errors";
import { renderFields, renderMessage } from "@/lib/i18n/messages";
import { IMPORT_MAX_ROWS, importParticipants, ImportRejected, importTemplate, previewImport } from "@/lib/participants/import";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

// A gate in front of a row's checks, to hold one request between its checks and its writing while another runs.
const gate = vi.hoisted(() => {
  const state: { wait: Promise<void> | null; reached: Promise<void>; arrive: () => void } = { wait: null, reached: Promise.resolve(), arrive: () => {} };
  state.reached = new Promise<void>((resolve) => (state.arrive = resolve));
  return state;
});
vi.mock("@/lib/participants/register", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/participants/register")>();
  return {
    ...actual,
    checkRegistration: async (...args: Parameters<typeof actual.checkRegistration>) => {
      const wait = gate.wait;
      if (wait) {
        gate.arrive();
        await wait;
      }
      return actual.checkRegistration(...args);
    },
  };
});

let trialId: string;
let cn: Actor;
const day = (n: number) => addDays(todayIn("Asia/Shanghai"), -n);
const HEADER = "site,screeningDate,ageAtScreening,sex,results";
const bytes = (text: string) => new TextEncoder().encode(text);

beforeAll(async () => {
  await seedDemoData();
  trialId = (await db().trial.findFirstOrThrow({ where: { code: "TB-201" } })).id;
  cn = await actorFor(DEMO_ACCOUNTS.coordinatorCn);
});

async function counts() {
  await foldPending(db()); // as the app's folder does just after commit
  const [participants, audits, events] = await Promise.all([db().participant.count(), db().auditEvent.count(), db().enrolmentEvent.count()]);
  return { participants, audits, events };
}

async function rejection(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("CSV import of a screening log", () => {
  it("imports UTF-8 with a BOM and Chinese text, audits every row, and logs one enrolment event", async () => {
    const before = await counts();
    const csv =
      `\uFEFF${HEADER}\r\nCN-GZ1,${day(5)},66,male,"外显子19缺失 exon 19 deletion|detected|NGS_TISSUE; ALK|not_detected|FISH"\r\n` +
      `cn-gz1,${day(4)},59,FEMALE,"EML4-ALK|detected|FISH"\r\nCN-GZ1,${day(3)},71,unknown,"KRAS p.Gly12Cys|detected|PCR"\r\n`;
    // The first row's subtype is not a vocabulary spelling: expect a rejection naming line 2 only.
    const error = await rejection(importParticipants(cn, trialId, bytes(csv), { fileName: "log.csv" }));
    expect(error).toBeInstanceOf(ImportRejected);
    expect((error as ImportRejected).rows.map((r) => r.line)).toEqual([2]);
    expect(await counts()).toEqual(before);

    const fixed = csv.replace("外显子19缺失 exon 19 deletion", "exon 19 deletion");
    const result = await importParticipants(cn, trialId, bytes(fixed), { fileName: "log.csv" });
    expect(result.imported).toBe(3);
    expect(result.screeningNumbers.every((n) => n.startsWith("CN-GZ1-"))).toBe(true);
    expect(result.participants.map((p) => p.screeningNumber)).toEqual(result.screeningNumbers); // with ids to link to
    const after = await counts();
    expect(after.participants).toBe(before.participants + 3);
    expect(after.audits).toBe(before.audits + 4); // one per participant and one for the import
    expect(after.events).toBe(before.events + 1);
  });

  it("imports nothing when one row is bad, and reports every bad row with its reasons", async () => {
    const before = await counts();
    const csv = [
      HEADER,
      `CN-GZ1,${day(2)},60,female,"L858R|detected|NGS_TISSUE"`,
      `CN-GZ1,2099-01-01,60,female,"L858R|detected|NGS_TISSUE"`,
      `CN-GZ1,${day(2)},sixty,female,"L858R|detected|NGS_TISSUE"`,
      `US-BOS1,${day(2)},60,female,"L858R|detected|NGS_TISSUE"`,
      `CN-GZ1,${day(2)},60,female,"L858R detected"`,
      `CN-GZ1,${day(2)},60,female,"G12Z|detected|PCR"`,
    ].join("\n");
    const error = (await rejection(importParticipants(cn, trialId, bytes(csv)))) as ImportRejected;
    expect(error.rows.map((r) => r.line)).toEqual([3, 4, 5, 6, 7]);
    expect(renderMessage(error.message)).toMatch(/5 of 6 rows have problems, so nothing was imported/);
    expect(renderMessage(error.message, "zh-CN")).toBe("6 行中有 5 行存在问题，因此未导入任何数据。请更正后重新导入。");
    expect(Object.keys(error.rows[0]!.problems)).toEqual(["screeningDate"]);
    expect(Object.keys(error.rows[1]!.problems)).toEqual(["ageAtScreening"]);
    expect(renderMessage(error.rows[2]!.problems.site![0]!)).toMatch(/not one of your sites/);
    expect(Object.keys(error.rows[3]!.problems)).toEqual(["results"]);
    expect(Object.keys(error.rows[4]!.problems)).toEqual(["results.0.subtype"]);
    expect(await counts()).toEqual(before);
  });

  it("refuses files that are too large, have too many rows, wrong columns, or are not UTF-8", async () => {
    const before = await counts();
    expect((await rejection(importParticipants(cn, trialId, new Uint8Array(3 * 1024 * 1024)))).code).toBe("payload_too_large");
    const many = [HEADER, ...Array.from({ length: IMPORT_MAX_ROWS + 1 }, () => `CN-GZ1,${day(1)},60,male,"L858R|detected|PCR"`)].join("\n");
    const tooMany = await rejection(importParticipants(cn, trialId, bytes(many)));
    expect(tooMany.code).toBe("payload_too_large");
    expect(renderMessage(tooMany.message)).toContain(`at most ${IMPORT_MAX_ROWS}`);
    const columns = await rejection(importParticipants(cn, trialId, bytes("site,date,name\nCN-GZ1,2026-01-01,Jane")));
    expect(renderFields(columns.fields)?.columns).toEqual([
      "Missing columns: screeningDate, ageAtScreening, sex, results.",
      "Columns not recognised: date, name.",
    ]);
    const latin1 = new Uint8Array([...bytes(`${HEADER}\nCN-GZ1,${day(1)},60,male,"`), 0xe9, ...bytes(`|detected|PCR"`)]);
    expect(renderMessage((await rejection(importParticipants(cn, trialId, latin1))).message)).toMatch(/not UTF-8/);
    expect(renderMessage((await rejection(importParticipants(cn, trialId, bytes(HEADER)))).message)).toMatch(/no rows/);
    expect(await counts()).toEqual(before);
  });
});

describe("checking a file before importing it, and importing it once", () => {
  // A preview and an import each count against a coordinator's import limit; these tests make many.
  beforeEach(() => db().rateLimit.deleteMany({ where: { key: { startsWith: "participants.import:" } } }));
  it("previews a file as it will be saved, in either language's labels, writing nothing", async () => {
    const before = await counts();
    const csv =
      `${HEADER}\nCN-GZ1,${day(9).replaceAll("-", "/")},62,女,"EGFR L858R|检出|NGS（组织）"\n` +
      `CN-GZ1,${day(8).replace("-", "年").replace("-", "月")}日,58,Male,"KRAS G12C|Detected|NGS (plasma)"\n`;
    const preview = await previewImport(cn, trialId, bytes(csv), { fileName: "preview.csv" });
    expect(preview).toMatchObject({ preview: true, rows: 2, ready: true, problems: {}, alreadyImported: null });
    expect(preview.sample).toEqual([
      {
        line: 2,
        site: "CN-GZ1",
        screeningDate: day(9),
        ageAtScreening: 62,
        sex: "female",
        results: [{ subtype: "EGFR:L858R", result: "detected", method: "NGS_TISSUE" }],
      },
      {
        line: 3,
        site: "CN-GZ1",
        screeningDate: day(8),
        ageAtScreening: 58,
        sex: "male",
        results: [{ subtype: "KRAS:G12C", result: "detected", method: "NGS_PLASMA" }],
      },
    ]);
    expect(await counts()).toEqual(before);
  });

  it("lists a preview's problems by line and field, and reads M/D/YYYY only at a US site", async () => {
    const cnDate = day(3).split("-");
    const csv = `${HEADER}\nCN-GZ1,${Number(cnDate[1])}/${Number(cnDate[2])}/${cnDate[0]},62,female,"EGFR L858R|detected|bogus"\n`;
    const preview = await previewImport(cn, trialId, bytes(csv), { fileName: "bad.csv" });
    expect(preview.ready).toBe(false);
    expect(Object.keys(preview.problems)).toEqual(["line 2: screeningDate"]);
    expect(renderMessage(preview.problems["line 2: screeningDate"]![0]!)).toMatch(/YYYY-MM-DD/);

    const us = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
    const usDay = addDays(todayIn("America/New_York"), -2).split("-");
    const usCsv = `${HEADER}\nUS-BOS1,${Number(usDay[1])}/${Number(usDay[2])}/${usDay[0]},62,female,"EGFR L858R|detected|PCR"\n`;
    const usPreview = await previewImport(us, trialId, bytes(usCsv), { fileName: "us.csv" });
    expect(usPreview.sample[0]?.screeningDate).toBe(usDay.join("-"));
  });

  it("imports a file once: the same bytes again, or twice at the same moment, are answered with the first import", async () => {
    // The second request checked for the file before the first committed, and meets the first's rows after: it is
    // told the file was imported, not that its rows look like duplicates.
    const late = `${HEADER}\nCN-GZ1,${day(21)},61,male,"ALK fusion|detected|FISH"\n`;
    let release!: () => void;
    gate.wait = new Promise<void>((resolve) => (release = resolve));
    const second = rejection(importParticipants(cn, trialId, bytes(late), { fileName: "late.csv" }));
    await gate.reached;
    gate.wait = null;
    await importParticipants(cn, trialId, bytes(late), { fileName: "late.csv" });
    release();
    expect(renderMessage((await second).message)).toMatch(/late\.csv.*1 patient.*was imported/);

    const csv = `${HEADER}\nCN-GZ1,${day(2)},49,male,"ALK fusion|detected|FISH"\nCN-GZ1,${day(2)},50,female,"ROS1 fusion|detected|FISH"\n`;
    const before = await counts();
    const results = await Promise.allSettled([
      importParticipants(cn, trialId, bytes(csv), { fileName: "twice.csv" }),
      importParticipants(cn, trialId, bytes(csv), { fileName: "twice.csv" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(AppError);
    expect((refused.reason as AppError).code).toBe("conflict");
    expect(renderMessage((refused.reason as AppError).message)).toMatch(/twice\.csv.*2 patients.*was imported/);
    expect((await counts()).participants).toBe(before.participants + 2);
    const again = await rejection(importParticipants(cn, trialId, bytes(csv), { fileName: "renamed.csv" }));
    expect(again.code).toBe("conflict");
    expect((await previewImport(cn, trialId, bytes(csv), { fileName: "renamed.csv" })).alreadyImported).toMatchObject({ rows: 2, fileName: "twice.csv" });
    expect((await counts()).participants).toBe(before.participants + 2);
  });

  it("reads dates with the year last in the order chosen, and year-first dates whatever the choice", async () => {
    const [y, m, d] = day(12).split("-") as [string, string, string];
    const dmy = `${Number(d)}/${Number(m)}/${y}`;
    const csv = (date: string) => bytes(`${HEADER}\nCN-GZ1,${date},55,female,"EGFR L858R|detected|PCR"\n`);
    expect(Object.keys((await previewImport(cn, trialId, csv(dmy))).problems)).toEqual(["line 2: screeningDate"]); // left to a Chinese site: refused
    expect((await previewImport(cn, trialId, csv(dmy), { dateOrder: "dmy" })).sample[0]?.screeningDate).toBe(day(12));
    expect((await previewImport(cn, trialId, csv(`${Number(d)}.${Number(m)}.${y}`), { dateOrder: "dmy" })).sample[0]?.screeningDate).toBe(day(12));
    expect((await previewImport(cn, trialId, csv(`${Number(m)}/${Number(d)}/${y}`), { dateOrder: "mdy" })).sample[0]?.screeningDate).toBe(day(12));
    expect((await previewImport(cn, trialId, csv(day(12)), { dateOrder: "mdy" })).sample[0]?.screeningDate).toBe(day(12));
    // A day past 12 read as a month is no date at all: refused, not moved.
    if (Number(d) > 12) expect((await previewImport(cn, trialId, csv(dmy), { dateOrder: "mdy" })).ready).toBe(false);
    const wrong = await previewImport(cn, trialId, csv(`31/13/${y}`), { dateOrder: "dmy" });
    expect(Object.keys(wrong.problems)).toEqual(["line 2: screeningDate"]);
  });

  it("flags rows like a patient already recorded or like an earlier row, and imports them only when told to keep them", async () => {
    const existing = await db().participant.findFirstOrThrow({
      where: { trialId, siteId: (await db().site.findUniqueOrThrow({ where: { code: "CN-GZ1" } })).id, voidedAt: null, results: { some: {} } },
      include: { results: { include: { subtype: true } } },
      orderBy: { screeningDate: "desc" },
    });
    const results = existing.results.map((r) => `${r.subtype.key}|${r.result.toLowerCase()}|${r.method}`).join("; ");
    const sameAsExisting = `CN-GZ1,${existing.screeningDate.toISOString().slice(0, 10)},${existing.ageAtScreening},${existing.sex.toLowerCase()},"${results}"`;
    const newRow = `CN-GZ1,${day(1)},44,male,"ROS1 fusion|detected|FISH"`;
    const spelledOtherwise = `cn-gz1,${day(1)},44,男,"ROS1融合|检出|FISH"`; // the same patient in other words
    const file = bytes([HEADER, sameAsExisting, newRow, spelledOtherwise, `CN-GZ1,${day(1)},45,male,"ROS1 fusion|detected|FISH"`].join("\n"));
    const preview = await previewImport(cn, trialId, file, { fileName: "dupes.csv" });
    expect(preview.ready).toBe(true); // a possible duplicate is for a person to judge, not a problem in the file
    expect(preview.duplicates).toEqual([
      { line: 2, of: { participantId: existing.id, screeningNumber: existing.screeningNumber } },
      { line: 4, of: { line: 3 } },
    ]);
    const before = await counts();
    const refused = await rejection(importParticipants(cn, trialId, file, { fileName: "dupes.csv" }));
    expect(refused.code).toBe("conflict");
    expect(Object.keys(refused.fields ?? {})).toEqual(["line 2: row", "line 4: row"]);
    expect(renderFields(refused.fields)!["line 2: row"]![0]).toBe(`same site, screening date, age, sex and results as ${existing.screeningNumber}`);
    expect(renderMessage(refused.message, "zh-CN")).toMatch(/2 行看起来是已登记的患者/);
    expect(await counts()).toEqual(before);
    // Kept on request, all four go in.
    expect((await importParticipants(cn, trialId, file, { fileName: "dupes.csv", duplicates: "keep" })).imported).toBe(4);
  });

  it("offers a template with the columns and one example row per site of the coordinator, that itself imports", async () => {
    const { csv } = await importTemplate(cn, trialId);
    const lines = csv.replace("\uFEFF", "").trim().split(/\r?\n/);
    expect(lines[0]).toBe(HEADER);
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["CN-GZ1"]);
    expect((await previewImport(cn, trialId, bytes(csv), { fileName: "template.csv" })).ready).toBe(true);
  });
});
