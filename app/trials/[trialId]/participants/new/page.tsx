import { randomUUID } from "node:crypto";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import { siteName } from "@/lib/i18n/format";
import { registrationOptions } from "@/lib/participants/options";
import { RegisterForm } from "./RegisterForm";

export const dynamic = "force-dynamic";

/** A pre-screening's patient, from the link (`?site=&age=&results=[{subtype,result}]`): taken only as far as it reads. */
function prefillFrom(query: Record<string, string | string[] | undefined>) {
  const one = (name: string) => (typeof query[name] === "string" ? (query[name] as string) : undefined);
  const age = Number(one("age"));
  let results: { subtype: string; result: string; method: string }[] | undefined;
  try {
    const parsed = JSON.parse(one("results") ?? "null") as unknown;
    if (Array.isArray(parsed))
      results = parsed
        .filter((r): r is { subtype: string; result: string } => typeof r?.subtype === "string" && typeof r?.result === "string")
        .slice(0, 30)
        .map((r) => ({ subtype: r.subtype.slice(0, 200), result: r.result, method: "NGS_TISSUE" }));
  } catch {
    results = undefined; // not a pre-screening's link: an empty form
  }
  return { siteId: one("site"), age: Number.isInteger(age) && age > 0 ? age : undefined, results };
}

export default async function RegisterPage({
  params,
  searchParams,
}: {
  params: Promise<{ trialId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { trialId } = await params;
  const prefill = prefillFrom(await searchParams);
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
          prefill={prefill}
        />
      )}
    </>
  );
}
