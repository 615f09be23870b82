import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { richText } from "@/app/components/rich";
import { adminTrials } from "@/lib/admin/trials";
import { requireAdminPage } from "@/lib/auth/page";
import { createTrialAction } from "../actions";

export const dynamic = "force-dynamic";

export default async function AdminTrialsPage() {
  const actor = await requireAdminPage("/admin/trials");
  const [trials, t] = await Promise.all([adminTrials(actor), getTranslations("admin")]);
  return (
    <>
      <h1>{t("trialsTitle")}</h1>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("code")}</th>
            <th scope="col">{t("title")}</th>
            <th scope="col">{t("status")}</th>
            <th scope="col">{t("target")}</th>
            <th scope="col">{t("cohortsTitle")}</th>
            <th scope="col">{t("trialSitesTitle")}</th>
          </tr>
        </thead>
        <tbody>
          {trials.map((trial) => (
            <tr key={trial.id}>
              <td translate="no">
                <Link href={`/admin/trials/${trial.id}`}>{trial.code}</Link>
              </td>
              <td translate="no">{trial.title}</td>
              <td>{t(`trialStatus.${trial.status}`)}</td>
              <td>{trial.target}</td>
              <td>{trial._count.cohorts}</td>
              <td>{trial._count.trialSites}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ActionForm action={createTrialAction} submit={t("createTrial")} title={t("createTrial")}>
        <Field name="code" label={t("code")} required help={t.rich("codeHelp", richText)} />
        <Field name="title" label={t("title")} required />
        <Field name="phase" label={t("phase")} required />
        <Field name="indication" label={t("indication")} required />
        <Field name="sponsorName" label={t("sponsorName")} required />
        <Field name="plannedStart" type="date" label={t("plannedStart")} required />
        <Field name="target" type="number" label={t("target")} required />
        <Field name="plannedEnrolmentMonths" type="number" label={t("plannedMonths")} defaultValue={36} required />
        <Field name="sponsorListingAllowed" type="checkbox" label={t("sponsorListingAllowed")} />
        <Field name="crossBorderApprovalRef" label={t("crossBorderApprovalRef")} help={t("crossBorderHelp")} />
      </ActionForm>
    </>
  );
}
