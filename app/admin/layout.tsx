import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { getPageActor } from "@/lib/auth/page";

// Each administration page checks access itself (requireAdminPage); the layout only draws the section's menu.
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const [actor, t] = await Promise.all([getPageActor(), getTranslations("admin")]);
  if (!actor?.isAdmin) return children;
  return (
    <>
      <nav className="subnav" aria-label={t("nav")}>
        <Link href="/admin/trials">{t("trialsTitle")}</Link>
        <Link href="/admin/sites">{t("sitesTitle")}</Link>
        <Link href="/admin/users">{t("usersTitle")}</Link>
        <Link href="/admin/subtypes">{t("subtypesTitle")}</Link>
        <Link href="/admin/federation">{t("federation.nav")}</Link>
      </nav>
      {children}
    </>
  );
}
