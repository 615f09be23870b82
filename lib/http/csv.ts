// Every CSV the app writes: RFC 4180 (papaparse), CRLF line ends, and cells that a spreadsheet would run as a formula
// (starting with =, +, -, @, a tab or a carriage return) neutralised with a leading apostrophe, papaparse's
// escapeFormulae (OWASP "CSV injection"): a reason typed as =HYPERLINK(...) stays text when an export is opened.
import Papa from "papaparse";

const OPTIONS = { newline: "\r\n", escapeFormulae: true } as const;

/** Rows (with a header row first, if given) as CSV text ending in CRLF. */
export function csvRows(rows: readonly (readonly unknown[])[], fields?: readonly string[]): string {
  const text = fields
    ? Papa.unparse({ fields: [...fields], data: rows.map((r) => [...r]) }, OPTIONS)
    : Papa.unparse(
        rows.map((r) => [...r]),
        OPTIONS,
      );
  return `${text}\r\n`;
}

/** A whole CSV file: UTF-8 byte-order mark (so spreadsheets read Chinese text right), header, rows. */
export function csvFile(fields: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `\uFEFF${csvRows(rows, fields)}`;
}
