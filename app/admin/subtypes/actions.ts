"use server";
import { revalidatePath } from "next/cache";
import { getLocale, getTranslations } from "next-intl/server";
import type { ActionState } from "@/app/components/ActionForm";
import { requirePageActor } from "@/lib/auth/page";
import { AppError } from "@/lib/http/errors";
import type { Locale } from "@/lib/i18n/config";
import { renderFields, renderMessage } from "@/lib/i18n/messages";
import { addSubtype } from "@/lib/subtypes/admin";

export async function addSubtypeAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const actor = await requirePageActor();
  const [t, locale] = await Promise.all([getTranslations("admin"), getLocale()]);
  try {
    const created = await addSubtype(actor, {
      key: String(form.get("key") ?? "").trim(),
      category: String(form.get("category") ?? ""),
      label: String(form.get("label") ?? ""),
      synonyms: String(form.get("synonyms") ?? "").split("\n").map((s) => s.trim()).filter(Boolean),
    });
    revalidatePath("/admin/subtypes");
    return { ok: true, message: t("added", { key: created.key }) };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { message: renderMessage(error.message, locale as Locale), fieldErrors: renderFields(error.fields, locale as Locale) };
  }
}
