"use server";
import { redirect } from "next/navigation";
import { getLocale } from "next-intl/server";
import type { ActionState } from "@/app/components/ActionForm";
import { acceptInvite } from "@/lib/auth/invites";
import { AppError } from "@/lib/http/errors";
import type { Locale } from "@/lib/i18n/config";
import { renderFields, renderMessage } from "@/lib/i18n/messages";

// No sign-in needed: the one-time link is the credential (lib/auth/invites.ts checks it).
export async function acceptInviteAction(token: string, _: ActionState, form: FormData): Promise<ActionState> {
  try {
    await acceptInvite(token, { password: String(form.get("password") ?? ""), confirm: String(form.get("confirm") ?? "") });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const locale = (await getLocale()) as Locale;
    return { message: renderMessage(error.message, locale), fieldErrors: renderFields(error.fields, locale) };
  }
  redirect("/login?passwordSet=1");
}
