import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { getActor } from "@/lib/auth/session";
import { LOCALE_COOKIE, resolveLocale, type Locale } from "./config";
import en from "./messages/en.json";
import zhCN from "./messages/zh-CN.json";

export const MESSAGES: Record<Locale, typeof en> = { en, "zh-CN": zhCN };

export default getRequestConfig(async () => {
  const [cookieStore, headerStore, actor] = await Promise.all([cookies(), headers(), getActor()]);
  const locale = resolveLocale({
    userLocale: actor?.locale,
    cookie: cookieStore.get(LOCALE_COOKIE)?.value,
    acceptLanguage: headerStore.get("accept-language"),
  });
  return { locale, messages: MESSAGES[locale], timeZone: "UTC" };
});
