"use server";
import { redirect } from "next/navigation";
import { changePassword, signOutEverywhere } from "@/lib/auth/account";
import { requirePageActor } from "@/lib/auth/page";
import { refusalState } from "@/lib/http/form-state";

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
    return refusalState(error);
  }
  redirect("/login"); // every session has ended, this one included
}

export async function signOutEverywhereAction(): Promise<AccountState> {
  await signOutEverywhere(await requirePageActor());
  redirect("/login");
}
