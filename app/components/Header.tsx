import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { switchLocale } from "@/app/actions";
import { LOCALES } from "@/lib/i18n/config";
import { NotificationsLink } from "./NotificationsLink";
import { SignOutButton } from "./SignOutButton";

const LANGUAGE_NAMES: Record<string, string> = { en: "English", "zh-CN": "简体中文" };

export async function Header({
  actorName,
  isAdmin,
  auditReader,
  unread,
  locale,
}: {
  actorName: string | null;
  isAdmin: boolean;
  auditReader: boolean;
  /** The reader's unread notifications (lib/alerts). */
  unread: number;
  locale: string;
}) {
  const t = await getTranslations();
  return (
    <header className="header">
      <Link className="brand" href="/trials" translate="no">
        {t("app.name")}
      </Link>
      <nav aria-label={t("nav.mainNavigation")}>
        {actorName && <Link href="/trials">{t("nav.trials")}</Link>}
        {actorName && <Link href="/match">{t("match.nav")}</Link>}
        {actorName && <NotificationsLink unread={unread} />}
        {actorName && <Link href="/account">{t("account.nav")}</Link>}
        <Link href="/api-docs">{t("apiDocs.nav")}</Link>
        {isAdmin && <Link href="/admin/trials">{t("admin.nav")}</Link>}
        {auditReader && <Link href="/audit">{t("audit.nav")}</Link>}
      </nav>
      <form action={switchLocale} className="lang-switch" aria-label={t("nav.language")}>
        {LOCALES.map((code) => (
          <button key={code} className="link" type="submit" name="locale" value={code} lang={code} aria-pressed={code === locale}>
            {LANGUAGE_NAMES[code]}
          </button>
        ))}
      </form>
      {actorName && (
        <>
          <span className="user" translate="no">
            {t("nav.signedInAs", { name: actorName })}
          </span>
          <SignOutButton label={t("nav.signOut")} />
        </>
      )}
    </header>
  );
}
