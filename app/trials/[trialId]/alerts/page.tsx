import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { listAlertRules, ROLES } from "@/lib/alerts/rules";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import { db } from "@/lib/db/client";
import { createAlertRuleAction, disableAlertRuleAction, importAlertRulesAction } from "./actions";

export const dynamic = "force-dynamic";

/** A trial's alert rules: what is watched and who hears it. Its investigators and administrators only. */
export default async function AlertsPage({ params }: { params: Promise<{ trialId: string }> }) {
  const { trialId } = await params;
  const actor = await requirePageActor();
  const rules = await loadOrNotFound(() => listAlertRules(actor, trialId), { forbiddenToo: true }); // out of scope is not found
  const [trial, t, tRole, format] = await Promise.all([
    db().trial.findUniqueOrThrow({
      where: { id: trialId },
      select: { code: true, cohorts: { select: { id: true, code: true, name: true }, orderBy: { code: "asc" } } },
    }),
    getTranslations("alerts"),
    getTranslations("role"),
    getFormatter(),
  ]);
  const describe = (r: (typeof rules)[number]) =>
    r.kind === "COHORT_PERCENT"
      ? t("ruleCohortPercent", { cohort: r.cohort?.code ?? "", percent: r.percent ?? 0 })
      : r.kind === "SITE_SILENT"
        ? t("ruleSiteSilent", { days: r.days ?? 0 })
        : r.kind === "SITE_BEHIND_PLAN"
          ? t("ruleBehindPlan", { chance: r.percent ?? 0 })
          : t(r.kind === "PEER_STALE" ? "rulePeerStale" : r.kind === "SITE_FIRST_SCREENED" ? "ruleFirstScreened" : "ruleFirstEnrolled");
  const roleOptions = ROLES.map((r) => ({ value: r, label: tRole(r) }));
  return (
    <>
      <p>
        <Link href={`/trials/${trialId}`}>← {trial.code}</Link>
      </p>
      <h1>
        {t("title")}: {trial.code}
      </h1>
      <p className="muted">{t("intro")}</p>
      {rules.length ? (
        <table data-testid="alert-rules">
          <thead>
            <tr>
              <th scope="col">{t("rule")}</th>
              <th scope="col">{t("audience")}</th>
              <th scope="col">{t("since")}</th>
              <th scope="col">{t("state")}</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={r.id}>
                <th scope="row">{describe(r)}</th>
                <td>{r.roles.map((role) => tRole(role)).join(", ")}</td>
                <td>{format.dateTime(r.createdAt, { dateStyle: "medium" })}</td>
                <td>
                  {r.disabledAt ? (
                    t("disabledOn", { date: format.dateTime(r.disabledAt, { dateStyle: "medium" }) })
                  ) : (
                    <ActionForm
                      action={disableAlertRuleAction.bind(null, trialId, r.id)}
                      submit={t("disable")}
                      title={t("disableTitle", { rule: describe(r) })}
                      danger
                    >
                      <></>
                    </ActionForm>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">{t("noRules")}</p>
      )}
      <ActionForm action={createAlertRuleAction.bind(null, trialId)} submit={t("create")} title={t("create")}>
        <Field
          name="kind"
          type="select"
          label={t("kind")}
          required
          defaultValue="COHORT_PERCENT"
          options={[
            { value: "COHORT_PERCENT", label: t("kindCohortPercent") },
            { value: "SITE_FIRST_SCREENED", label: t("ruleFirstScreened") },
            { value: "SITE_FIRST_ENROLLED", label: t("ruleFirstEnrolled") },
            { value: "SITE_SILENT", label: t("kindSiteSilent") },
            { value: "SITE_BEHIND_PLAN", label: t("kindBehindPlan") },
            { value: "PEER_STALE", label: t("rulePeerStale") },
          ]}
        />
        <Field
          name="cohortId"
          type="select"
          label={t("cohort")}
          placeholder={t("cohortPlaceholder")}
          options={trial.cohorts.map((c) => ({ value: c.id, label: `${c.code}: ${c.name}` }))}
        />
        <Field name="percent" type="number" label={t("percent")} help={t("percentHelp")} defaultValue={90} />
        <Field name="days" type="number" label={t("days")} help={t("daysHelp")} defaultValue={30} />
        <Field name="chance" type="number" label={t("chance")} help={t("chanceHelp")} defaultValue={90} />
        <Field name="roles" type="checkboxes" label={t("audience")} options={roleOptions} defaultValues={["INVESTIGATOR"]} />
      </ActionForm>
      <h2>{t("fileTitle")}</h2>
      <p>
        <a href={`/api/v1/trials/${trialId}/alert-rules`} download={`${trial.code}-alert-rules.json`} data-testid="export-rules">
          {t("export")}
        </a>{" "}
        · <Link href={`/trials/${trialId}/webhooks`}>{t("webhooksLink")}</Link>
      </p>
      <ActionForm action={importAlertRulesAction.bind(null, trialId)} submit={t("import")} title={t("import")}>
        <Field name="file" type="textarea" label={t("importFile")} help={t("importHelp")} required />
      </ActionForm>
    </>
  );
}
