"use server";
import { revalidatePath } from "next/cache";
import { getTranslations } from "next-intl/server";
import type { ActionState } from "@/app/components/ActionForm";
import { requirePageActor } from "@/lib/auth/page";
import { refusalState } from "@/lib/http/form-state";
import { addSubtype } from "@/lib/subtypes/admin";

export async function addSubtypeAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const actor = await requirePageActor();
  const t = await getTranslations("admin");
  try {
    const created = await addSubtype(actor, {
      key: String(form.get("key") ?? "").trim(),
      category: String(form.get("category") ?? ""),
      label: String(form.get("label") ?? ""),
      synonyms: String(form.get("synonyms") ?? "")
        .split("\n")
        .map((s) => s.trim())
        .filter(Boolean),
    });
    revalidatePath("/admin/subtypes");
    return { ok: true, message: t("added", { key: created.key }) };
  } catch (error) {
    return refusalState(error);
  }
}
