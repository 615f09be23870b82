// Bulk import of a site's existing screening log from CSV (RFC 4180, UTF-8 with or without BOM; Chinese text is
// fine). The columns are the form's: site (the site's code, e.g. US-BOS1), screeningDate (year first always:
// YYYY-MM-DD, YYYY/MM/DD, YYYY年M月D日; day and month by the chosen order, or M/D/YYYY at a US site), ageAtScreening,
// sex, results ("subtype|result|method",
// several separated by ";", e.g. "p.Leu858Arg|detected|NGS_TISSUE; EML4-ALK|not_detected|FISH"). Sex, result and
// method are taken as the API writes them or as the app shows them in either language ("女", "NGS (tissue)").
// Every row is checked before anything is written; one bad row imports nothing, and the answer lists every bad row
// with its reasons (`line N: field`, results as `results.I.field` counted from 0). A preview checks and answers
// what would be imported, writing nothing, and flags rows that look like records already there (same site, date, age,
// sex and results) or like an earlier row of the file; the import refuses such rows unless told to keep them. Then
// all rows go in one transaction, each audited, with one enrolment event at the end; the file's SHA-256 is kept, so
// the same file goes into a trial once.
import "server-only";
import { createHash } from "node:crypto";
import Papa from "papaparse";
import { z } from "zod";
import { trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import { nudgeFold } from "@/lib/enrolment/folder";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { AppError } from "@/lib/http/errors";
import { todayIn } from "@/lib/dates/calendar";
import { csvRows } from "@/lib/http/csv";
import { msg } from "@/lib/i18n/messages";
import en from "@/lib/i18n/messages/en.json";
import zhCN from "@/lib/i18n/messages/zh-CN.json";
import { Prisma } from "@/lib/db/generated/client";
import { checkRegistration, countRegistrations, insertRegistrations, RegistrationContext, type CheckedRegistration } from "./register";

export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 5_000;
export const IMPORT_COLUMNS = ["site", "screeningDate", "ageAtScreening", "sex", "results"] as const;

/** How day and month are ordered in the file's dates: as usual at each row's site (M/D/Y at a US site), or as chosen. */
export const DATE_ORDERS = ["site", "mdy", "dmy"] as const;
export type DateOrder = (typeof DATE_ORDERS)[number];

/** The import's query: the file's name, whether only to preview it, its date order, and whether to keep duplicates. */
export const importQuery = z.strictObject({
  filename: z.string().max(200).optional(),
  preview: z.enum(["true", "false"], { error: msg("import.previewFlag") }).optional(),
  dateOrder: z.enum(DATE_ORDERS, { error: msg("import.dateOrderChoice") }).optional(),
  duplicates: z.enum(["refuse", "keep"], { error: msg("import.duplicatesChoice") }).optional(),
});

export interface ImportOptions {
  fileName?: string;
  dateOrder?: DateOrder;
  /** Rows that look like records already in the trial, or like an earlier row: refused (the default), or kept. */
  duplicates?: "refuse" | "keep";
}

export interface RowProblem {
  /** Line in the file (the header is line 1). */
  line: number;
  problems: Record<string, string[]>;
}

export class ImportRejected extends AppError {
  constructor(
    readonly rows: RowProblem[],
    message: string,
  ) {
    super(
      "invalid",
      message,
      Object.fromEntries(rows.flatMap((r) => Object.entries(r.problems).map(([field, messages]) => [`line ${r.line}: ${field}`, messages]))),
    );
  }
}

function decode(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("invalid", msg("import.notUtf8"));
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Folds a label for comparison: case, spaces and full-width brackets ignored ("NGS（组织）" is "ngs(组织)"). */
const fold = (text: string) =>
  text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s_]+/g, "");

/** The values of a column, as the API writes them or as the app labels them in either language. */
function valuesOf(labels: Array<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const catalogue of labels) for (const [value, label] of Object.entries(catalogue)) out.set(fold(label), value).set(fold(value), value);
  return out;
}
const SEX_VALUES = valuesOf([en.participants.sexes, zhCN.participants.sexes]);
const RESULT_VALUES = valuesOf([en.participants.resultValues, zhCN.participants.resultValues]);
const METHOD_VALUES = valuesOf([en.participants.methods, zhCN.participants.methods]);
const valueOf = (values: Map<string, string>, cell: string) => values.get(fold(cell)) ?? cell.trim();

const pad = (n: string) => n.padStart(2, "0");

