import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { richText } from "@/app/components/rich";
import { adminSites } from "@/lib/admin/sites";
import { requireAdminPage } from "@/lib/auth/page";
import { createSiteAction } from "../actions";

export const dynamic = "force-dynamic";

export default async function AdminSitesPage() {
  const actor = await requireAdminPage("/admin/sites");
  const [sites, t, tc] = await Promise.all([adminSites(actor), getTranslations("admin"), getTranslations("country")]);
  return (
    <>
      <h1>{t("sitesTitle")}</h1>
      <ActionForm action={createSiteAction} submit={t("createSite")} title={t("createSite")}>
        <Field
          name="country"
          type="select"
          label={t("country")}
          required
          options={[
            { value: "US", label: tc("US") },
            { value: "CN", label: tc("CN") },
          ]}
        />
        <Field name="code" label={t("code")} help={t.rich("siteCodeHelp", richText)} required />
        <Field name="nameEn" label={t("nameEn")} required />
        <Field name="nameLocal" label={t("nameLocal")} help={t("nameLocalHelp")} required />
        <Field name="city" label={t("city")} required />
        <Field name="timeZone" label={t("timeZone")} help={t.rich("timeZoneHelp", richText)} required />
      </ActionForm>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("code")}</th>
            <th scope="col">{t("name")}</th>
            <th scope="col">{t("country")}</th>
            <th scope="col">{t("city")}</th>
            <th scope="col">{t("timeZone")}</th>
            <th scope="col">{t("trialsTitle")}</th>
          </tr>
        </thead>
        <tbody>
          {sites.map((site) => (
            <tr key={site.id}>
              <td translate="no">
                <Link href={`/admin/sites/${site.id}`}>{site.code}</Link>
              </td>
              <td translate="no">
                {site.nameEn}
                <br />
                <span className="muted">{site.nameLocal}</span>
              </td>
              <td>{tc(site.country)}</td>
              <td translate="no">{site.city}</td>
              <td translate="no">{site.timeZone}</td>
              <td>{site._count.trialSites}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
