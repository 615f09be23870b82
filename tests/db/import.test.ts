import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { foldPending } from "@/lib/enrolment/tally";
import { AppError } from "@/lib/http/errors";
import { renderFields, renderMessage } from "@/lib/i18n/messages";
import { IMPORT_MAX_ROWS, importParticipants, ImportRejected } from "@/lib/participants/import";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

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
    const error = await rejection(importParticipants(cn, trialId, bytes(csv), "log.csv"));
    expect(error).toBeInstanceOf(ImportRejected);
    expect((error as ImportRejected).rows.map((r) => r.line)).toEqual([2]);
    expect(await counts()).toEqual(before);

    const fixed = csv.replace("外显子19缺失 exon 19 deletion", "exon 19 deletion");
    const result = await importParticipants(cn, trialId, bytes(fixed), "log.csv");
    expect(result.imported).toBe(3);
    expect(result.screeningNumbers.every((n) => n.startsWith("CN-GZ1-"))).toBe(true);
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
