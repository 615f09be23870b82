import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requirePageActor } from "@/lib/auth/page";
import { AccountForms } from "./AccountForms";

export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const actor = await requirePageActor();
  const t = await getTranslations("account");
  return (
    <>
      <h1>{t("title")}</h1>
      <p translate="no">
        {actor.displayName} · {actor.email}
      </p>
      <AccountForms />
      <p>
        <Link href="/account/two-factor">{t("twoFactor")}</Link>
      </p>
      <p>
        <Link href="/account/tokens">{t("tokens")}</Link>
      </p>
    </>
  );
}
