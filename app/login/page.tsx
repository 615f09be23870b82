import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { getPageActor } from "@/lib/auth/page";
import { LoginForm } from "./LoginForm";

export const dynamic = "force-dynamic";

function safeCallback(value: string | string[] | undefined): string {
  const url = Array.isArray(value) ? value[0] : value;
  // Only same-site paths: never an open redirect.
  if (url && url.startsWith("/") && !url.startsWith("//")) return url;
  try {
    const parsed = new URL(url ?? "");
    return parsed.pathname.startsWith("/") && !parsed.pathname.startsWith("//") ? parsed.pathname + parsed.search : "/trials";
  } catch {
    return "/trials";
  }
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await getPageActor()) redirect(callbackUrl);
  const t = await getTranslations("login");
  return (
    <div className="login-page card">
      <h1>{t("title")}</h1>
      {params.passwordSet ? (
        <p className="notice" role="status">
          {t("passwordSet")}
        </p>
      ) : null}
      <p className="muted">{t("intro")}</p>
      <LoginForm callbackUrl={callbackUrl} />
    </div>
  );
}
