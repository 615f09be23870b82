"use client";
import { useFormatter, useTranslations } from "next-intl";
import { useEffect, useMemo, useRef, useState } from "react";
import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ForecastInputJson, ForecastResult, ScenarioResult } from "@/lib/forecast/schema";
import { openingDelaySummary, openingEvidence, planRatioSummary, rateModelSummary } from "@/lib/forecast/learning";
import { applyScenario, checkWhatIf, readScenarioLink, scenarioChanges, scenarioLink } from "@/lib/forecast/what-if";

const COLOURS: Record<string, string> = { "US only": "#1f5fa8", "China only": "#b8322a", Joint: "#4a3a8c" };
const DAYS_PER_MONTH = 30.4375;

interface Props {
  monthZero: string;
  asOf: string;
  initialInput: ForecastInputJson;
  initialResult: ForecastResult;
  cohortNames: Record<string, string>;
  /** A shared what-if: the `scenario` of the page's address. */
  scenario?: string | undefined;
}

type Site = ForecastInputJson["sites"][number];

export function ForecastView({ monthZero, asOf, initialInput, initialResult, cohortNames, scenario }: Props) {
  const t = useTranslations("forecast");
  const tCountry = useTranslations("country");
  const format = useFormatter();
  // A shared what-if opens as one: its changes applied to the live inputs, then recalculated (below).
  const [shared] = useState(() => readScenarioLink(scenario));
  const [input, setInput] = useState(() => (shared && shared !== "unreadable" ? applyScenario(initialInput, shared) : initialInput));
  const [result, setResult] = useState(initialResult);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(shared === "unreadable" ? t("linkUnreadable") : null);
  /** The figures shown come from the reader's changed inputs, not from the live forecast. */
  const [whatIf, setWhatIf] = useState(false);
  /** The what-if's address: the page with the changes that made it. */
  const [shareUrl, setShareUrl] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const years = Math.round(result.horizonMonths / 12);

  const dateOf = (months: number) => {
    const date = new Date(`${monthZero}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + Math.round(months * DAYS_PER_MONTH));
    return format.dateTime(date, { year: "numeric", month: "short", timeZone: "UTC" });
  };
  const when = (months: number | null) => (months === null ? t("notWithin", { years }) : dateOf(months));
  const scenarioName = (s: ScenarioResult) => (t.has(`scenarioNames.${s.name}`) ? t(`scenarioNames.${s.name}` as "scenarioNames.Joint") : s.name);

  const speedup = useMemo(() => {
    const joint = result.scenarios.find((s) => s.countries.length > 1);
    const singles = result.scenarios.filter((s) => s.countries.length === 1);
    if (!joint || singles.length === 0) return null;
    if (joint.completionMonth.p50 === null || singles.some((s) => s.completionMonth.p50 === null)) {
      const fastestKnown = singles.filter((s) => s.completionMonth.p50 !== null);
      if (joint.completionMonth.p50 === null || fastestKnown.length === 0) return { unknown: true as const };
    }
    const faster = singles.filter((s) => s.completionMonth.p50 !== null).sort((a, b) => a.completionMonth.p50! - b.completionMonth.p50!)[0]!;
    const remainingJoint = joint.completionMonth.p50! - result.asOfMonth;
    const remainingFaster = faster.completionMonth.p50! - result.asOfMonth;
    return {
      unknown: false as const,
      faster: faster.countries.length === 1 ? tCountry(faster.countries[0] as "US" | "CN") : scenarioName(faster),
      months: Math.round(faster.completionMonth.p50! - joint.completionMonth.p50!),
      factor: Math.round((remainingJoint > 0 ? remainingFaster / remainingJoint : 1) * 10) / 10,
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result]);

  const totalTarget = input.cohorts.reduce((sum, c) => sum + c.target, 0);
  const chartData = useMemo(() => {
    const lastUseful = Math.max(
      result.asOfMonth + 24,
      ...result.scenarios.map((s) => (s.completionMonth.p90 ?? s.completionMonth.p50 ?? result.asOfMonth + 60) + 12),
    );
    const first = result.scenarios[0]!;
    return first.enrolmentFan
      .map((point, i) => {
        const row: Record<string, number | [number, number] | string> = { month: point.month, label: dateOf(point.month) };
        for (const s of result.scenarios) {
          const p = s.enrolmentFan[i]!;
          row[`${s.name}:band`] = [p.p10, p.p90];
          row[`${s.name}:median`] = p.p50;
        }
        return row;
      })
      .filter((row) => (row.month as number) >= result.asOfMonth - 1 && (row.month as number) <= Math.min(result.horizonMonths, lastUseful));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result]);

  async function recalculate(next: ForecastInputJson = input) {
    const problems = checkWhatIf(next);
    if (problems.length) {
      const where = (params?: Record<string, string | number>) => (params?.country ? { ...params, country: tCountry(params.country as "US" | "CN") } : params);
      setError([...new Set(problems.map((p) => t(`check.${p.key}`, where(p.params))))].join(" "));
      return;
    }
    setPending(true);
    setError(null);
    try {
      const response = await fetch("/api/v1/forecast", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(next) });
      const body = await response.json();
      if (!response.ok) {
        const fields = body?.error?.fields
          ? Object.entries(body.error.fields as Record<string, string[]>)
              .map(([k, v]) => `${k}: ${v.join("; ")}`)
              .join(" · ")
          : "";
        setError(t("failed", { message: `${body?.error?.message ?? response.status} ${fields}` }));
      } else {
        setResult(body as ForecastResult);
        setWhatIf(true);
        // The address bar holds the scenario, so the page can be bookmarked or sent as it is.
        const link = scenarioLink(window.location.href, scenarioChanges(initialInput, next));
        window.history.replaceState(null, "", link);
        setShareUrl(link);
        setCopied(false);
      }
    } catch {
      setError(t("failed", { message: "network" }));
    }
    setPending(false);
  }

  const updateSite = (index: number, change: Partial<Site>) =>
    setInput((current) => ({ ...current, sites: current.sites.map((s, i) => (i === index ? { ...s, ...change } : s)) }));
  const setRate = (index: number, perMonth: number) => {
    const site = input.sites[index]!;
    updateSite(index, { rate: { shape: Math.max(0.001, perMonth * site.rate.rate), rate: site.rate.rate } });
  };
  const setPrevalence = (country: "US" | "CN", cohort: string, percent: number) =>
    setInput((current) => ({ ...current, prevalence: { ...current.prevalence, [country]: { ...current.prevalence?.[country], [cohort]: percent / 100 } } }));

  const reset = () => {
    setInput(initialInput);
    setResult(initialResult);
    setWhatIf(false);
    setError(null);
    setShareUrl(null);
    window.history.replaceState(null, "", window.location.pathname);
  };

  const opened = useRef(false);
  useEffect(() => {
    if (opened.current || !shared || shared === "unreadable") return;
    opened.current = true;
    void recalculate(input);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  async function copyLink() {
    if (!shareUrl) return;
    await navigator.clipboard?.writeText(shareUrl).then(
      () => setCopied(true),
      () => setCopied(false), // not allowed here: the address is in the field beside the button
    );
  }
  // The scenario as a file: its inputs and its figures, to keep or to send with a question.
  const exportHref = whatIf ? `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify({ input, result }, null, 2))}` : null;
  // And its figures as a table: completion per scenario (calendar months), then per cohort.
  const monthOf = (months: number | null) => {
    if (months === null) return "";
    const date = new Date(`${monthZero}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + Math.round(months * DAYS_PER_MONTH));
    return date.toISOString().slice(0, 7);
  };
  const csvHref = whatIf
    ? `data:text/csv;charset=utf-8,${encodeURIComponent(
        [
          "scenario,cohort,completion_p10,completion_p50,completion_p90,share_not_within_horizon",
          ...result.scenarios.flatMap((sc) => [
            [sc.name, "ALL", monthOf(sc.completionMonth.p10), monthOf(sc.completionMonth.p50), monthOf(sc.completionMonth.p90), sc.incompleteShare].join(","),
            ...sc.cohorts.map((c) => [sc.name, c.id, monthOf(c.p10), monthOf(c.p50), monthOf(c.p90), c.incompleteShare].join(",")),
          ]),
        ].join("\r\n"),
      )}`
    : null;

  return (
    <>
      {whatIf && (
        <div className="notice warning" role="status" data-testid="what-if">
          <strong>{t("whatIfTitle")}</strong> {t("whatIfText")}{" "}
          <button type="button" onClick={reset}>
            {t("reset")}
          </button>{" "}
          <a href={exportHref!} download={`forecast-what-if-${asOf}.json`}>
            {t("exportScenario")}
          </a>{" "}
          <a href={csvHref!} download={`forecast-what-if-${asOf}.csv`}>
            {t("exportScenarioCsv")}
          </a>
          {shareUrl && (
            <span className="share">
              <label htmlFor="scenario-link">{t("scenarioLink")}</label>{" "}
              <input id="scenario-link" readOnly value={shareUrl} onFocus={(e) => e.currentTarget.select()} />{" "}
              <button type="button" onClick={() => void copyLink()}>
                {copied ? t("linkCopied") : t("copyLink")}
              </button>
            </span>
          )}
        </div>
      )}
      <p className="muted">
        {t("asOf", {
          date: format.dateTime(new Date(`${asOf}T00:00:00Z`), { dateStyle: "medium", timeZone: "UTC" }),
          start: format.dateTime(new Date(`${monthZero}T00:00:00Z`), { dateStyle: "medium", timeZone: "UTC" }),
        })}
      </p>
      <Learned input={initialInput} />
      <table data-testid="forecast-summary">
        <thead>
          <tr>
            <th scope="col">{t("scenario")}</th>
            <th scope="col">{t("expected")}</th>
            <th scope="col">{t("interval80")}</th>
            <th scope="col">{t("interval95")}</th>
          </tr>
        </thead>
        <tbody>
          {result.scenarios.map((s) => (
            <tr key={s.name} data-scenario={s.name} data-p50={s.completionMonth.p50 ?? ""}>
              <th scope="row" style={{ color: COLOURS[s.name] }}>
                {scenarioName(s)}
              </th>
              <td>
                <strong>{when(s.completionMonth.p50)}</strong>
              </td>
              <td>
                {when(s.completionMonth.p10)} – {when(s.completionMonth.p90)}
              </td>
              <td>
                {when(s.completionMonth.p2_5)} – {when(s.completionMonth.p97_5)}
                {s.incompleteShare > 0 && <div className="muted">{t("incomplete", { share: s.incompleteShare, years })}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {speedup && (
        <p className="notice" data-testid="speedup">
          {speedup.unknown ? t("speedupUnknown") : t("speedup", { months: speedup.months, faster: speedup.faster, factor: speedup.factor })}
        </p>
      )}

      <h2>{t("fanTitle")}</h2>
      <figure style={{ margin: 0 }}>
        <div role="img" aria-label={t("fanDescription")} style={{ width: "100%", height: 360 }} className="card">
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={chartData} margin={{ top: 10, right: 30, bottom: 10, left: 10 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="label" minTickGap={40} />
              <YAxis allowDecimals={false} label={{ value: t("enrolled"), angle: -90, position: "insideLeft" }} />
              <Tooltip />
              <Legend />
              <ReferenceLine y={totalTarget} stroke="#555" strokeDasharray="6 3" label={t("target", { target: totalTarget })} />
              {result.scenarios.map((s) => (
                <Area
                  key={`${s.name}:band`}
                  dataKey={`${s.name}:band`}
                  name={`${scenarioName(s)} 10–90%`}
                  stroke="none"
                  fill={COLOURS[s.name] ?? "#888"}
                  fillOpacity={0.15}
                  isAnimationActive={false}
                  legendType="none"
                />
              ))}
              {result.scenarios.map((s) => (
                <Line
                  key={`${s.name}:median`}
                  dataKey={`${s.name}:median`}
                  name={scenarioName(s)}
                  stroke={COLOURS[s.name] ?? "#888"}
                  strokeWidth={2}
                  dot={false}
                  isAnimationActive={false}
                />
              ))}
            </ComposedChart>
          </ResponsiveContainer>
        </div>
        <figcaption className="muted">{t("fanDescription")}</figcaption>
      </figure>

      <h2>{t("cohortsTitle")}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("scenario")}</th>
            {input.cohorts.map((c) => (
              <th key={c.id} scope="col">
                {cohortNames[c.id] ?? c.id}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.scenarios.map((s) => (
            <tr key={s.name}>
              <th scope="row">{scenarioName(s)}</th>
              {s.cohorts.map((c) => (
                <td key={c.id}>
                  {when(c.p50)}
                  <div className="muted">
                    {when(c.p10)} – {when(c.p90)}
                  </div>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>

      <details className="card" style={{ marginTop: "1.5rem" }}>
        <summary>
          <strong>{t("assumptions")}</strong>
        </summary>
        <p className="muted">{t("assumptionsHelp")}</p>
        <div className="field" style={{ maxWidth: 360 }}>
          <label htmlFor="enrol-fraction">{t("enrolFraction")} (%)</label>
          <input
            id="enrol-fraction"
            type="number"
            min={1}
            max={100}
            step={1}
            value={Math.round((input.enrolFraction ?? 1) * 100)}
            onChange={(e) => setInput({ ...input, enrolFraction: Number(e.target.value) / 100 })}
          />
        </div>
        <h3>{t("prevalence")} (%)</h3>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("scenario")}</th>
              <th scope="col">{tCountry("US")}</th>
              <th scope="col">{tCountry("CN")}</th>
            </tr>
          </thead>
          <tbody>
            {input.cohorts.map((c) => (
              <tr key={c.id}>
                <th scope="row">{cohortNames[c.id] ?? c.id}</th>
                {(["US", "CN"] as const).map((country) => (
                  <td key={country}>
                    <input
                      aria-label={`${cohortNames[c.id] ?? c.id} · ${tCountry(country)}`}
                      type="number"
                      min={0}
                      max={100}
                      step={0.1}
                      value={Math.round((input.prevalence?.[country]?.[c.id] ?? 1) * 1000) / 10}
                      onChange={(e) => setPrevalence(country, c.id, Number(e.target.value))}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <h3>{t("sites")}</h3>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("site")}</th>
              <th scope="col">{t("country")}</th>
              <th scope="col">{t("activationMonth")}</th>
              <th scope="col">{t("rate")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {input.sites.map((site, i) => (
              <tr key={`${site.id}-${i}`}>
                <td>{site.id}</td>
                <td>{tCountry(site.country)}</td>
                <td>
                  <input
                    aria-label={`${site.id} · ${t("activationMonth")}`}
                    type="number"
                    min={0}
                    step={1}
                    value={site.activationMonth ?? 0}
                    onChange={(e) => updateSite(i, { activationMonth: Number(e.target.value) })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`${site.id} · ${t("rate")}`}
                    type="number"
                    min={0.05}
                    step={0.1}
                    value={Math.round((site.rate.shape / site.rate.rate) * 100) / 100}
                    onChange={(e) => setRate(i, Number(e.target.value))}
                  />
                </td>
                <td>
                  <button type="button" className="link" onClick={() => setInput({ ...input, sites: input.sites.filter((_, k) => k !== i) })}>
                    {t("remove")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          {(["US", "CN"] as const).map((country) => (
            <button
              key={country}
              type="button"
              onClick={() =>
                setInput({
                  ...input,
                  sites: [
                    ...input.sites,
                    { id: `NEW-${country}-${input.sites.length + 1}`, country, activationMonth: Math.ceil(input.asOfMonth ?? 0), rate: { shape: 6, rate: 6 } },
                  ],
                })
              }
              style={{ marginRight: 8 }}
            >
              {t("addSite")} ({tCountry(country)})
            </button>
          ))}
        </p>
      </details>
      <p>
        <button type="button" className="primary" onClick={() => void recalculate()} disabled={pending}>
          {pending ? t("recalculating") : t("recalculate")}
        </button>
      </p>
      <p className="error" role="alert" aria-live="polite">
        {error}
      </p>
    </>
  );
}

/** What the forecast learned from the trial (lib/forecast/learning.ts), each with its uncertainty. */
function Learned({ input }: { input: ForecastInputJson }) {
  const t = useTranslations("forecast");
  const format = useFormatter();
  const n = (x: number) => format.number(x, { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  const months = (x: number) => format.number(x, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  const pct = (x: number) => format.number(x, { style: "percent", maximumFractionDigits: 0 });
  const lines: { id: string; text: string }[] = [];
  const summary = input.rateModels ? rateModelSummary(input.rateModels) : null;
  const ratio = summary?.ratio ?? (input.planRatio ? planRatioSummary(input.planRatio) : null);
  if (ratio) lines.push({ id: "ratio", text: t("learnedRatio", { ratio: n(ratio.mean), low: n(ratio.p10), high: n(ratio.p90) }) });
  if (summary) {
    const { steady, backlog, slowStart } = summary;
    const text =
      steady >= 0.8
        ? t("learnedSteady", { weight: pct(steady) })
        : backlog.weight >= 0.8
          ? t("learnedBacklog", { factor: n(backlog.firstMonthFactor), weight: pct(backlog.weight) })
          : slowStart.weight >= 0.8
            ? t("learnedSlowStart", { factor: n(slowStart.firstMonthFactor), weight: pct(slowStart.weight) })
            : t("learnedTrendUnsure", { steady: pct(steady), backlog: pct(backlog.weight), slowStart: pct(slowStart.weight) });
    lines.push({ id: "trend", text });
  }
  if (input.openingDelay) {
    const d = openingDelaySummary(input.openingDelay);
    const { opened, overdue } = openingEvidence(input.sites, input.asOfMonth ?? 0);
    lines.push({ id: "delay", text: t("learnedDelay", { mean: months(d.mean), low: months(d.p10), high: months(d.p90), opened, overdue }) });
  }
  if (!lines.length) return null;
  return (
    <div data-testid="learned">
      {lines.map((line) => (
        <p key={line.id} data-learned={line.id}>
          {line.text}
        </p>
      ))}
    </div>
  );
}
