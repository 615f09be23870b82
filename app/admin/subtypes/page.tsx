import { getTranslations } from "next-intl/server";
import { requireAdminPage } from "@/lib/auth/page";
import { listSubtypes } from "@/lib/subtypes/admin";
import { AddSubtypeForm } from "./AddSubtypeForm";

export const dynamic = "force-dynamic";

export default async function SubtypesAdminPage() {
  await requireAdminPage("/admin/subtypes");
  const [subtypes, t] = await Promise.all([listSubtypes(), getTranslations("admin")]);
  return (
    <>
      <h1>{t("subtypesTitle")}</h1>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("key")}</th>
            <th scope="col">{t("label")}</th>
            <th scope="col">{t("category")}</th>
            <th scope="col">{t("synonyms")}</th>
          </tr>
        </thead>
        <tbody>
          {subtypes.map((s) => (
            <tr key={s.key}>
              <td translate="no">
                <code>{s.key}</code>
              </td>
              <td translate="no">{s.label}</td>
              <td>{t(`categories.${s.category}`)}</td>
              <td translate="no">{s.synonyms.join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <AddSubtypeForm />
    </>
  );
}
