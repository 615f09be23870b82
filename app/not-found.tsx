import Link from "next/link";
import { getTranslations } from "next-intl/server";

export default async function NotFound() {
  const t = await getTranslations("errors");
  return (
    <div className="card">
      <h1>{t("notFoundTitle")}</h1>
      <p>{t("notFound")}</p>
      <Link href="/trials">{t("backToTrials")}</Link>
    </div>
  );
}
