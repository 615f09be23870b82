// An audit row's old and new values as a monitor reads them: one line per field that changed, "old → new", with
// results, steps and dates written out instead of raw JSON (the raw values stay one click away, and in the CSV).
export interface FieldChange {
  field: string;
  old: string;
  new: string;
}

const HIDDEN = new Set(["version"]); // bookkeeping, not content

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One value in words: a result as "EGFR:L858R detected (NGS_TISSUE)", a step as "ENROLLED 2026-03-02 (reason)". */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.map(describeValue).join("; ") : "—";
  if (isRecord(value)) {
    if (typeof value.subtype === "string" && typeof value.result === "string") {
      return `${value.subtype} ${value.result}${typeof value.method === "string" ? ` (${value.method})` : ""}`;
    }
    if (typeof value.step === "string" && typeof value.date === "string") {
      const why = [value.reasonCode, value.note].filter((x) => typeof x === "string" && x).join(": ");
      return `${value.step} ${value.date}${why ? ` (${why})` : ""}`;
    }
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${describeValue(v)}`)
      .join(", ");
  }
  return String(value);
}

/** The fields an audit row changed (or set, or recorded), old and new, in a stable order. */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((f) => !HIDDEN.has(f));
  return fields
    .map((field) => ({ field, old: field in b ? describeValue(b[field]) : "—", new: field in a ? describeValue(a[field]) : "—" }))
    .filter((c) => c.old !== c.new || !(c.field in b));
}
