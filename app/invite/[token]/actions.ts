"use server";
import { redirect } from "next/navigation";
import type { ActionState } from "@/app/components/ActionForm";
import { acceptInvite } from "@/lib/auth/invites";
import { refusalState } from "@/lib/http/form-state";

// No sign-in needed: the one-time link is the credential (lib/auth/invites.ts checks it).
export async function acceptInviteAction(token: string, _: ActionState, form: FormData): Promise<ActionState> {
  try {
    await acceptInvite(token, { password: String(form.get("password") ?? ""), confirm: String(form.get("confirm") ?? "") });
  } catch (error) {
    return refusalState(error);
  }
  redirect("/login?passwordSet=1");
}
