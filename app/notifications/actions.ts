"use server";
// The notification centre's actions: mark what the reader has been shown as read (nothing is deleted), set their
// email digest, send it now.
import { revalidatePath } from "next/cache";
import type { ActionState } from "@/app/components/ActionForm";
import { getTranslations } from "next-intl/server";
import { sendDigestNow, setDigestSettings } from "@/lib/alerts/digest-settings";
import { markAllRead } from "@/lib/alerts/rules";
import { AppError } from "@/lib/http/errors";
import { refusalState } from "@/lib/http/form-state";
import { requirePageActor } from "@/lib/auth/page";

export async function markAllReadAction(_: ActionState, form: FormData): Promise<ActionState> {
  const actor = await requirePageActor();
  // Up to the newest the reader was shown: one that arrived since stays unread.
  const upTo = String(form.get("upTo") ?? "");
  await markAllRead(actor, /^\d{1,18}$/.test(upTo) ? BigInt(upTo) : 0n);
  revalidatePath("/", "layout");
  return { ok: true };
}

async function guarded(work: () => Promise<void>, done: string): Promise<ActionState> {
  const t = await getTranslations("notifications");
  try {
    await work();
    revalidatePath("/notifications");
    return { ok: true, message: t(done) };
  } catch (error) {
    if (error instanceof AppError) return refusalState(error);
    console.error("Digest action failed:", error instanceof Error ? error.name : "unknown");
    return { message: t("digestFailed") };
  }
}

export async function setDigestAction(_: ActionState, form: FormData): Promise<ActionState> {
  const actor = await requirePageActor();
  return guarded(() => setDigestSettings(actor, { digest: String(form.get("digest") ?? ""), timeZone: String(form.get("timeZone") ?? "") }), "digestSaved");
}

export async function sendDigestNowAction(): Promise<ActionState> {
  const actor = await requirePageActor();
  return guarded(() => sendDigestNow(actor), "digestQueued");
}
