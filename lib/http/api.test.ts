import { describe, expect, it } from "vitest";
import { databaseUnavailable, errorResponse } from "./api";

describe("a database that is down or restarting", () => {
  it("is recognised however the driver wraps it", () => {
    expect(databaseUnavailable(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(databaseUnavailable(new Error("wrapped", { cause: { code: "57P01", message: "terminating connection due to administrator command" } }))).toBe(true);
    expect(databaseUnavailable({ code: "P1001", message: "Can't reach database server at localhost" })).toBe(true);
    expect(databaseUnavailable(new Error("the database system is starting up"))).toBe(true);
    expect(databaseUnavailable(new Error("Database error. Code: `57P03`. Message: `the database system is not yet accepting connections`"))).toBe(true);
    expect(databaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(databaseUnavailable({ code: "23505", message: "duplicate key" })).toBe(false);
  });

  it("answers 503 with Retry-After, and anything else unexpected stays a generic 500", async () => {
    const down = errorResponse(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    expect(errorResponse(new TypeError("bug")).status).toBe(500);
  });
});
