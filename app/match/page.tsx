import { getTranslations } from "next-intl/server";
import { requirePageActor } from "@/lib/auth/page";
import { MatchForm } from "./MatchForm";

export const dynamic = "force-dynamic";

/** Pre-screening: which open cohort, in which trial, at which site, fits this patient's results, and why. */
export default async function MatchPage() {
  await requirePageActor();
  const t = await getTranslations("match");
  return (
    <>
      <h1>{t("title")}</h1>
      <p className="muted">{t("intro")}</p>
      <MatchForm />
    </>
  );
}
