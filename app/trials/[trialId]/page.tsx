import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import { readEnrolment } from "@/lib/enrolment/read";
import { siteName } from "@/lib/i18n/format";
import { trialOverview } from "@/lib/trials/queries";
import { CalendarDate } from "@/app/components/CalendarDate";
import { Dashboard } from "./Dashboard";

export const dynamic = "force-dynamic";

export default async function TrialPage({ params }: { params: Promise<{ trialId: string }> }) {
  const { trialId } = await params;
  const actor = await requirePageActor();
  const view = await loadOrNotFound(() => trialOverview(actor, trialId));
  const [enrolment, t, locale] = await Promise.all([readEnrolment(actor, trialId), getTranslations(), getLocale()]);
  const { trial, memberships, access } = view;
  return (
    <>
      <h1 translate="no">
        {trial.code}: {trial.title}
      </h1>
      <p className="muted">
        <span translate="no">
          {t("trial.phaseAndIndication", { phase: trial.phase, indication: trial.indication })} · {trial.sponsorName}
        </span>{" "}
        · {t("trial.activeSites", { active: trial.activeSites, total: trial.totalSites })}
      </p>
      <nav aria-label={trial.code} className="subnav">
        {view.recent !== null && <Link href={`/trials/${trial.id}/participants`}>{t("participants.link")}</Link>}
        <Link href={`/trials/${trial.id}/forecast`}>{t("forecast.link")}</Link>
        <span className="downloads">
          {t("reports.download")}{" "}
          {(["csv", "xlsx", "pdf"] as const).map((kind) => (
            <a key={kind} href={`/api/v1/trials/${trial.id}/reports/enrolment.${kind}`} download>
              {t(`reports.${kind}`)}
            </a>
          ))}
        </span>
      </nav>
      <p className="muted">
        {t("trial.yourAccess")}:{" "}
        <span translate="no">
          {[
            ...(access.isAdmin ? [t("role.ADMIN")] : []),
            ...memberships.map((m) => `${t(`role.${m.role}`)} · ${m.site ? t("role.atSite", { site: siteName(m.site, locale) }) : t("role.trialWide")}`),
          ].join("; ")}
        </span>
      </p>
      {view.recent === null && (
        <p className="notice" data-testid="counts-only">
          {t("trial.countsOnly")}
        </p>
      )}
      <Dashboard initial={enrolment} patientSites={access.patientSites === "all" ? "all" : [...access.patientSites]} />
      {view.recent !== null && view.recent.length > 0 && (
        <>
          <h2>{t("trial.recentScreenings")}</h2>
          <table data-testid="patient-rows">
            <thead>
              <tr>
                <th scope="col">{t("trial.screeningNumber")}</th>
                <th scope="col">{t("trial.site")}</th>
                <th scope="col">{t("trial.screeningDate")}</th>
                <th scope="col">{t("trial.status")}</th>
              </tr>
            </thead>
            <tbody>
              {view.recent.map((p) => (
                <tr key={p.id}>
                  <td translate="no">
                    <Link href={`/trials/${trial.id}/participants/${p.id}`}>{p.screeningNumber}</Link>
                  </td>
                  <td translate="no">{siteName(p.site, locale)}</td>
                  <td>
                    <CalendarDate iso={p.screeningDate} locale={locale} />
                  </td>
                  <td>{t(`status.${p.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
