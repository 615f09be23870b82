"use server";
import { revalidatePath } from "next/cache";
import { getTranslations } from "next-intl/server";
import { requirePageActor } from "@/lib/auth/page";
import { AppError } from "@/lib/http/errors";
import { addSubtype } from "@/lib/subtypes/admin";

export interface AddSubtypeState {
  message?: string;
  ok?: boolean;
}

export async function addSubtypeAction(_state: AddSubtypeState, form: FormData): Promise<AddSubtypeState> {
  const actor = await requirePageActor();
  const t = await getTranslations("admin");
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
    if (error instanceof AppError) {
      const details = Object.entries(error.fields ?? {}).map(([k, v]) => `${k}: ${v.join("; ")}`).join(" · ");
      return { message: t("failed", { message: [error.message, details].filter(Boolean).join(" ") }) };
    }
    throw error;
  }
}
