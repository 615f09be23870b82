import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { richText } from "@/app/components/rich";
import { adminSite } from "@/lib/admin/sites";
import { loadOrNotFound, requireAdminPage } from "@/lib/auth/page";
import { updateSiteAction } from "../../actions";

export const dynamic = "force-dynamic";

export default async function AdminSitePage({ params }: { params: Promise<{ siteId: string }> }) {
  const { siteId } = await params;
  const actor = await requireAdminPage("/admin/sites/[siteId]");
  const [site, t, tc] = await Promise.all([loadOrNotFound(() => adminSite(actor, siteId)), getTranslations("admin"), getTranslations("country")]);
  return (
    <>
      <p>
        <Link href="/admin/sites">← {t("sitesTitle")}</Link>
      </p>
      <h1 translate="no">
        {site.code} · {site.nameEn}
      </h1>
      <p>
        {tc(site.country)} · <span translate="no">{site.nameLocal}</span> · <Link href={`/audit?entityId=${site.id}`}>{t("history")}</Link>
      </p>
      <h2>{t("trialsTitle")}</h2>
      <ul>
        {site.trialSites.map((ts) => (
          <li key={ts.id}>
            <Link href={`/admin/trials/${ts.trial.id}`} translate="no">
              {ts.trial.code}
            </Link>{" "}
            · {t(`siteStatus.${ts.status}`)}
          </li>
        ))}
      </ul>
      <ActionForm action={updateSiteAction.bind(null, site.id)} submit={t("save")} title={t("editSite")}>
        <Field name="nameEn" label={t("nameEn")} defaultValue={site.nameEn} required />
        <Field name="nameLocal" label={t("nameLocal")} defaultValue={site.nameLocal} required />
        <Field name="city" label={t("city")} defaultValue={site.city} required />
        <Field name="timeZone" label={t("timeZone")} defaultValue={site.timeZone} help={t.rich("timeZoneHelp", richText)} required />
        <Field name="reason" label={t("reason")} help={t("reasonHelp")} required />
      </ActionForm>
    </>
  );
}
