"use server";
import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { getPageActor } from "@/lib/auth/page";
import { isLocale, LOCALE_COOKIE } from "@/lib/i18n/config";
import { savePreferredLocale } from "@/lib/users/preferences";

export async function switchLocale(formData: FormData) {
  const locale = formData.get("locale");
  if (!isLocale(locale)) return;
  (await cookies()).set(LOCALE_COOKIE, locale, { path: "/", sameSite: "lax", httpOnly: true, maxAge: 60 * 60 * 24 * 365 });
  const actor = await getPageActor();
  if (actor) await savePreferredLocale(actor, locale);
  revalidatePath("/", "layout");
}
