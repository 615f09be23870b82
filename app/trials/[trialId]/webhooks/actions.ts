"use server";
// Server actions of a trial's webhook endpoints: thin callers of lib/webhooks/endpoints.ts (which checks who may,
// validates and audits).
import { revalidatePath } from "next/cache";
import { getTranslations } from "next-intl/server";
import type { ActionState } from "@/app/components/ActionForm";
import { requirePageActor } from "@/lib/auth/page";
import type { Actor } from "@/lib/auth/session";
import { AppError } from "@/lib/http/errors";
import { refusalState } from "@/lib/http/form-state";
import { createWebhook, replayDelivery, setWebhookEnabled } from "@/lib/webhooks/endpoints";

async function run(trialId: string, work: (actor: Actor) => Promise<ActionState>): Promise<ActionState> {
  const actor = await requirePageActor();
  const t = await getTranslations("webhooks");
  try {
    const state = await work(actor);
    revalidatePath(`/trials/${trialId}/webhooks`);
    return state;
  } catch (error) {
    if (error instanceof AppError) return refusalState(error);
    console.error("Webhook action failed:", error instanceof Error ? error.name : "unknown");
    return { message: t("failed") };
  }
}

export async function createWebhookAction(trialId: string, _: ActionState, form: FormData): Promise<ActionState> {
  const t = await getTranslations("webhooks");
  const input = { url: String(form.get("url") ?? ""), description: String(form.get("description") ?? "") || undefined };
  return run(trialId, async (actor) => {
    const { secret } = await createWebhook(actor, trialId, input);
    return { ok: true, message: t("created", { secret }) };
  });
}

export async function setWebhookEnabledAction(trialId: string, endpointId: string, enabled: boolean): Promise<ActionState> {
  const t = await getTranslations("webhooks");
  return run(trialId, async (actor) => {
    await setWebhookEnabled(actor, trialId, endpointId, enabled);
    return { ok: true, message: t(enabled ? "enabled" : "disabled") };
  });
}

export async function replayDeliveryAction(trialId: string, deliveryId: string): Promise<ActionState> {
  const t = await getTranslations("webhooks");
  return run(trialId, async (actor) => {
    await replayDelivery(actor, trialId, deliveryId);
    return { ok: true, message: t("replayed") };
  });
}
