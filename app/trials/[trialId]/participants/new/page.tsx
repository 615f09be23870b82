import { randomUUID } from "node:crypto";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import { siteName } from "@/lib/i18n/format";
import { registrationOptions } from "@/lib/participants/options";
import { RegisterForm } from "./RegisterForm";

export const dynamic = "force-dynamic";

export default async function RegisterPage({ params }: { params: Promise<{ trialId: string }> }) {
  const { trialId } = await params;
  const actor = await requirePageActor();
  const options = await loadOrNotFound(() => registrationOptions(actor, trialId));
  const [t, locale] = await Promise.all([getTranslations("participants"), getLocale()]);
  return (
    <>
      <p>
        <Link href={`/trials/${trialId}/participants`}>← {t("title")}</Link>
      </p>
      <h1>
        {t("registerTitle")}: <span translate="no">{options.trialCode}</span>
      </h1>
      <p className="muted">{t("registerIntro")}</p>
      {options.sites.length === 0 ? (
        <p className="notice">{t("notYours")}</p>
      ) : (
        <RegisterForm
          trialId={trialId}
          idempotencyKey={randomUUID()}
          sites={options.sites.map((s) => ({ id: s.id, name: siteName(s, locale), today: s.today }))}
          subtypes={options.subtypes.flatMap((s) => [s.key, ...s.synonyms])}
        />
      )}
    </>
  );
}