/**
 * A screening date as a spreadsheet may write it, as YYYY-MM-DD. Year-first forms are read whatever the order chosen.
 * Day and month before the year (11/30/2026, 30.11.2026) are read in the chosen order; left to the site, M/D/YYYY is
 * read at a US site, where it is the usual order, and refused elsewhere with a clear message (it could be D/M).
 */
export function importDate(cell: string, country: string | undefined, order: DateOrder = "site"): { value: string; problem?: string } {
  const text = cell.trim();
  const yearFirst = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text);
  if (yearFirst) return { value: `${yearFirst[1]}-${pad(yearFirst[2]!)}-${pad(yearFirst[3]!)}` };
  const yearLast = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/.exec(text);
  if (yearLast) {
    const [, first, separator, second, year] = yearLast as unknown as [string, string, string, string, string];
    const monthFirst = order === "mdy" || (order === "site" && country === "US" && separator === "/");
    if (order === "site" && !monthFirst) return { value: text, problem: msg("import.ambiguousDate", { date: text }) };
    const [month, day] = monthFirst ? [first, second] : [second, first];
    return { value: `${year}-${pad(month)}-${pad(day)}` };
  }
  return { value: text };
}

function parseResults(cell: string): { value?: unknown; problem?: string } {
  const parts = cell
    .split(";")
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return { problem: msg("import.noResults") };
  const results = [];
  for (const part of parts) {
    const [subtype, result, method, ...rest] = part.split("|").map((x) => x.trim());
    if (!subtype || !result || !method || rest.length) return { problem: msg("import.badResult", { part }) };
    results.push({ subtype, result: valueOf(RESULT_VALUES, result), method: valueOf(METHOD_VALUES, method) });
  }
  return { value: results };
}

export interface PreviewRow {
  line: number;
  site: string;
  screeningDate: string;
  ageAtScreening: number;
  sex: string;
  results: { subtype: string; result: string; method: string }[];
}

/** What a preview answers: the rows as they would be imported (the first 50), and every row's problems. */
export interface ImportPreview {
  preview: true;
  rows: number;
  ready: boolean;
  problems: Record<string, string[]>;
  sample: PreviewRow[];
  sha256: string;
  /** This very file was imported into the trial already. */
  alreadyImported: { at: string; rows: number; fileName: string } | null;
  /** Rows that look like a record already in the trial, or like an earlier row of the file. */
  duplicates: PossibleDuplicate[];
}

/** A row with the same site, screening date, age, sex and results as a record in the trial, or as an earlier row. */
export interface PossibleDuplicate {
  line: number;
  of: { participantId: string; screeningNumber: string } | { line: number };
}

const PREVIEW_ROWS = 50;

/** What an import answers: how many, their new screening numbers, and the records (to link to them). */
export interface ImportDone {
  imported: number;
  screeningNumbers: string[];
  participants: { id: string; screeningNumber: string }[];
}

async function earlierImport(trialId: string, sha256: string) {
  const found = await db().participantImport.findUnique({ where: { trialId_sha256: { trialId, sha256 } } });
  return found ? { at: found.createdAt.toISOString(), rows: found.rows, fileName: found.fileName } : null;
}

const alreadyImported = (earlier: { at: string; rows: number; fileName: string }) =>
  new AppError("conflict", msg("import.alreadyImported", { file: earlier.fileName, rows: earlier.rows, at: earlier.at.slice(0, 10) }));

/** The same patient, as far as a screening log can tell: site, screening date, age, sex, and each result's value. */
function likeness(siteId: string, date: string, age: number, sex: string, results: { subtypeId: string; result: string }[]) {
  const tested = results.map((r) => `${r.subtypeId}=${r.result}`).sort();
  return [siteId, date, age, sex.toUpperCase(), ...tested].join("|");
}

/** The rows that look like a (not voided) record of the trial, or like an earlier row of the same file. */
async function possibleDuplicates(trialId: string, checked: CheckedRegistration[], lines: number[]): Promise<PossibleDuplicate[]> {
  if (checked.length === 0) return [];
  const existing = await db().participant.findMany({
    where: {
      trialId,
      voidedAt: null,
      siteId: { in: [...new Set(checked.map((c) => c.input.siteId))] },
      screeningDate: { in: [...new Set(checked.map((c) => c.input.screeningDate))].map((d) => new Date(`${d}T00:00:00Z`)) },
    },
    select: {
      id: true,
      siteId: true,
      screeningNumber: true,
      screeningDate: true,
      ageAtScreening: true,
      sex: true,
      results: { select: { subtypeId: true, result: true } },
    },
  });
  const known = new Map<string, PossibleDuplicate["of"]>(
    existing.map((p) => [
      likeness(p.siteId, p.screeningDate.toISOString().slice(0, 10), p.ageAtScreening, p.sex, p.results),
      { participantId: p.id, screeningNumber: p.screeningNumber },
    ]),
  );
  const found: PossibleDuplicate[] = [];
  checked.forEach((c, i) => {
    const key = likeness(c.input.siteId, c.input.screeningDate, c.input.ageAtScreening, c.input.sex, c.results);
    const of = known.get(key);
    if (of) found.push({ line: lines[i]!, of });
    else known.set(key, { line: lines[i]! });
  });
  return found;
}

