import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { adminSites } from "@/lib/admin/sites";
import { adminTrial } from "@/lib/admin/trials";
import { loadOrNotFound, requireAdminPage } from "@/lib/auth/page";
import { listSubtypes } from "@/lib/subtypes/admin";
import {
  addTrialSiteAction,
  cohortCriteriaAction,
  createCohortAction,
  setAllocationAction,
  updateCohortAction,
  updateTrialAction,
  updateTrialSiteAction,
} from "../../actions";

export const dynamic = "force-dynamic";

const TRIAL_STATUSES = ["PLANNED", "RECRUITING", "CLOSED"] as const;
const SITE_STATUSES = ["PLANNED", "ACTIVE", "CLOSED"] as const;
const COHORT_STATUSES = ["OPEN", "SUSPENDED", "CLOSED"] as const;
const WAITLIST_ORDERS = ["FIRST_COME", "ROUND_ROBIN"] as const;

export default async function AdminTrialPage({ params }: { params: Promise<{ trialId: string }> }) {
  const { trialId } = await params;
  const actor = await requireAdminPage("/admin/trials/[trialId]");
  const [trial, sites, subtypes, t, tr, tc] = await Promise.all([
    loadOrNotFound(() => adminTrial(actor, trialId)),
    adminSites(actor),
    listSubtypes(),
    getTranslations("admin"),
    getTranslations("role"),
    getTranslations("country"),
  ]);
  const subtypeOptions = subtypes.map((s) => ({ value: s.key, label: s.key }));
  const participating = new Set(trial.trialSites.map((ts) => ts.siteId));
  const reason = <Field name="reason" label={t("reason")} help={t("reasonHelp")} required />;
  const siteStatusOptions = SITE_STATUSES.map((s) => ({ value: s, label: t(`siteStatus.${s}`) }));
  return (
    <>
      <p>
        <Link href="/admin/trials">← {t("trialsTitle")}</Link>
      </p>
      <h1 translate="no">
        {trial.code} · {trial.title}
      </h1>
      <p>
        {t("status")}: <strong>{t(`trialStatus.${trial.status}`)}</strong> · <Link href={`/trials/${trial.id}`}>{t("openDashboard")}</Link> ·{" "}
        <Link href={`/audit?entityId=${trial.id}`}>{t("history")}</Link>
      </p>

      <section aria-labelledby="trial-edit">
        <h2 id="trial-edit">{t("trialDetails")}</h2>
        <ActionForm action={updateTrialAction.bind(null, trial.id)} submit={t("save")} title={t("editTrial")}>
          <input type="hidden" name="version" value={trial.version} />
          <Field name="title" label={t("title")} defaultValue={trial.title} required />
          <Field name="phase" label={t("phase")} defaultValue={trial.phase} required />
          <Field name="indication" label={t("indication")} defaultValue={trial.indication} required />
          <Field name="sponsorName" label={t("sponsorName")} defaultValue={trial.sponsorName} required />
          <Field name="plannedStart" type="date" label={t("plannedStart")} defaultValue={trial.plannedStart} required />
          <Field name="target" type="number" label={t("target")} defaultValue={trial.target} required />
          <Field name="plannedEnrolmentMonths" type="number" label={t("plannedMonths")} defaultValue={trial.plannedEnrolmentMonths} required />
          <Field
            name="status"
            type="select"
            label={t("status")}
            defaultValue={trial.status}
            options={TRIAL_STATUSES.map((s) => ({ value: s, label: t(`trialStatus.${s}`) }))}
            help={t("statusHelp")}
          />
          <Field name="sponsorListingAllowed" type="checkbox" label={t("sponsorListingAllowed")} defaultChecked={trial.sponsorListingAllowed} />
          <Field name="crossBorderApprovalRef" label={t("crossBorderApprovalRef")} defaultValue={trial.crossBorderApprovalRef} help={t("crossBorderHelp")} />
          {reason}
        </ActionForm>
      </section>

      <section aria-labelledby="cohorts">
        <h2 id="cohorts">{t("cohortsTitle")}</h2>
        <div className="admin-grid">
          {trial.cohorts.map((cohort) => (
            <details key={cohort.id} className="card">
              <summary translate="no">
                {cohort.code} · {cohort.name} · {t("targetOf", { target: cohort.target })} · {t(`cohortStatuses.${cohort.status}`)} ·{" "}
                {cohort.subtypes.join(", ")}
              </summary>
              <ActionForm action={updateCohortAction.bind(null, trial.id, cohort.id)} submit={t("save")} title={t("editCohort", { code: cohort.code })}>
                <Field name="name" label={t("name")} defaultValue={cohort.name} required />
                <Field name="target" type="number" label={t("target")} defaultValue={cohort.target} required />
                <Field
                  name="status"
                  type="select"
                  label={t("cohortStatus")}
                  defaultValue={cohort.status}
                  options={COHORT_STATUSES.map((s) => ({ value: s, label: t(`cohortStatuses.${s}`) }))}
                />
                <Field name="siteCap" type="number" label={t("siteCap")} defaultValue={cohort.siteCap ?? ""} help={t("siteCapHelp")} />
                <Field
                  name="waitlistOrder"
                  type="select"
                  label={t("waitlistOrder")}
                  defaultValue={cohort.waitlistOrder}
                  options={WAITLIST_ORDERS.map((s) => ({ value: s, label: t(`waitlistOrders.${s}`) }))}
                />
                {reason}
              </ActionForm>
              <ActionForm
                action={cohortCriteriaAction.bind(null, trial.id, cohort.id)}
                submit={t("saveCriteria")}
                title={t("criteriaTitle", { code: cohort.code })}
                also={{ intent: "preview", label: t("previewCriteria") }}
              >
                <p className="muted">{t("criteriaHelp")}</p>
                <Field name="criteria" type="textarea" rows={12} label={t("criteria")} defaultValue={JSON.stringify(cohort.criteria, null, 2)} required />
                <Field name="amendment" label={t("amendment")} help={t("amendmentHelp")} />
                {reason}
              </ActionForm>
              <details>
                <summary>{t("criteriaVersions", { count: cohort.criteriaHistory.length })}</summary>
                <ol reversed data-testid={`criteria-history-${cohort.code}`}>
                  {cohort.criteriaHistory.map((v) => (
                    <li key={v.id}>
                      {t("criteriaVersion", { version: v.version, date: v.createdAt.toISOString().slice(0, 10) })}
                      {v.amendment ? ` · ${v.amendment}` : ""} · {v.reason}
                    </li>
                  ))}
                </ol>
              </details>
              <ActionForm action={setAllocationAction.bind(null, trial.id, cohort.id)} submit={t("allocate")} title={t("allocationTitle")}>
                <p className="muted">{t("allocationHelp")}</p>
                <Field name="US" type="number" label={tc("US")} defaultValue={cohort.places.US} required />
                <Field name="CN" type="number" label={tc("CN")} defaultValue={cohort.places.CN} required />
                {reason}
              </ActionForm>
            </details>
          ))}
        </div>
        <ActionForm action={createCohortAction.bind(null, trial.id)} submit={t("createCohort")} title={t("createCohort")}>
          <Field name="code" label={t("code")} required />
          <Field name="name" label={t("name")} required />
          <Field name="target" type="number" label={t("target")} required />
          <Field name="subtypes" type="checkboxes" label={t("subtypes")} options={subtypeOptions} />
        </ActionForm>
      </section>

      <section aria-labelledby="trial-sites">
        <h2 id="trial-sites">{t("trialSitesTitle")}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("site")}</th>
              <th scope="col">{t("status")}</th>
              <th scope="col">{t("activationDate")}</th>
              <th scope="col">{t("plannedRate")}</th>
              <th scope="col">{t("change")}</th>
            </tr>
          </thead>
          <tbody>
            {trial.trialSites.map((ts) => (
              <tr key={ts.id}>
                <td translate="no">
                  {ts.site.code} · {ts.site.nameEn}
                </td>
                <td>{t(`siteStatus.${ts.status}`)}</td>
                <td>{ts.activationDate ?? (ts.plannedActivationDate ? t("plannedOn", { date: ts.plannedActivationDate }) : "—")}</td>
                <td>{ts.plannedScreeningRate}</td>
                <td>
                  <details>
                    <summary>{t("edit")}</summary>
                    <ActionForm
                      action={updateTrialSiteAction.bind(null, trial.id, ts.id)}
                      submit={t("save")}
                      title={t("editTrialSite", { site: ts.site.code })}
                    >
                      <Field name="status" type="select" label={t("status")} defaultValue={ts.status} options={siteStatusOptions} />
                      <Field name="activationDate" type="date" label={t("activationDate")} defaultValue={ts.activationDate} />
                      <Field name="plannedActivationDate" type="date" label={t("plannedActivationDate")} defaultValue={ts.plannedActivationDate} />
                      <Field name="plannedScreeningRate" type="number" step="0.1" label={t("plannedRate")} defaultValue={ts.plannedScreeningRate} />
                      {reason}
                    </ActionForm>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <ActionForm action={addTrialSiteAction.bind(null, trial.id)} submit={t("addTrialSite")} title={t("addTrialSite")}>
          <Field
            name="siteId"
            type="select"
            label={t("site")}
            required
            placeholder=""
            options={sites.filter((s) => !participating.has(s.id)).map((s) => ({ value: s.id, label: `${s.code} · ${s.nameEn}` }))}
          />
          <Field name="status" type="select" label={t("status")} defaultValue="PLANNED" options={siteStatusOptions} />
          <Field name="activationDate" type="date" label={t("activationDate")} help={t("activationHelp")} />
          <Field name="plannedActivationDate" type="date" label={t("plannedActivationDate")} />
          <Field name="plannedScreeningRate" type="number" step="0.1" label={t("plannedRate")} help={t("plannedRateHelp")} required />
        </ActionForm>
      </section>

      <section aria-labelledby="members">
        <h2 id="members">{t("membersTitle")}</h2>
        <p className="muted">{t("membersHelp")}</p>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("user")}</th>
              <th scope="col">{t("role")}</th>
              <th scope="col">{t("site")}</th>
            </tr>
          </thead>
          <tbody>
            {trial.memberships.map((m) => (
              <tr key={m.id}>
                <td translate="no">
                  <Link href={`/admin/users/${m.user.id}`}>{m.user.displayName}</Link> · {m.user.email}
                </td>
                <td>{tr(m.role)}</td>
                <td translate="no">{m.site?.code ?? tr("trialWide")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
