"use server";
import { redirect } from "next/navigation";
import { getLocale } from "next-intl/server";
import { changePassword, signOutEverywhere } from "@/lib/auth/account";
import { requirePageActor } from "@/lib/auth/page";
import type { Locale } from "@/lib/i18n/config";
import { renderFields, renderMessage } from "@/lib/i18n/messages";
import { AppError } from "@/lib/http/errors";

export interface AccountState {
  ok?: boolean;
  message?: string;
  fieldErrors?: Record<string, string[]>;
}

export async function changePasswordAction(_state: AccountState, form: FormData): Promise<AccountState> {
  const actor = await requirePageActor();
  try {
    await changePassword(actor, { current: String(form.get("current") ?? ""), next: String(form.get("next") ?? "") });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const locale = (await getLocale()) as Locale;
    return { message: renderMessage(error.message, locale), fieldErrors: renderFields(error.fields, locale) };
  }
  redirect("/login"); // every session has ended, this one included
}

export async function signOutEverywhereAction(): Promise<AccountState> {
  await signOutEverywhere(await requirePageActor());
  redirect("/login");
}
