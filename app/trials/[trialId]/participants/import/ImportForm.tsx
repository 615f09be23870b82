"use client";
// Import in two steps: the file is checked first (a preview: nothing written) and shown as it will be saved, with
// every problem by line and field in the reader's language; only a clean file can then be imported, once.
import { useTranslations } from "next-intl";
import { useRef, useState, type FormEvent } from "react";
import type { ImportDone, ImportPreview } from "@/lib/participants/import"; // a type only: nothing of the server module reaches the browser

type Preview = Omit<ImportPreview, "preview" | "sha256">;

type Outcome =
  | { kind: "idle" }
  | { kind: "uploading"; fraction: number }
  | { kind: "checking" }
  | { kind: "previewed"; preview: Preview }
  | { kind: "done"; count: number; participants: ImportDone["participants"] }
  | { kind: "rejected"; message: string; problems: [string, string[]][] }
  | { kind: "failed"; message: string };

interface Answer {
  imported?: number;
  participants?: ImportDone["participants"];
  preview?: boolean;
  error?: { message: string; fields?: Record<string, string[]> };
}

function send(url: string, file: File, progress: (o: Outcome) => void): Promise<{ status: number; body: Answer & Partial<Preview> }> {
  // XMLHttpRequest, not fetch: only it reports upload progress.
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", "text/csv");
    xhr.upload.onprogress = (e) => e.lengthComputable && progress({ kind: "uploading", fraction: e.loaded / e.total });
    xhr.upload.onload = () => progress({ kind: "checking" });
    xhr.onerror = () => resolve({ status: 0, body: { error: { message: "network" } } });
    xhr.onload = () => {
      let body: Answer & Partial<Preview> = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON
      }
      resolve({ status: xhr.status, body });
    };
    progress({ kind: "uploading", fraction: 0 });
    xhr.send(file);
  });
}

