"use server";
// The notification centre's one action: mark what the reader has been shown as read (nothing is deleted).
import { revalidatePath } from "next/cache";
import type { ActionState } from "@/app/components/ActionForm";
import { markAllRead } from "@/lib/alerts/rules";
import { requirePageActor } from "@/lib/auth/page";

export async function markAllReadAction(_: ActionState, form: FormData): Promise<ActionState> {
  const actor = await requirePageActor();
  // Up to the newest the reader was shown: one that arrived since stays unread.
  const upTo = String(form.get("upTo") ?? "");
  await markAllRead(actor, /^\d{1,18}$/.test(upTo) ? BigInt(upTo) : 0n);
  revalidatePath("/", "layout");
  return { ok: true };
}
