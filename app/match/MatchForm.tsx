"use client";
// The pre-screening form: results as the report writes them (and the age, when a cohort asks for one), sent to
// POST /api/v1/match, which answers every cohort with its verdict; nothing is registered. From a fitting cohort at one
// of the coordinator's sites, one click opens the registration form with the results filled in.
import { useTranslations } from "next-intl";
import { useRef, useState, type FormEvent } from "react";
import type { MatchAnswer } from "@/lib/matching/match"; // a type only: nothing of the server module reaches the browser

type Row = { subtype: string; result: "detected" | "not_detected" | "failed" };

export function MatchForm() {
  const t = useTranslations("match");
  const p = useTranslations("participants");
  const [rows, setRows] = useState<(Row & { key: number })[]>([{ key: 0, subtype: "", result: "detected" }]);
  const [age, setAge] = useState("");
  const [answer, setAnswer] = useState<MatchAnswer | null>(null);
  const [problems, setProblems] = useState<{ message: string; fields: Record<string, string[]> } | null>(null);
  const [pending, setPending] = useState(false);
  const statusRef = useRef<HTMLDivElement>(null);
  const nextKey = useRef(1);

  async function check(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    const body = {
      results: rows.filter((r) => r.subtype.trim()).map(({ subtype, result }) => ({ subtype, result })),
      ...(age ? { ageAtScreening: Number(age) } : {}),
    };
    const response = await fetch("/api/v1/match", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).catch(
      () => null,
    );
    const json = response ? await response.json().catch(() => null) : null;
    setPending(false);
    if (response?.ok && json) {
      setAnswer(json as MatchAnswer);
      setProblems(null);
    } else {
      setAnswer(null);
      setProblems({ message: json?.error?.message ?? t("failed"), fields: json?.error?.fields ?? {} });
    }
    statusRef.current?.focus();
  }

  const update = (key: number, change: Partial<Row>) => setRows((current) => current.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const registerHref = (trialId: string, siteId: string) =>
    `/trials/${trialId}/participants/new?${new URLSearchParams({
      site: siteId,
      ...(age ? { age } : {}),
      results: JSON.stringify(rows.filter((r) => r.subtype.trim()).map(({ subtype, result }) => ({ subtype, result }))),
    })}`;

  return (
    <>
      <form onSubmit={check} className="card form wide" noValidate>
        <fieldset className="field">
          <legend>{t("results")}</legend>
          {rows.map((row, i) => (
            <div className="result-row" key={row.key}>
              <div className="field">
                <label htmlFor={`m-${row.key}-subtype`}>{t("subtype", { n: i + 1 })}</label>
                <input
                  id={`m-${row.key}-subtype`}
                  value={row.subtype}
                  onChange={(e) => update(row.key, { subtype: e.target.value })}
                  placeholder={t("subtypeExample")}
                  maxLength={200}
                  aria-invalid={problems?.fields[`results.${i}.subtype`] ? true : undefined}
                  aria-describedby={`m-${row.key}-error`}
                />
                <p className="error" id={`m-${row.key}-error`}>
                  {problems?.fields[`results.${i}.subtype`]?.join(" ")}
                </p>
              </div>
              <div className="field">
                <label htmlFor={`m-${row.key}-result`}>{p("result")}</label>
                <select id={`m-${row.key}-result`} value={row.result} onChange={(e) => update(row.key, { result: e.target.value as Row["result"] })}>
                  {(["detected", "not_detected", "failed"] as const).map((r) => (
                    <option key={r} value={r}>
                      {p(`resultValues.${r}`)}
                    </option>
                  ))}
                </select>
              </div>
              {rows.length > 1 && (
                <button type="button" className="link" onClick={() => setRows((current) => current.filter((r) => r.key !== row.key))}>
                  {t("removeResult", { n: i + 1 })}
                </button>
              )}
            </div>
          ))}
          <button type="button" onClick={() => setRows((current) => [...current, { key: nextKey.current++, subtype: "", result: "detected" }])}>
            {t("addResult")}
          </button>
        </fieldset>
        <div className="field">
          <label htmlFor="m-age">{t("ageField")}</label>
          <input id="m-age" type="number" min={0} max={120} step={1} value={age} onChange={(e) => setAge(e.target.value)} />
        </div>
        <button className="primary" type="submit" disabled={pending}>
          {pending ? t("checking") : t("find")}
        </button>
      </form>
      <div ref={statusRef} tabIndex={-1} role="status" aria-live="polite" data-testid="match-status">
        {problems && <p className="error">{problems.message}</p>}
        {answer && (
          <p>
            {t("understood")}{" "}
            {answer.results.map((r) => (
              <span key={r.key} className="result-chip" translate="no">
                {r.label} ({p(`resultValues.${r.result}` as "resultValues.detected")})
              </span>
            ))}
          </p>
        )}
      </div>
      {answer?.trials.map((trial) => {
        const mySites = trial.sites.filter((s) => s.mine);
        const elsewhere = trial.sites.filter((s) => !s.mine);
        const registerSite = mySites.find((s) => s.registerHere);
        return (
          <section key={trial.trialId} className="card" data-testid={`match-trial-${trial.code}`}>
            <h2>
              <span translate="no">{trial.code}</span>: {trial.title}
            </h2>
            <p className="muted">
              {mySites.length ? t("yourSites", { sites: mySites.map((s) => `${s.name} (${t(`siteStatus.${s.status}`)})`).join(", ") }) : t("noSitesOfYours")}
              {elsewhere.length > 0 && <> · {t("elsewhere", { sites: elsewhere.map((s) => `${s.code} (${t(`siteStatus.${s.status}`)})`).join(", ") })}</>}
            </p>
            <ul className="matches">
              {trial.cohorts.map((c) => (
                <li key={c.cohortId} data-testid={`match-cohort-${trial.code}-${c.code}`} data-outcome={c.outcome} data-state={c.state}>
                  <strong>{c.name}</strong> <span className={`badge outcome-${c.outcome}`}>{t(`outcome.${c.outcome}`)}</span>{" "}
                  <span className={`badge state-${c.state}`}>{t(`state.${c.state}`, { places: c.placesLeft })}</span>
                  <ul>
                    {c.reasons.map((r, i) => (
                      <li key={i} className={`reason-${r.outcome}`}>
                        {r.outcome === "met" ? "✓" : r.outcome === "failed" ? "✗" : "?"} {r.text}
                      </li>
                    ))}
                  </ul>
                  {c.outcome !== "failed" && c.state === "open" && registerSite && (
                    <a className="button" href={registerHref(trial.trialId, registerSite.siteId)}>
                      {t("register", { trial: trial.code, site: registerSite.code })}
                    </a>
                  )}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}
