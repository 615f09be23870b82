"use client";
// The live enrolment dashboard. Starts from the server-rendered summary, listens to the trial's server-sent events
// (resuming from the last event id it has, so nothing is missed), applies each event's counts at once (totals,
// countries, cohorts, the site table), and refreshes the rest of the summary (charts, rates) a few seconds after.
import Link from "next/link";
import { useFormatter, useLocale, useTranslations } from "next-intl";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { EnrolmentCounts } from "@/lib/enrolment/events";
import type { FederationView } from "@/lib/federation/status";
import { formatCalendarDate } from "@/lib/i18n/format";
import type { EnrolmentSummary, SiteSummary } from "@/lib/enrolment/summary";

type Summary = EnrolmentSummary & { lastEventId: string };
type Connection = "connecting" | "live" | "reconnecting";
type SortKey =
  | "code"
  | "activationDate"
  | "screened"
  | "eligible"
  | "screenFailed"
  | "consented"
  | "enrolled"
  | "enrolmentRatePerMonth"
  | "daysSinceLastScreening";

const SITE_METRICS = ["screened", "eligible", "screenFailed", "consented", "enrolled", "withdrawn", "completed"] as const;
/** The rest of the summary (charts, rates) is fetched again after an event, at a moment spread over a few seconds, so
 * that a thousand open dashboards do not all ask at once; the counts themselves come with the event. */
const REFETCH_SPREAD_MS = 4_000;

const COLOURS = { US: "#1f5fa8", CN: "#b8322a", joint: "#4a3a8c", planned: "#777" };

interface Props {
  initial: Summary;
  /** Sites whose patient rows the viewer may open ("all", or site ids). */
  patientSites: "all" | string[];
}