export function ImportForm({ trialId }: { trialId: string }) {
  const t = useTranslations("import");
  const p = useTranslations("participants");
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  const fileRef = useRef<HTMLInputElement>(null);
  const orderRef = useRef<HTMLSelectElement>(null);
  /** The import's address: the file's name and date order, and what else this step asks. */
  const url = (file: File, extra: string) =>
    `/api/v1/trials/${trialId}/participants/import?filename=${encodeURIComponent(file.name)}&dateOrder=${orderRef.current?.value ?? "site"}${extra}`;

  /** "line 3: results.0.method" as "Line 3 · result 1 · Method", in the reader's language. */
  function where(key: string): [string, string] {
    const match = /^line (\d+): (.+)$/.exec(key);
    if (!match) return ["", key === "columns" ? t("columns") : key];
    const field = match[2]!;
    const result = /^results\.(\d+)\.(subtype|result|method)$/.exec(field);
    const names: Record<string, string> = {
      site: p("site"),
      screeningDate: p("screeningDate"),
      ageAtScreening: p("age"),
      sex: p("sex"),
      results: p("results"),
      row: t("wholeRow"),
      siteId: p("site"),
    };
    const label = result
      ? `${t("resultN", { n: Number(result[1]) + 1 })} · ${p(result[2] === "subtype" ? "subtypeField" : (result[2] as "result" | "method"))}`
      : (names[field] ?? field);
    return [match[1]!, label];
  }

  /** A refusal of the check or of the import: its problems by line and field, or its message. */
  function refused(status: number, body: Answer) {
    if (body.error?.fields) setOutcome({ kind: "rejected", message: body.error.message, problems: Object.entries(body.error.fields) });
    else setOutcome({ kind: "failed", message: body.error?.message ?? String(status) });
  }

  async function check(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file || file.size === 0) return;
    const { status, body } = await send(url(file, "&preview=true"), file, setOutcome);
    if (status === 200 && body.preview) setOutcome({ kind: "previewed", preview: body as unknown as Preview });
    else refused(status, body);
  }

  async function importNow(keepDuplicates: boolean) {
    const file = fileRef.current?.files?.[0];
    if (!file) return;
    const { status, body } = await send(url(file, keepDuplicates ? "&duplicates=keep" : ""), file, setOutcome);
    if (status === 201 && typeof body.imported === "number") setOutcome({ kind: "done", count: body.imported, participants: body.participants ?? [] });
    else refused(status, body);
  }

  const busy = outcome.kind === "uploading" || outcome.kind === "checking";
  const problems = outcome.kind === "rejected" ? outcome.problems : outcome.kind === "previewed" ? Object.entries(outcome.preview.problems) : [];
  return (
    <form onSubmit={check} className="card form wide">
      <div className="field">
        <label htmlFor="file">{t("file")}</label>
        <input id="file" name="file" type="file" accept=".csv,text/csv" required ref={fileRef} onChange={() => setOutcome({ kind: "idle" })} />
      </div>
      <div className="field">
        <label htmlFor="dateOrder">{t("dateOrder")}</label>
        <select
          id="dateOrder"
          name="dateOrder"
          defaultValue="site"
          ref={orderRef}
          aria-describedby="dateOrder-help"
          onChange={() => setOutcome({ kind: "idle" })}
        >
          <option value="site">{t("dateOrderSite")}</option>
          <option value="mdy">{t("dateOrderMdy")}</option>
          <option value="dmy">{t("dateOrderDmy")}</option>
        </select>
        <p className="muted" id="dateOrder-help">
          {t("dateOrderHelp")}
        </p>
      </div>
      <button type="submit" disabled={busy}>
        {t("check")}
      </button>
      <div role="status" aria-live="polite" data-testid="import-status">
        {outcome.kind === "uploading" && (
          <>
            <progress max={1} value={outcome.fraction} /> {t("uploading", { percent: outcome.fraction })}
          </>
        )}
        {outcome.kind === "checking" && (
          <>
            <progress /> {t("checking")}
          </>
        )}
        {outcome.kind === "done" && <p className="success">{t("done", { count: outcome.count })}</p>}
        {outcome.kind === "previewed" && outcome.preview.alreadyImported && (
          <p className="error">
            <strong>{t("alreadyTitle")}:</strong>{" "}
            {t("alreadyImported", {
              file: outcome.preview.alreadyImported.fileName,
              rows: outcome.preview.alreadyImported.rows,
              at: outcome.preview.alreadyImported.at.slice(0, 10),
            })}
          </p>
        )}
        {outcome.kind === "previewed" && !outcome.preview.alreadyImported && (
          <p className={outcome.preview.ready ? "success" : "error"}>
            {t(outcome.preview.ready ? "checkedReady" : "checkedProblems", { rows: outcome.preview.rows })}
          </p>
        )}
      </div>
      {outcome.kind === "previewed" && outcome.preview.ready && (
        <>
          <div className="table-scroll" tabIndex={0} role="region" aria-label={t("title")}>
            <table data-testid="import-preview">
              <thead>
                <tr>
                  <th scope="col">{t("line")}</th>
                  <th scope="col">{t("sampleSite")}</th>
                  <th scope="col">{t("sampleDate")}</th>
                  <th scope="col">{t("sampleAge")}</th>
                  <th scope="col">{t("sampleSex")}</th>
                  <th scope="col">{t("sampleResults")}</th>
                </tr>
              </thead>
              <tbody>
                {outcome.preview.sample.map((row) => (
                  <tr key={row.line}>
                    <td>{row.line}</td>
                    <td translate="no">{row.site}</td>
                    <td>{row.screeningDate}</td>
                    <td>{row.ageAtScreening}</td>
                    <td>{p(`sexes.${row.sex}` as "sexes.female")}</td>
                    <td>
                      {row.results.map((r) => (
                        <span key={r.subtype} className="result-chip">
                          <span translate="no">{r.subtype}</span> {p(`resultValues.${r.result}` as "resultValues.detected")} (
                          {p(`methods.${r.method}` as "methods.PCR")})
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {outcome.preview.duplicates.length > 0 && (
            <div className="notice warning" data-testid="import-duplicates">
              <p>
                <strong>{t("duplicatesTitle")}:</strong> {t("duplicatesHelp", { count: outcome.preview.duplicates.length })}
              </p>
              <ul>
                {outcome.preview.duplicates.slice(0, 100).map((d) => (
                  <li key={d.line}>
                    {"line" in d.of
                      ? t("duplicateLine", { line: d.line, what: t("duplicateOfLine", { line: d.of.line }) })
                      : t.rich("duplicateOfRecord", {
                          line: d.line,
                          number: d.of.screeningNumber,
                          record: (chunks) => (
                            <a href={`/trials/${trialId}/participants/${"participantId" in d.of ? d.of.participantId : ""}`} translate="no">
                              {chunks}
                            </a>
                          ),
                        })}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <button className="primary" type="button" onClick={() => void importNow(outcome.preview.duplicates.length > 0)} disabled={busy}>
            {t(outcome.preview.duplicates.length > 0 ? "importKeeping" : "importNow", { rows: outcome.preview.rows })}
          </button>
        </>
      )}
      {outcome.kind === "done" && outcome.participants.length > 0 && (
        <ul className="choices" data-testid="imported" aria-label={t("importedList")}>
          {outcome.participants.slice(0, 100).map((p) => (
            <li key={p.id} translate="no">
              <a href={`/trials/${trialId}/participants/${p.id}`}>{p.screeningNumber}</a>
            </li>
          ))}
        </ul>
      )}
      {outcome.kind === "failed" && (
        <p className="error" role="alert">
          {t("failed", { message: outcome.message })}
        </p>
      )}
      {problems.length > 0 && (
        <div role="alert">
          {outcome.kind === "rejected" && (
            <p className="error">
              <strong>{t("rejectedTitle")}</strong> {outcome.message}
            </p>
          )}
          <table data-testid="import-problems">
            <thead>
              <tr>
                <th scope="col">{t("line")}</th>
                <th scope="col">{t("field")}</th>
                <th scope="col">{t("problem")}</th>
              </tr>
            </thead>
            <tbody>
              {problems.map(([key, messages]) => {
                const [line, field] = where(key);
                return (
                  <tr key={key}>
                    <td>{line}</td>
                    <td>{field}</td>
                    <td>{messages.join(" ")}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </form>
  );
}