/** What a duplicate is like, for a person: "same … as CN-GZ1-0042" or "same … as line 3". */
export function duplicateMessage(d: PossibleDuplicate) {
  return "line" in d.of ? msg("import.duplicateOfLine", { line: d.of.line }) : msg("import.duplicateOf", { number: d.of.screeningNumber });
}

/** Checks a file and answers what would be imported, writing nothing. */
export async function previewImport(actor: Actor, trialId: string, bytes: Uint8Array, options: ImportOptions = {}): Promise<ImportPreview> {
  return (await run(actor, trialId, bytes, options, true)) as ImportPreview;
}

/** Imports a file: every row or none. */
export async function importParticipants(actor: Actor, trialId: string, bytes: Uint8Array, options: ImportOptions = {}) {
  return (await run(actor, trialId, bytes, options, false)) as ImportDone;
}

async function run(actor: Actor, trialId: string, bytes: Uint8Array, options: ImportOptions, preview: boolean): Promise<ImportPreview | ImportDone> {
  const fileName = options.fileName || "import.csv";
  const access = await trialAccess(actor, trialId);
  await enforce(LIMITS.imports(actor.id));
  if (bytes.byteLength > IMPORT_MAX_BYTES) {
    throw new AppError("payload_too_large", msg("import.tooLarge", { mb: IMPORT_MAX_BYTES / 1024 / 1024 }));
  }
  const parsed = Papa.parse<Record<string, string>>(decode(bytes), { header: true, skipEmptyLines: "greedy", transformHeader: (h) => h.trim() });
  const header = parsed.meta.fields ?? [];
  const missing = IMPORT_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter((h) => !(IMPORT_COLUMNS as readonly string[]).includes(h));
  if (missing.length || unknown.length) {
    const fields: Record<string, string[]> = {};
    if (missing.length) fields.columns = [msg("import.missingColumns", { columns: missing.join(", ") })];
    if (unknown.length) (fields.columns ??= []).push(msg("import.unknownColumns", { columns: unknown.join(", ") }));
    throw new AppError("invalid", msg("import.header", { columns: IMPORT_COLUMNS.join(", ") }), fields);
  }
  if (parsed.data.length === 0) throw new AppError("invalid", msg("import.empty"));
  if (parsed.data.length > IMPORT_MAX_ROWS) {
    throw new AppError("payload_too_large", msg("import.tooManyRows", { rows: parsed.data.length, max: IMPORT_MAX_ROWS }));
  }

  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const earlier = await earlierImport(trialId, sha256);
  if (earlier && !preview) throw alreadyImported(earlier);
  const sites = await db().site.findMany({ where: { trialSites: { some: { trialId } } }, select: { id: true, code: true, country: true } });
  const siteByCode = new Map(sites.map((s) => [s.code.toUpperCase(), s]));
  const context = new RegistrationContext(access);
  const problems: RowProblem[] = [];
  const checked: CheckedRegistration[] = [];
  const lines: number[] = [];
  const structural = new Map(parsed.errors.map((e) => [e.row ?? -1, e.message]));

  for (const [index, row] of parsed.data.entries()) {
    const line = index + 2;
    if (index % 100 === 99) await new Promise((r) => setImmediate(r)); // let the server answer others meanwhile
    if (structural.has(index)) {
      problems.push({ line, problems: { row: [structural.get(index)!] } });
      continue;
    }
    const results = parseResults(row.results ?? "");
    if (results.problem) {
      problems.push({ line, problems: { results: [results.problem] } });
      continue;
    }
    const age = (row.ageAtScreening ?? "").trim();
    const site = siteByCode.get((row.site ?? "").trim().toUpperCase());
    const date = importDate(row.screeningDate ?? "", site?.country, options.dateOrder);
    if (date.problem) {
      problems.push({ line, problems: { screeningDate: [date.problem] } });
      continue;
    }
    const input = {
      siteId: site?.id ?? `unknown:${row.site ?? ""}`,
      screeningDate: date.value,
      ageAtScreening: /^\d+$/.test(age) ? Number(age) : age,
      sex: valueOf(SEX_VALUES, row.sex ?? ""),
      results: results.value,
    };
    try {
      checked.push(await checkRegistration(access, input, context));
      lines.push(line);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const fields = error.code === "not_found" ? { site: [msg("import.notYourSite", { site: row.site ?? "" })] } : (error.fields ?? { row: [error.message] });
      problems.push({ line, problems: fields });
    }
  }
  const duplicates = await possibleDuplicates(trialId, checked, lines);
  if (preview) {
    return {
      preview: true,
      rows: parsed.data.length,
      ready: problems.length === 0 && !earlier,
      problems: new ImportRejected(problems, "").fields ?? {},
      sample: checked.slice(0, PREVIEW_ROWS).map((c, i) => ({
        line: lines[i]!,
        site: c.siteCode,
        screeningDate: c.input.screeningDate,
        ageAtScreening: c.input.ageAtScreening,
        sex: c.input.sex,
        results: c.results.map((r) => ({ subtype: r.key, result: r.result.toLowerCase(), method: r.method })),
      })),
      sha256,
      alreadyImported: earlier,
      duplicates,
    };
  }
  if (problems.length) {
    throw new ImportRejected(problems, msg("import.rejected", { bad: problems.length, rows: parsed.data.length }));
  }
  if (duplicates.length && options.duplicates !== "keep") {
    // The rows may be this very file's, imported by a request that committed after the check above: say so.
    const first = await earlierImport(trialId, sha256);
    if (first) throw alreadyImported(first);
    throw new AppError(
      "conflict",
      msg("import.duplicatesRefused", { count: duplicates.length }),
      Object.fromEntries(duplicates.map((d) => [`line ${d.line}: row`, [duplicateMessage(d)]])),
    );
  }

  // All rows or none, in one transaction of a few bulk statements: sites' numbering rows in id order, the
  // participants, one audit row each and one for the import, and the counters' deltas (folded, with one live event,
  // just after commit).
  const created = await db()
    .$transaction(
      async (tx) => {
        // The file first: a second copy of it arriving at the same moment stops here, on the unique index.
        await tx.participantImport.create({ data: { trialId, actorId: actor.id, fileName, sha256, rows: checked.length } });
        const views = await insertRegistrations(tx, actor, trialId, checked, `CSV import: ${fileName}`);
        await recordAudit(tx, {
          actorId: actor.id,
          action: "participants.import",
          entityType: "Trial",
          entityId: trialId,
          trialId,
          after: { file: fileName, rows: views.length, sha256 },
        });
        await countRegistrations(tx, trialId, checked);
        return views;
      },
      { maxWait: 10_000, timeout: 60_000 },
    )
    .catch(async (error: unknown) => {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
        const first = await earlierImport(trialId, sha256);
        if (first) throw alreadyImported(first);
      }
      throw error;
    });
  nudgeFold(trialId);
  return {
    imported: created.length,
    screeningNumbers: created.map((v) => v.screeningNumber),
    participants: created.map((v) => ({ id: v.id, screeningNumber: v.screeningNumber })),
  };
}

/** A CSV to fill in: the header and one example row per site where the actor registers patients in the trial. */
export async function importTemplate(actor: Actor, trialId: string): Promise<{ trialCode: string; csv: string }> {
  const access = await trialAccess(actor, trialId);
  const [trial, sites] = await Promise.all([
    db().trial.findUniqueOrThrow({ where: { id: trialId }, select: { code: true } }),
    db().trialSite.findMany({
      where: { trialId, siteId: { in: [...access.editSites] } },
      select: { site: { select: { code: true, timeZone: true } } },
      orderBy: { site: { code: "asc" } },
    }),
  ]);
  const examples = (sites.length ? sites : [{ site: { code: "SITE-CODE", timeZone: "UTC" } }]).map(({ site }) => [
    site.code,
    todayIn(site.timeZone),
    "64",
    "female",
    "p.Leu858Arg|detected|NGS_TISSUE; EML4-ALK|not_detected|FISH",
  ]);
  return { trialCode: trial.code, csv: `\uFEFF${csvRows([[...IMPORT_COLUMNS], ...examples])}` }; // the BOM tells Excel it is UTF-8
}
