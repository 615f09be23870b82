// What a server action tells its form when a use case refuses: the message and field errors in the reader's language.
import "server-only";
import { getLocale } from "next-intl/server";
import type { Locale } from "@/lib/i18n/config";
import { renderFields, renderMessage } from "@/lib/i18n/messages";
import { AppError } from "./errors";

export interface RefusalState {
  message: string;
  fieldErrors?: Record<string, string[]>;
}

/** The form state for an application error; anything else is rethrown (a bug, for the error page). */
export async function refusalState(error: unknown): Promise<RefusalState> {
  if (!(error instanceof AppError)) throw error;
  const locale = (await getLocale()) as Locale;
  const fieldErrors = renderFields(error.fields, locale);
  return { message: renderMessage(error.message, locale), ...(fieldErrors ? { fieldErrors } : {}) };
}
