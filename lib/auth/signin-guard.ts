// Checks a sign-in request before next-auth sees it, so malformed input gets a clear 4xx rather than a 500 or a
// redirect: bodies over 8 KB (413), bodies that are neither form data nor JSON objects, and fields that are missing
// or not strings (400). A checked request is passed on as an ordinary form post.
import { AppError } from "@/lib/http/errors";
import { readBytes } from "@/lib/http/validation";

const MAX_BODY_BYTES = 8 * 1024;
const REQUIRED = ["csrfToken", "email", "password"] as const;

function fieldsOf(body: string, contentType: string): Record<string, unknown> {
  if (contentType.includes("application/json")) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new AppError("invalid_request", "The sign-in request is not valid JSON.");
  }
  if (contentType.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(body));
  throw new AppError("invalid_request", "Send the sign-in form as form data or JSON.");
}

/** Returns a clean form-encoded copy of a valid credentials sign-in request, or throws a 4xx AppError. */
export async function checkCredentialsRequest(request: Request): Promise<Request> {
  const bytes = await readBytes(request, MAX_BODY_BYTES).catch((error: unknown) => {
    throw error instanceof AppError && error.code === "payload_too_large" ? new AppError("payload_too_large", "The sign-in request is too large.") : error;
  });
  const fields = fieldsOf(new TextDecoder().decode(bytes), request.headers.get("content-type") ?? "");
  const bad = REQUIRED.filter((name) => typeof fields[name] !== "string");
  if (bad.length) {
    throw new AppError("invalid_request", "Enter your email and your password.", Object.fromEntries(bad.map((name) => [name, ["Required, as text."]])));
  }
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (typeof value === "string") form.set(name, value);
  const headers = new Headers(request.headers);
  headers.set("content-type", "application/x-www-form-urlencoded");
  headers.delete("content-length");
  return new Request(request.url, { method: "POST", headers, body: form.toString() });
}
