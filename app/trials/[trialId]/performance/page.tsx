import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import { sitePerformance, type SitePerformance } from "@/lib/performance/sites";
import { FunnelChart } from "./FunnelChart";

export const dynamic = "force-dynamic";

/** Which sites are really behind: each site's figures, and funnel plots that allow for small sites' noise. */
export default async function PerformancePage({ params }: { params: Promise<{ trialId: string }> }) {
  const { trialId } = await params;
  const actor = await requirePageActor();
  const report = await loadOrNotFound(() => sitePerformance(actor, trialId));
  const [t, tReasons, format, locale] = await Promise.all([
    getTranslations("performance"),
    getTranslations("participants.reasons"),
    getFormatter(),
    getLocale(),
  ]);
  const pct = (x: number | null) => (x === null ? "—" : format.number(x, { style: "percent", maximumFractionDigits: 0 }));
  const num = (x: number | null, digits = 1) => (x === null ? "—" : format.number(x, { maximumFractionDigits: digits }));
  const name = (s: SitePerformance) => (locale === "zh-CN" ? s.nameLocal : s.nameEn);
  const flag = (f: SitePerformance["screenFailure"]) =>
    f.flag ? (
      <strong className={`flag-${f.flag}`}>{t(f.flag === "red" ? "flagRed" : "flagAmber", { z: num(f.z, 1) })}</strong>
    ) : f.tooFew ? (
      t("tooFew")
    ) : (
      t("withinLimits")
    );
  const reasons = (s: SitePerformance) =>
    s.reasons === null
      ? t("notShared")
      : Object.entries(s.reasons)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 2)
          .map(([code, n]) => `${tReasons.has(code) ? tReasons(code as "OTHER") : code} ${n}`)
          .join(", ") || "—";
  const open = report.sites.filter((s) => s.activationDate !== null);
  const points = (pick: (s: SitePerformance) => { x: number; y: number | null; flag: string | null }) =>
    open.map((s) => ({ label: name(s), ...pick(s) })).filter((p) => p.y !== null) as { label: string; x: number; y: number; flag: string | null }[];
  return (
    <>
      <p>
        <Link href={`/trials/${trialId}`}>← {report.trialCode}</Link>
      </p>
      <h1>
        {t("title")}: {report.trialCode}
      </h1>
      <p className="muted">{t("intro", { screened: report.minimum.screened, months: report.minimum.monthsOpen })}</p>
      <p className="muted">{t("behindIntro", { percent: Math.round(report.behindAt * 100), months: report.minimum.monthsOpen })}</p>
      <div className="charts">
        <FunnelChart
          title={t("screenFailureChart")}
          xLabel={t("screened")}
          yLabel={t("screenFailureShare")}
          share
          overall={report.funnels.screenFailure.overall}
          limits={report.funnels.screenFailure.limits}
          points={points((s) => ({ x: s.screened, y: s.screenFailureShare, flag: s.screenFailure.flag }))}
        />
        <FunnelChart
          title={t("enrolmentChart")}
          xLabel={t("monthsOpen")}
          yLabel={t("enrolledPerMonth")}
          share={false}
          overall={report.funnels.enrolment.overall}
          limits={report.funnels.enrolment.limits}
          points={points((s) => ({ x: s.monthsOpen, y: s.enrolledPerMonth, flag: s.enrolment.flag }))}
        />
      </div>
      <div className="table-scroll" tabIndex={0} role="region" aria-label={t("tableCaption", { date: report.asOf })}>
        <table data-testid="site-performance">
          <caption>{t("tableCaption", { date: format.dateTime(new Date(`${report.asOf}T00:00:00Z`), { dateStyle: "medium", timeZone: "UTC" }) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("site")}</th>
              <th scope="col">{t("monthsOpen")}</th>
              <th scope="col">{t("screened")}</th>
              <th scope="col">{t("shareOfPlan")}</th>
              <th scope="col">{t("missProbability")}</th>
              <th scope="col">{t("screenFailureShare")}</th>
              <th scope="col">{t("topReasons")}</th>
              <th scope="col">{t("screenFailureFlag")}</th>
              <th scope="col">{t("consentShare")}</th>
              <th scope="col">{t("enrolled")}</th>
              <th scope="col">{t("enrolledPerMonth")}</th>
              <th scope="col">{t("enrolmentFlag")}</th>
              <th scope="col">{t("daysToConsent")}</th>
              <th scope="col">{t("daysToEnrolment")}</th>
              <th scope="col">{t("daysSinceScreening")}</th>
              <th scope="col">{t("daysSinceEnrolment")}</th>
            </tr>
          </thead>
          <tbody>
            {report.sites.map((s) => (
              <tr key={s.siteId} data-site={s.code} data-screen-failure-flag={s.screenFailure.flag ?? ""} data-enrolment-flag={s.enrolment.flag ?? ""}>
                <th scope="row">
                  {name(s)} <span className="muted">{s.code}</span>
                  {s.activationDate === null && <span className="muted"> · {t("notOpen")}</span>}
                </th>
                <td>{num(s.monthsOpen)}</td>
                <td>{s.screened}</td>
                <td>{pct(s.shareOfPlan)}</td>
                <td data-behind={s.behind ? "true" : undefined}>
                  {s.behind ? <strong className="flag-amber">{t("behind", { p: pct(s.missProbability) })}</strong> : pct(s.missProbability)}
                </td>
                <td>{pct(s.screenFailureShare)}</td>
                <td>{reasons(s)}</td>
                <td>{s.activationDate === null ? "—" : flag(s.screenFailure)}</td>
                <td>{pct(s.consentShare)}</td>
                <td>{s.enrolled}</td>
                <td>{num(s.enrolledPerMonth, 2)}</td>
                <td>{s.activationDate === null ? "—" : flag(s.enrolment)}</td>
                <td>{num(s.medianDaysToConsent, 0)}</td>
                <td>{num(s.medianDaysToEnrolment, 0)}</td>
                <td>{num(s.daysSinceScreening, 0)}</td>
                <td>{num(s.daysSinceEnrolment, 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
