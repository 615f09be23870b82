// Thin helpers for route handlers: JSON responses, and one wrapper that turns every error into the JSON error shape
// `{"error": {"code", "message", "fields"?}}` with the right status, never a stack trace.
import "server-only";
import { NextResponse } from "next/server";
import type { z } from "zod";
import { getActor } from "@/lib/auth/session";
import { resolveLocale, type Locale } from "@/lib/i18n/config";
import { msg, renderFields, renderMessage } from "@/lib/i18n/messages";
import { AppError, STATUS } from "./errors";

export function json<T>(body: T, init?: ResponseInit) {
  return NextResponse.json(body, init);
}

/**
 * A JSON answer checked against its schema in the OpenAPI description (lib/openapi/responses.ts) by the compiler: a
 * handler whose answer drifts from what the description says does not build (and the contract test checks the rest).
 */
export function reply<S extends z.ZodType>(_schema: S, body: z.output<S>, init?: ResponseInit) {
  return NextResponse.json(body, init);
}

export function errorResponse(error: unknown, locale: Locale = "en"): NextResponse {
  if (error instanceof AppError) {
    const body = {
      error: { code: error.code, message: renderMessage(error.message, locale), ...(error.fields ? { fields: renderFields(error.fields, locale) } : {}) },
    };
    const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
    return NextResponse.json(body, { status: STATUS[error.code], headers: retryAfter ? { "Retry-After": String(retryAfter) } : {} });
  }
  if (unstorableText(error)) {
    return NextResponse.json(
      { error: { code: "invalid_request", message: "The request contains characters that cannot be stored (such as a NUL byte)." } },
      { status: 400 },
    );
  }
  if (databaseUnavailable(error)) {
    return NextResponse.json(
      { error: { code: "unavailable", message: "The service is briefly unavailable. Try again in a few seconds." } },
      { status: 503, headers: { "Retry-After": "5" } },
    );
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

const UNAVAILABLE_CODES = new Set([
  "P1001",
  "P1002",
  "P1008",
  "P1017",
  "P2024",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/** The database is down, restarting or out of connections: a 503 to retry, not a 500 (its cause, however deep). */
export function databaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown; meta?: { code?: unknown } };
  for (const code of [e.code, e.originalCode, e.meta?.code]) if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || /^08/.test(code))) return true;
  if (typeof e.message === "string") {
    // Prisma reports the server's SQLSTATE inside its message ("Database error. Code: `57P03`. ...").
    const sqlState = /Code: `([0-9A-Z]{5})`/.exec(e.message)?.[1];
    if (sqlState && (UNAVAILABLE_CODES.has(sqlState) || sqlState.startsWith("08"))) return true;
    if (
      /Can't reach database server|Connection terminated|connect ECONNREFUSED|the database system is (starting up|shutting down|in recovery|not yet accepting connections)|terminating connection due to administrator command|Timed out fetching a new connection/i.test(
        e.message,
      )
    )
      return true;
  }
  return databaseUnavailable(e.cause, depth + 1);
}

/** PostgreSQL refused a value's characters (a NUL byte, an invalid sequence): the request's fault, a 400. */
function unstorableText(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}` : "";
  return /Code: `(22021|22P05)`|invalid byte sequence for encoding|unsupported Unicode escape sequence/.test(text);
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
