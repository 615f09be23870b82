// One typed application error, mapped once to HTTP. Messages to users are generic and clear; details go to the
// server log without patient data.
export type ErrorCode =
  | "invalid_request" // 400: malformed
  | "unauthenticated" // 401
  | "forbidden" // 403: signed in, known, but this action is not theirs
  | "not_found" // 404: absent, or not theirs to see
  | "conflict" // 409: stale version or duplicate
  | "payload_too_large" // 413
  | "invalid" // 422: well-formed but not acceptable
  | "rate_limited" // 429
  | "unavailable"; // 503

export const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  invalid: 422,
  rate_limited: 429,
  unavailable: 503,
};

/** Why, for code that must tell refusals apart (never by comparing message text). */
export type ErrorReason = "participant_not_found" | "trial_not_found";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string[]>,
    readonly reason?: ErrorReason,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const notFound = (what = "Not found", reason?: ErrorReason) => new AppError("not_found", what, undefined, reason);
export const unauthenticated = () => new AppError("unauthenticated", "Sign in to continue.");
