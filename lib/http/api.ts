// Thin helpers for route handlers: JSON responses, and one wrapper that turns every error into the JSON error shape
// `{"error": {"code", "message", "fields"?}}` with the right status, never a stack trace.
import "server-only";
import { NextResponse } from "next/server";
import { getActor } from "@/lib/auth/session";
import { resolveLocale, type Locale } from "@/lib/i18n/config";
import { msg, renderFields, renderMessage } from "@/lib/i18n/messages";
import { AppError, STATUS } from "./errors";

export function json<T>(body: T, init?: ResponseInit) {
  return NextResponse.json(body, init);
}

export function errorResponse(error: unknown, locale: Locale = "en"): NextResponse {
  if (error instanceof AppError) {
    const body = { error: { code: error.code, message: renderMessage(error.message, locale), ...(error.fields ? { fields: renderFields(error.fields, locale) } : {}) } };
    const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
    return NextResponse.json(body, { status: STATUS[error.code], headers: retryAfter ? { "Retry-After": String(retryAfter) } : {} });
  }
  console.error("Unhandled error in API route:", error instanceof Error ? `${error.name}: ${error.message}` : "unknown");
  return NextResponse.json({ error: { code: "internal", message: "Something went wrong. Try again later." } }, { status: 500 });
}

/** The caller's language (error messages, the Excel report): the user's setting, else the language switch's cookie, else Accept-Language. */
export async function requestLocale(request: Request): Promise<Locale> {
  // A token client's language is its Accept-Language: looking the token up again would record a second use.
  const bearer = /^Bearer\s/i.test(request.headers.get("authorization") ?? "");
  const actor = bearer ? null : await getActor().catch(() => null);
  const cookie = /(?:^|;\s*)tb-locale=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  return resolveLocale({ userLocale: actor?.locale, cookie, acceptLanguage: request.headers.get("accept-language") });
}

type Handler<C> = (request: Request, context: C) => Promise<Response>;

export function apiHandler<C>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    try {
      if (!["GET", "HEAD"].includes(request.method) && /^Bearer\s/i.test(request.headers.get("authorization") ?? "")) {
        throw new AppError("forbidden", msg("errors.tokenReadOnly"));
      }
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error, await requestLocale(request));
    }
  };
}