export function Dashboard({ initial, patientSites }: Props) {
  const t = useTranslations("dashboard");
  const tc = useTranslations("country");
  const ts = useTranslations("participants.reasons");
  const locale = useLocale();
  const format = useFormatter();
  const [summary, setSummary] = useState(initial);
  const [connection, setConnection] = useState<Connection>("connecting");
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: "enrolled", descending: true });
  const lastEventId = useRef(initial.lastEventId);
  const refresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  const trialId = initial.trialId;

  const refetch = useCallback(() => {
    if (refresh.current) clearTimeout(refresh.current);
    refresh.current = setTimeout(
      async () => {
        const response = await fetch(`/api/v1/trials/${trialId}/enrolment`, { cache: "no-store" }).catch(() => null);
        if (response?.ok) {
          const next = (await response.json()) as Summary;
          setSummary((current) => (BigInt(next.lastEventId) >= BigInt(current.lastEventId) ? next : current));
        }
      },
      300 + Math.random() * REFETCH_SPREAD_MS,
    );
  }, [trialId]);

  useEffect(() => {
    const source = new EventSource(`/api/v1/trials/${trialId}/events?lastEventId=${lastEventId.current}`);
    source.onopen = () => setConnection("live");
    source.onerror = () => setConnection("reconnecting"); // EventSource reconnects by itself, with Last-Event-ID
    source.addEventListener("enrolment", (message) => {
      const event = message as MessageEvent<string>;
      const data = JSON.parse(event.data) as EnrolmentCounts;
      lastEventId.current = event.lastEventId;
      setConnection("live");
      setUpdatedAt(new Date());
      setSummary((current) => ({
        ...current,
        lastEventId: event.lastEventId,
        totals: data.totals,
        byCountry: data.byCountry,
        federation: data.federation ?? current.federation,
        byCohort: current.byCohort.map((c) => {
          const counts = data.byCohort[c.cohortId] ?? { US: 0, CN: 0 };
          return { ...c, byCountry: counts, enrolled: counts.US + counts.CN, held: data.held?.[c.cohortId] ?? 0 };
        }),
        bySite: current.bySite.map((s) => {
          const counts = data.bySite?.[s.siteId];
          return counts ? { ...s, ...Object.fromEntries(SITE_METRICS.map((m) => [m, counts[m] ?? 0])) } : s;
        }),
      }));
      refetch();
    });
    return () => {
      source.close();
      if (refresh.current) clearTimeout(refresh.current);
    };
  }, [trialId, refetch]);

  const siteLabel = (s: Pick<SiteSummary, "nameEn" | "nameLocal">) => (locale === "zh-CN" ? s.nameLocal : s.nameEn);
  const percent = (n: number, d: number) => (d > 0 ? format.number(n / d, { style: "percent", maximumFractionDigits: 0 }) : "—");
  const canOpen = (siteId: string) => patientSites === "all" || patientSites.includes(siteId);

  const sites = useMemo(() => {
    const sorted = [...summary.bySite].sort((a, b) => {
      const x = a[sort.key] ?? -Infinity;
      const y = b[sort.key] ?? -Infinity;
      return x < y ? -1 : x > y ? 1 : a.code.localeCompare(b.code);
    });
    return sort.descending ? sorted.reverse() : sorted;
  }, [summary.bySite, sort]);

  const yieldRows = useMemo(() => {
    const keys = [...new Set([...Object.keys(summary.subtypeYield.US.detected), ...Object.keys(summary.subtypeYield.CN.detected)])].sort();
    return keys.map((key) => ({
      subtype: key,
      US: summary.subtypeYield.US.tested ? (summary.subtypeYield.US.detected[key] ?? 0) : 0,
      CN: summary.subtypeYield.CN.tested ? (summary.subtypeYield.CN.detected[key] ?? 0) : 0,
      usShare: summary.subtypeYield.US.tested ? (summary.subtypeYield.US.detected[key] ?? 0) / summary.subtypeYield.US.tested : 0,
      cnShare: summary.subtypeYield.CN.tested ? (summary.subtypeYield.CN.detected[key] ?? 0) / summary.subtypeYield.CN.tested : 0,
    }));
  }, [summary.subtypeYield]);

  const header = (key: SortKey, label: string, numeric = true) => (
    <th scope="col" className={numeric ? "num" : undefined} aria-sort={sort.key === key ? (sort.descending ? "descending" : "ascending") : "none"}>
      <button
        type="button"
        className="link"
        aria-label={t("sortBy", { column: label })}
        onClick={() => setSort((s) => ({ key, descending: s.key === key ? !s.descending : numeric }))}
      >
        {label}
        {sort.key === key ? (sort.descending ? " ↓" : " ↑") : ""}
      </button>
    </th>
  );

  const { totals } = summary;
  const excluded = totals.screenFailed;

  return (
    <section aria-labelledby="dashboard-title">
      <p className="live" data-testid="live-indicator" data-state={connection} role="status">
        <span className={`dot ${connection}`} aria-hidden="true" /> {t(connection)}
        {updatedAt && (
          <span className="muted"> · {t("updated", { time: format.dateTime(updatedAt, { hour: "2-digit", minute: "2-digit", second: "2-digit" }) })}</span>
        )}
      </p>
      {summary.federation && <PeerBanner federation={summary.federation} />}
      <h2 id="dashboard-title" className="visually-hidden">
        {t("headline")}
      </h2>
      <div className="grid headline">
        {(
          [
            ["overall", totals.enrolled],
            ["US", summary.byCountry.US.enrolled],
            ["CN", summary.byCountry.CN.enrolled],
          ] as const
        ).map(([key, enrolled]) => (
          <div key={key} className="card stat" data-testid={`enrolled-${key}`}>
            <div className="muted">{key === "overall" ? t("joint") : tc(key)}</div>
            <div className="big" data-value={enrolled}>
              {enrolled}
            </div>
            {key === "overall" && (
              <div>
                {t("ofTarget", { enrolled, target: summary.target })} ({percent(enrolled, summary.target)})
              </div>
            )}
          </div>
        ))}
      </div>

      <h2>{t("cohortsTitle")}</h2>
      <table data-testid="cohort-table">
        <thead>
          <tr>
            <th scope="col">{t("cohort")}</th>
            <th scope="col" className="num">
              {tc("US")}
            </th>
            <th scope="col" className="num">
              {tc("CN")}
            </th>
            <th scope="col" className="num">
              {t("enrolled")}
            </th>
            <th scope="col" className="num">
              {t("target")}
            </th>
            <th scope="col">%</th>
          </tr>
        </thead>
        <tbody>
          {summary.byCohort.map((c) => (
            <tr key={c.cohortId} data-cohort={c.code}>
              <th scope="row" translate="no">
                {c.name}
              </th>
              <td className="num">
                {c.byCountry.US}
                {summary.federation && c.places && (
                  <span className="muted">
                    {" "}
                    / {c.places.US} {t("places")}
                  </span>
                )}
              </td>
              <td className="num">
                {c.byCountry.CN}
                {summary.federation && c.places && (
                  <span className="muted">
                    {" "}
                    / {c.places.CN} {t("places")}
                  </span>
                )}
              </td>
              <td className="num">
                <span data-testid={`cohort-enrolled-${c.code}`}>{c.enrolled}</span>
                {c.held > 0 && (
                  <span className="muted" data-testid={`cohort-held-${c.code}`}>
                    {" "}
                    {t("held", { count: c.held })}
                  </span>
                )}
              </td>
              <td className="num">{c.target}</td>
              <td style={{ minWidth: 160 }}>
                <div className="progress stacked" role="img" aria-label={`${c.name}: ${c.enrolled} / ${c.target} (${percent(c.enrolled, c.target)})`}>
                  <span style={{ width: `${Math.min(100, (c.byCountry.US / Math.max(1, c.target)) * 100)}%`, background: COLOURS.US }} />
                  <span style={{ width: `${Math.min(100, (c.byCountry.CN / Math.max(1, c.target)) * 100)}%`, background: COLOURS.CN }} />
                </div>
                {percent(c.enrolled, c.target)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t("timelineTitle")}</h2>
      <figure className="card chart" aria-label={t("timelineDescription")} role="group">
        <div style={{ width: "100%", height: 320 }} data-testid="timeline-chart" translate="no">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart
              data={summary.timeline.map((m) => ({ month: m.month, US: m.cumulative.US, CN: m.cumulative.CN, joint: m.cumulative.joint, planned: m.planned }))}
              margin={{ top: 10, right: 24, bottom: 10, left: 0 }}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="month" minTickGap={30} />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Line dataKey="US" name={tc("US")} stroke={COLOURS.US} strokeWidth={2} dot={false} isAnimationActive={false} />
              <Line dataKey="CN" name={tc("CN")} stroke={COLOURS.CN} strokeWidth={2} dot={false} isAnimationActive={false} />
              <Line dataKey="joint" name={t("joint")} stroke={COLOURS.joint} strokeWidth={3} dot={false} isAnimationActive={false} />
              <Line dataKey="planned" name={t("planned")} stroke={COLOURS.planned} strokeDasharray="6 4" dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
        <figcaption className="muted">{t("timelineDescription")}</figcaption>
      </figure>

      <h2>{t("consortTitle")}</h2>
      <div className="consort" data-testid="consort">
        <div className="box">
          {t("assessed")}
          <strong>{totals.screened}</strong>
        </div>
        <div className="arrow" aria-hidden="true">
          ↓
        </div>
        <div className="row">
          <div className="box">
            {t("consentedBox")}
            <strong>{totals.consented}</strong>
          </div>
          <div className="box side">
            {t("excluded")} <strong>{excluded}</strong>
            <ul>
              {summary.screenFailureReasons.map((r) => (
                <li key={r.code}>
                  {ts(r.code as "OTHER")}: {r.count}
                </li>
              ))}
            </ul>
            <div className="muted">
              {t("ongoing")}: {Math.max(0, totals.screened - excluded - totals.consented)}
            </div>
          </div>
        </div>
        <div className="arrow" aria-hidden="true">
          ↓
        </div>
        <div className="box">
          {t("enrolledBox")} <strong>{totals.enrolled}</strong>
          <ul translate="no">
            {summary.byCohort.map((c) => (
              <li key={c.cohortId}>
                {c.name}: {c.enrolled}
              </li>
            ))}
          </ul>
        </div>
        <div className="arrow" aria-hidden="true">
          ↓
        </div>
        <div className="row">
          <div className="box">
            {t("withdrawnBox")}
            <strong>{totals.withdrawn}</strong>
          </div>
          <div className="box">
            {t("completedBox")}
            <strong>{totals.completed}</strong>
          </div>
        </div>
      </div>

      <h2>{t("yieldTitle")}</h2>
      <figure className="card chart" role="group" aria-label={t("yieldDescription")}>
        <div style={{ width: "100%", height: 320 }} translate="no">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart
              data={yieldRows.map((r) => ({ subtype: r.subtype, US: Math.round(r.usShare * 1000) / 10, CN: Math.round(r.cnShare * 1000) / 10 }))}
              margin={{ top: 10, right: 24, bottom: 30, left: 0 }}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="subtype" interval={0} angle={-20} textAnchor="end" height={50} />
              <YAxis unit="%" />
              <Tooltip />
              <Legend verticalAlign="top" />
              <Bar dataKey="US" name={`${tc("US")} (${t("tested", { count: summary.subtypeYield.US.tested })})`} fill={COLOURS.US} isAnimationActive={false} />
              <Bar dataKey="CN" name={`${tc("CN")} (${t("tested", { count: summary.subtypeYield.CN.tested })})`} fill={COLOURS.CN} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
        <figcaption className="muted">{t("yieldDescription")}</figcaption>
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">{t("subtype")}</th>
              <th scope="col" className="num">
                {tc("US")}
              </th>
              <th scope="col" className="num">
                {tc("CN")}
              </th>
            </tr>
          </thead>
          <tbody>
            {yieldRows.map((r) => (
              <tr key={r.subtype}>
                <th scope="row" translate="no">
                  {r.subtype}
                </th>
                <td className="num">{percent(r.US, summary.subtypeYield.US.tested)}</td>
                <td className="num">{percent(r.CN, summary.subtypeYield.CN.tested)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </figure>

      <h2>{t("sitesTitle")}</h2>
      <div className="scroll">
        <table data-testid="site-table">
          <thead>
            <tr>
              {header("code", t("site"), false)}
              <th scope="col">{t("country")}</th>
              {header("activationDate", t("activation"), false)}
              {header("screened", t("screened"))}
              {header("eligible", t("eligible"))}
              {header("screenFailed", t("screenFailed"))}
              <th scope="col">{t("topReasons")}</th>
              {header("consented", t("consented"))}
              {header("enrolled", t("enrolled"))}
              {header("enrolmentRatePerMonth", t("rate"))}
              {header("daysSinceLastScreening", t("lastScreening"))}
            </tr>
          </thead>
          <tbody>
            {sites.map((s) => (
              <tr key={s.siteId} data-site={s.code}>
                <th scope="row" translate="no">
                  {canOpen(s.siteId) ? (
                    <Link href={`/trials/${trialId}/participants?siteId=${s.siteId}`} title={t("patients")}>
                      {siteLabel(s)}
                    </Link>
                  ) : (
                    siteLabel(s)
                  )}
                </th>
                <td>{tc(s.country)}</td>
                <td>{s.activationDate ? formatCalendarDate(s.activationDate, locale) : <span className="muted">{t("notActive")}</span>}</td>
                <td className="num">{s.screened}</td>
                <td className="num">{s.eligible}</td>
                <td className="num">
                  {s.screenFailed} <span className="muted">({percent(s.screenFailed, s.screened)})</span>
                </td>
                <td>
                  {s.screenFailureReasons
                    .slice(0, 2)
                    .map((r) => `${ts(r.code as "OTHER")} ${r.count}`)
                    .join(", ")}
                </td>
                <td className="num">{s.consented}</td>
                <td className="num">{s.enrolled}</td>
                <td className="num">{s.enrolmentRatePerMonth ?? "—"}</td>
                <td className="num">{s.daysSinceLastScreening ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * Whose counts these are, when a peer node's are included: its state and as-of time. A peer that was live when the
 * page last heard turns stale here by itself once its as-of time is older than the threshold (no event says so).
 */
function PeerBanner({ federation }: { federation: FederationView }) {
  const t = useTranslations("dashboard.federation");
  const tc = useTranslations("country");
  const format = useFormatter();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const asOf = federation.asOf ? new Date(federation.asOf) : null;
  const state = federation.state === "live" && asOf && now - asOf.getTime() > federation.staleAfterSeconds * 1_000 ? "stale" : federation.state;
  const when = asOf ? format.dateTime(asOf, { dateStyle: "medium", timeStyle: "medium" }) : "—";
  return (
    <div className={`notice${state === "live" ? "" : " warning"}`} role="status" data-testid="peer-banner" data-state={state}>
      <strong>{t("title", { country: tc(federation.country) })}</strong> {t(state, { country: tc(federation.country), asOf: when })}
      {federation.withheld > 0 && <> {t("withheld", { count: federation.withheld })}</>}
    </div>
  );
}
