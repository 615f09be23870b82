// FHIR's side of HTTP: answers as application/fhir+json, errors as an OperationOutcome with the status the rest of
// the API gives them (lib/http/api.ts), in the caller's language. Read-only: the routes export GET alone, so Next
// answers anything else with 405.
import "server-only";
import { NextResponse } from "next/server";
import { errorResponse, requestLocale } from "@/lib/http/api";
import { FHIR_JSON, operationOutcome } from "./resources";

const ISSUE_CODE: Record<number, Parameters<typeof operationOutcome>[0]> = {
  400: "invalid",
  401: "login",
  403: "forbidden",
  404: "not-found",
  422: "invalid",
  429: "throttled",
};

export function fhirJson(body: unknown, status = 200): NextResponse {
  return new NextResponse(JSON.stringify(body), { status, headers: { "Content-Type": `${FHIR_JSON}; charset=utf-8` } });
}

/** The base of this server's FHIR addresses, as the caller reached it. */
export const fhirBase = (request: Request) => `${new URL(request.url).origin}/api/fhir/R4`;

type Handler<C> = (request: Request, context: C) => Promise<Response>;

export function fhirHandler<C>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      // The API's own error answer (status, message in the caller's language, fields), reshaped as FHIR's.
      const plain = errorResponse(error, await requestLocale(request));
      const body = (await plain.json()) as { error: { message: string; fields?: Record<string, string[]> } };
      const details = Object.entries(body.error.fields ?? {}).map(([field, problems]) => `${field}: ${problems.join(" ")}`);
      const outcome = operationOutcome(ISSUE_CODE[plain.status] ?? "exception", [body.error.message, ...details].join(" "));
      const answer = fhirJson(outcome, plain.status);
      const retry = plain.headers.get("Retry-After");
      if (retry) answer.headers.set("Retry-After", retry);
      return answer;
    }
  };
}
