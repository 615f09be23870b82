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
  // A coordinator's own work comes first; the trial-wide dashboard follows.
  const ownWorkFirst = access.editSites.length > 0;
  const recentTable = view.recent !== null && view.recent.length > 0 && (
    <section aria-labelledby="recent-title">
      <h2 id="recent-title">{t("trial.recentScreenings")}</h2>
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
    </section>
  );

  const awaitingTable = view.awaiting !== null && (
    <section aria-labelledby="awaiting-title">
      <h2 id="awaiting-title">{t("trial.awaitingTitle")}</h2>
      {view.awaiting.length === 0 ? (
        <p className="muted">{t("trial.awaitingNone")}</p>
      ) : (
        <table data-testid="awaiting">
          <thead>
            <tr>
              <th scope="col">{t("trial.screeningNumber")}</th>
              <th scope="col">{t("trial.status")}</th>
              <th scope="col">{t("trial.since")}</th>
            </tr>
          </thead>
          <tbody>
            {view.awaiting.map((p) => (
              <tr key={p.id}>
                <td translate="no">
                  <Link href={`/trials/${trial.id}/participants/${p.id}`}>{p.screeningNumber}</Link>
                </td>
                <td>{t(`status.${p.status}`)}</td>
                <td>{p.since ? <CalendarDate iso={p.since} locale={locale} /> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );

  // Patients who failed screening but fit an open cohort now: rows for those who may read them, counts for everyone.
  const { candidates } = view;
  const candidatesSection = candidates.total > 0 && (
    <section aria-labelledby="candidates-title" data-testid="candidates">
      <h2 id="candidates-title">{t("trial.candidatesTitle")}</h2>
      <p className="muted">
        {t("trial.candidatesCounts", { total: candidates.total, us: candidates.byCountry.US ?? 0, cn: candidates.byCountry.CN ?? 0 })}{" "}
        <span translate="no">{candidates.bySite.map((s) => `${s.code} ${s.count}`).join(" · ")}</span>
      </p>
      {candidates.rows.length > 0 && (
        <table data-testid="candidate-rows">
          <thead>
            <tr>
              <th scope="col">{t("trial.screeningNumber")}</th>
              <th scope="col">{t("trial.screeningDate")}</th>
              <th scope="col">{t("trial.failureReason")}</th>
              <th scope="col">{t("trial.fitsCohorts")}</th>
            </tr>
          </thead>
          <tbody>
            {candidates.rows.map((c) => (
              <tr key={c.participantId}>
                <td translate="no">
                  <Link href={`/trials/${trial.id}/participants/${c.participantId}`}>{c.screeningNumber}</Link>
                </td>
                <td>
                  <CalendarDate iso={c.screeningDate} locale={locale} />
                </td>
                <td>{c.reasonCode ? t(`participants.reasons.${c.reasonCode}` as "participants.reasons.OTHER") : "—"}</td>
                <td>
                  {c.cohorts.map((k, i) => (
                    <span key={k.cohortId}>
                      {i > 0 ? "; " : ""}
                      <span translate="no">{k.name}</span> ({t(`match.outcome.${k.outcome}`)})
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );

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
        <Link href={`/trials/${trial.id}/performance`}>{t("performance.link")}</Link>
        {view.maySetAlerts && <Link href={`/trials/${trial.id}/alerts`}>{t("alerts.link")}</Link>}
        {view.mayManageWebhooks && <Link href={`/trials/${trial.id}/webhooks`}>{t("webhooks.link")}</Link>}
        <a href="#reports">{t("reports.title")}</a>
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
      {ownWorkFirst && awaitingTable}
      {ownWorkFirst && recentTable}
      {ownWorkFirst && candidatesSection}
      <Dashboard initial={enrolment} patientSites={access.patientSites === "all" ? "all" : [...access.patientSites]} />
      {!ownWorkFirst && recentTable}
      {!ownWorkFirst && candidatesSection}
      <section id="reports" aria-labelledby="reports-title">
        <h2 id="reports-title">{t("reports.title")}</h2>
        <form method="get" className="card filters" aria-label={t("reports.title")}>
          <div className="field">
            <label htmlFor="r-country">{t("reports.country")}</label>
            <select id="r-country" name="country" defaultValue="">
              <option value="">{t("reports.all")}</option>
              <option value="US">{t("country.US")}</option>
              <option value="CN">{t("country.CN")}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="r-site">{t("reports.site")}</label>
            <select id="r-site" name="siteId" defaultValue="">
              <option value="">{t("reports.all")}</option>
              {view.reportChoices.sites.map((s) => (
                <option key={s.id} value={s.id} translate="no">
                  {s.code} · {siteName(s, locale)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="r-cohort">{t("reports.cohort")}</label>
            <select id="r-cohort" name="cohortId" defaultValue="">
              <option value="">{t("reports.all")}</option>
              {view.reportChoices.cohorts.map((c) => (
                <option key={c.id} value={c.id} translate="no">
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="r-from">{t("reports.from")}</label>
            <input id="r-from" name="from" type="date" />
          </div>
          <div className="field">
            <label htmlFor="r-to">{t("reports.to")}</label>
            <input id="r-to" name="to" type="date" />
          </div>
          <div className="field downloads" style={{ alignSelf: "end" }}>
            <span>{t("reports.download")}</span>
            <span>
              {(["csv", "xlsx", "pdf"] as const).map((kind) => (
                <button key={kind} type="submit" formAction={`/api/v1/trials/${trial.id}/reports/enrolment.${kind}`}>
                  {t(`reports.${kind}`)}
                </button>
              ))}
            </span>
          </div>
        </form>
        {view.listing && (
          <p>
            <a href={`/api/v1/trials/${trial.id}/reports/participants.csv`} download>
              {t("reports.listing")}
            </a>
            {" · "}
            <a href={`/api/v1/trials/${trial.id}/reports/participants.odm.xml`} download>
              {t("reports.listingOdm")}
            </a>{" "}
            <span className="muted">{t("reports.listingHelp")}</span>
          </p>
        )}
      </section>
    </>
  );
}
