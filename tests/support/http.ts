// A small HTTP client for tests that drive a running app from outside, as an API client would.
import net from "node:net";
import { DEMO_PASSWORD } from "../../prisma/demo/accounts";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function waitForHealth(base: string, timeoutMs: number, alive: () => boolean = () => true) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error("the server process exited");
    const ok = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${base} did not become healthy within ${timeoutMs} ms`);
}

/** Signs in through next-auth's own endpoints; returns the session cookie. */
export async function signIn(base: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const cookies = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const session = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c!.includes("session-token"));
  if (!session) throw new Error(`sign-in of ${email} failed (${response.status})`);
  return session;
}

export async function api<T = unknown>(
  base: string,
  cookie: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const method = init.method ?? "GET";
  const send = () =>
    fetch(`${base}${path}`, {
      method,
      headers: { cookie, ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  // A read that meets a kept-alive connection the server closed as it was reused ("other side closed": the server's
  // idle timeout and the client's reuse crossing) is sent again once, as any HTTP client retries an idempotent
  // request; the two-node test met it once under load, and every test after it inherited the half-run one's state.
  const response = await send().catch((error: unknown) => {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (method === "GET" && (code === "UND_ERR_SOCKET" || code === "ECONNRESET")) return send();
    throw error;
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}
