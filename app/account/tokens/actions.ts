"use server";
import { revalidatePath } from "next/cache";
import { requirePageActor } from "@/lib/auth/page";
import { createToken, revokeToken } from "@/lib/auth/tokens";
import { AppError } from "@/lib/http/errors";
import { refusalState } from "@/lib/http/form-state";

export interface TokenState {
  token?: string;
  message?: string;
}

export async function createTokenAction(_state: TokenState, form: FormData): Promise<TokenState> {
  const actor = await requirePageActor();
  try {
    const created = await createToken(actor, { name: String(form.get("name") ?? ""), expiresInDays: Number(form.get("expiresInDays") ?? 90) });
    revalidatePath("/account/tokens");
    return { token: created.token };
  } catch (error) {
    return refusalState(error);
  }
}

export async function revokeTokenAction(form: FormData) {
  const actor = await requirePageActor();
  try {
    await revokeToken(actor, String(form.get("id") ?? ""));
  } catch (error) {
    // Not theirs, unknown or already gone: nothing to revoke, and the list below shows what there is.
    if (!(error instanceof AppError)) throw error;
  }
  revalidatePath("/account/tokens");
}
