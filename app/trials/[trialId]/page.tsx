import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import { siteName } from "@/lib/i18n/format";
import { trialOverview } from "@/lib/trials/queries";
import { Progress } from "../../components/Progress";

export const dynamic = "force-dynamic";

export default async function TrialPage({ params }: { params: Promise<{ trialId: string }> }) {
  const { trialId } = await params;
  const actor = await requirePageActor();
  const view = await loadOrNotFound(() => trialOverview(actor, trialId));
  const [t, locale] = await Promise.all([getTranslations(), getLocale()]);
  const { trial, counts, cohorts, recent, memberships } = view;
  return (
    <>
      <h1>{trial.code}: {trial.title}</h1>
      <p className="muted">
        {t("trial.phaseAndIndication", { phase: trial.phase, indication: trial.indication })} · {t("trial.sponsor", { name: trial.sponsorName })}
      </p>
      <nav aria-label={trial.code}>
        {view.recent !== null && <><Link href={`/trials/${trial.id}/participants`}>{t("participants.link")}</Link> · </>}
        <Link href={`/trials/${trial.id}/forecast`}>{t("forecast.link")}</Link>
      </nav>
      <div className="grid">
        <section className="card">
          <h2>{t("trials.enrolledOfTarget", { enrolled: counts.enrolled, target: trial.target })}</h2>
          <Progress value={counts.enrolled} max={trial.target} label={t("trials.progressLabel", { code: trial.code, enrolled: counts.enrolled, target: trial.target })} />
          <p>
            <span className="country-US">{t("country.US")}: {counts.byCountry.US.enrolled}</span> ·{" "}
            <span className="country-CN">{t("country.CN")}: {counts.byCountry.CN.enrolled}</span>
          </p>
          <p className="muted">{t("trial.activeSites", { active: trial.activeSites, total: trial.totalSites })}</p>
        </section>
        <section className="card">
          <h2>{t("trial.yourAccess")}</h2>
          <ul>
            {view.access.isAdmin && <li>{t("role.ADMIN")}</li>}
            {memberships.map((m, i) => (
              <li key={i}>{t(`role.${m.role}`)} · {m.site ? t("role.atSite", { site: siteName(m.site, locale) }) : t("role.trialWide")}</li>
            ))}
          </ul>
        </section>
      </div>

      <h2>{t("trial.cohorts")}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("trial.cohort")}</th><th scope="col">{t("trial.subtypes")}</th>
            <th scope="col" className="num">{t("trial.enrolled")}</th><th scope="col" className="num">{t("trial.target")}</th><th scope="col">%</th>
          </tr>
        </thead>
        <tbody>
          {cohorts.map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.name}</th>
              <td>{c.subtypes.join(", ")}</td>
              <td className="num">{c.enrolled}</td>
              <td className="num">{c.target}</td>
              <td style={{ minWidth: 120 }}><Progress value={c.enrolled} max={c.target} label={`${c.name}: ${c.enrolled} / ${c.target}`} /></td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t("trial.recentScreenings")}</h2>
      {recent === null ? (
        <p className="notice" data-testid="counts-only">{t("trial.countsOnly")}</p>
      ) : recent.length === 0 ? (
        <p className="muted">{t("trial.noRows")}</p>
      ) : (
        <table data-testid="patient-rows">
          <thead>
            <tr><th scope="col">{t("trial.screeningNumber")}</th><th scope="col">{t("trial.site")}</th><th scope="col">{t("trial.screeningDate")}</th><th scope="col">{t("trial.status")}</th></tr>
          </thead>
          <tbody>
            {recent.map((p) => (
              <tr key={p.id}>
                <td>{p.screeningNumber}</td>
                <td>{siteName(p.site, locale)}</td>
                <td><time dateTime={p.screeningDate}>{p.screeningDate}</time></td>
                <td>{t(`status.${p.status}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">{t("trial.comingSoon")}</p>
    </>
  );
}
