import type { Metadata } from "next";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { mayReadAudit } from "@/lib/audit/query";
import { unreadCount } from "@/lib/alerts/rules";
import { getPageActor } from "@/lib/auth/page";
import { Header } from "./components/Header";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("app");
  return { title: t("name"), description: t("tagline") };
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const [locale, actor, t] = await Promise.all([getLocale(), getPageActor(), getTranslations("app")]);
  const [auditReader, unread] = actor ? await Promise.all([mayReadAudit(actor), unreadCount(actor)]) : [false, 0];
  return (
    <html lang={locale}>
      <body>
        <NextIntlClientProvider>
          <a className="skip-link" href="#main">
            {t("skipToContent")}
          </a>
          <Header actorName={actor?.displayName ?? null} isAdmin={actor?.isAdmin ?? false} auditReader={auditReader} unread={unread} locale={locale} />
          <main id="main">{children}</main>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
