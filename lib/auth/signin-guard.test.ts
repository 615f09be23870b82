import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/http/errors";
import { checkCredentialsRequest } from "./signin-guard";

const post = (body: string, contentType = "application/x-www-form-urlencoded") =>
  new Request("http://localhost/api/auth/callback/credentials", { method: "POST", headers: { "content-type": contentType }, body });

async function codeOf(request: Request) {
  const error = await checkCredentialsRequest(request).catch((e: unknown) => e);
  return error instanceof AppError ? error.code : "passed";
}

describe("sign-in request guard", () => {
  it("passes a complete form and a complete JSON object on as a form post", async () => {
    for (const request of [
      post("csrfToken=t&email=a%40b.org&password=p&json=true"),
      post(JSON.stringify({ csrfToken: "t", email: "a@b.org", password: "p" }), "application/json"),
    ]) {
      const checked = await checkCredentialsRequest(request);
      expect(checked.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
      const form = new URLSearchParams(await checked.text());
      expect(form.get("email")).toBe("a@b.org");
      expect(form.get("password")).toBe("p");
    }
  });

  it("refuses malformed input with a 4xx code", async () => {
    expect(await codeOf(post("{not json", "application/json"))).toBe("invalid_request");
    expect(await codeOf(post("[1,2]", "application/json"))).toBe("invalid_request");
    expect(await codeOf(post(JSON.stringify({ csrfToken: "t", email: 123, password: ["p"] }), "application/json"))).toBe("invalid_request");
    expect(await codeOf(post("csrfToken=t&email=a%40b.org"))).toBe("invalid_request");
    expect(await codeOf(post("hello", "text/plain"))).toBe("invalid_request");
    expect(await codeOf(post(`csrfToken=t&email=a&password=${"x".repeat(9000)}`))).toBe("payload_too_large");
  });
});
