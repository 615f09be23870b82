"use client";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";

type Outcome =
  | { kind: "idle" }
  | { kind: "uploading"; fraction: number }
  | { kind: "checking" }
  | { kind: "done"; count: number }
  | { kind: "rejected"; message: string; problems: [string, string[]][] }
  | { kind: "failed"; message: string };

export function ImportForm({ trialId }: { trialId: string }) {
  const t = useTranslations("import");
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get("file");
    if (!(file instanceof File) || file.size === 0) return;
    // XMLHttpRequest, not fetch: only it reports upload progress.
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/trials/${trialId}/participants/import?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("Content-Type", "text/csv");
    xhr.upload.onprogress = (e) => e.lengthComputable && setOutcome({ kind: "uploading", fraction: e.loaded / e.total });
    xhr.upload.onload = () => setOutcome({ kind: "checking" });
    xhr.onerror = () => setOutcome({ kind: "failed", message: "network" });
    xhr.onload = () => {
      let body: { imported?: number; error?: { message: string; fields?: Record<string, string[]> } } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON
      }
      if (xhr.status === 201 && typeof body.imported === "number") setOutcome({ kind: "done", count: body.imported });
      else if (body.error?.fields) setOutcome({ kind: "rejected", message: body.error.message, problems: Object.entries(body.error.fields) });
      else setOutcome({ kind: "failed", message: body.error?.message ?? String(xhr.status) });
    };
    setOutcome({ kind: "uploading", fraction: 0 });
    xhr.send(file);
  }

  const busy = outcome.kind === "uploading" || outcome.kind === "checking";
  return (
    <form onSubmit={submit} className="card form wide">
      <div className="field">
        <label htmlFor="file">{t("file")}</label>
        <input id="file" name="file" type="file" accept=".csv,text/csv" required />
      </div>
      <button className="primary" type="submit" disabled={busy}>
        {t("upload")}
      </button>
      <div role="status" aria-live="polite">
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
      </div>
      {outcome.kind === "failed" && (
        <p className="error" role="alert">
          {t("failed", { message: outcome.message })}
        </p>
      )}
      {outcome.kind === "rejected" && (
        <div role="alert">
          <p className="error">
            <strong>{t("rejected")}</strong> {outcome.message}
          </p>
          <table data-testid="import-problems">
            <thead>
              <tr>
                <th scope="col">{t("line")}</th>
                <th scope="col">{t("problem")}</th>
              </tr>
            </thead>
            <tbody>
              {outcome.problems.map(([where, messages]) => (
                <tr key={where}>
                  <td>{where}</td>
                  <td>{messages.join(" ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </form>
  );
}
