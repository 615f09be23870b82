// Bulk import of a site's existing screening log from CSV (RFC 4180, UTF-8 with or without BOM; Chinese text is
// fine). The columns are the form's: site (the site's code, e.g. US-BOS1), screeningDate (YYYY-MM-DD),
// ageAtScreening, sex (female | male | unknown), results ("subtype|result|method", several separated by ";",
// e.g. "p.Leu858Arg|detected|NGS_TISSUE; EML4-ALK|not_detected|FISH").
// Every row is checked before anything is written; one bad row imports nothing, and the answer lists every bad row
// with its reasons. Then all rows go in one transaction, each audited, with one enrolment event at the end.
import "server-only";
import Papa from "papaparse";
import { trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import { nudgeFold } from "@/lib/enrolment/folder";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { AppError } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { checkRegistration, countRegistrations, insertRegistrations, RegistrationContext, type CheckedRegistration } from "./register";

export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 5_000;
export const IMPORT_COLUMNS = ["site", "screeningDate", "ageAtScreening", "sex", "results"] as const;

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
    results.push({ subtype, result: result.toLowerCase(), method: method.toUpperCase() });
  }
  return { value: results };
}

export async function importParticipants(actor: Actor, trialId: string, bytes: Uint8Array, fileName = "import.csv") {
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

  const sites = await db().site.findMany({ where: { trialSites: { some: { trialId } } }, select: { id: true, code: true } });
  const siteIdByCode = new Map(sites.map((s) => [s.code.toUpperCase(), s.id]));
  const context = new RegistrationContext(access);
  const problems: RowProblem[] = [];
  const checked: CheckedRegistration[] = [];
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
    const input = {
      siteId: siteIdByCode.get((row.site ?? "").trim().toUpperCase()) ?? `unknown:${row.site ?? ""}`,
      screeningDate: (row.screeningDate ?? "").trim(),
      ageAtScreening: /^\d+$/.test(age) ? Number(age) : age,
      sex: (row.sex ?? "").trim().toLowerCase(),
      results: results.value,
    };
    try {
      checked.push(await checkRegistration(access, input, context));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const fields = error.code === "not_found" ? { site: [msg("import.notYourSite", { site: row.site ?? "" })] } : (error.fields ?? { row: [error.message] });
      problems.push({ line, problems: fields });
    }
  }
  if (problems.length) {
    throw new ImportRejected(problems, msg("import.rejected", { bad: problems.length, rows: parsed.data.length }));
  }

  // All rows or none, in one transaction of a few bulk statements: sites' numbering rows in id order, the
  // participants, one audit row each and one for the import, and the counters' deltas (folded, with one live event,
  // just after commit).
  const created = await db().$transaction(
    async (tx) => {
      const views = await insertRegistrations(tx, actor, trialId, checked, `CSV import: ${fileName}`);
      await recordAudit(tx, {
        actorId: actor.id,
        action: "participants.import",
        entityType: "Trial",
        entityId: trialId,
        trialId,
        after: { file: fileName, rows: views.length },
      });
      await countRegistrations(tx, trialId, checked);
      return views;
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
  nudgeFold(trialId);
  return { imported: created.length, screeningNumbers: created.map((v) => v.screeningNumber) };
}
