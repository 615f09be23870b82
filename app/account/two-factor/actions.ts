"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import type { ActionState } from "@/app/components/ActionForm";
import { requirePageActor, SECOND_FACTOR_SETUP_PATH } from "@/lib/auth/page";
import { beginTotp, confirmTotp, disableTotp } from "@/lib/auth/totp";
import { refusalState } from "@/lib/http/form-state";

export async function beginTotpAction(): Promise<ActionState> {
  try {
    await beginTotp(await requirePageActor({ secondFactorSetup: true }));
  } catch (error) {
    return refusalState(error);
  }
  revalidatePath(SECOND_FACTOR_SETUP_PATH);
  return {};
}

export async function confirmTotpAction(_: ActionState, form: FormData): Promise<ActionState> {
  const actor = await requirePageActor({ secondFactorSetup: true });
  try {
    await confirmTotp(actor, String(form.get("code") ?? ""));
  } catch (error) {
    return refusalState(error);
  }
  if (actor.secondFactorMissing) redirect("/trials");
  revalidatePath(SECOND_FACTOR_SETUP_PATH);
  return { ok: true, message: (await getTranslations("twoFactor"))("turnedOn") };
}

export async function disableTotpAction(_: ActionState, form: FormData): Promise<ActionState> {
  try {
    await disableTotp(await requirePageActor(), String(form.get("password") ?? ""));
  } catch (error) {
    return refusalState(error);
  }
  revalidatePath(SECOND_FACTOR_SETUP_PATH);
  return { ok: true, message: (await getTranslations("twoFactor"))("turnedOff") };
}
