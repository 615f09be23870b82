import { ACCOUNTS, expect, test } from "./fixtures";

test("every response carries the security headers, and pages a per-request script nonce", async ({ page, request }) => {
  const first = await request.get("/login");
  const second = await request.get("/login");
  for (const response of [first, second, await request.get("/api/health")]) {
    const headers = response.headers();
    expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  }
  const nonceOf = (csp: string) => /'nonce-([^']+)'/.exec(csp)![1];
  expect(nonceOf(first.headers()["content-security-policy"]!)).not.toBe(nonceOf(second.headers()["content-security-policy"]!));
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto("/login");
  const nonce = nonceOf((await page.request.get("/login")).headers()["content-security-policy"]!);
  expect(nonce).toBeTruthy();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled(); // the page's scripts ran under the CSP
  expect(errors.filter((e) => /Content Security Policy/.test(e))).toEqual([]);
});

test("state changes from another site, or with Origin: null, are refused", async ({ page, signIn, baseURL }) => {
  await signIn(ACCOUNTS.investigator);
  for (const origin of ["https://evil.example", "null"]) {
    const response = await page.request.post("/api/v1/forecast", { headers: { origin }, data: {} });
    expect(response.status()).toBe(403);
    expect(await response.json()).toEqual({ error: { code: "forbidden", message: "Cross-site requests are not allowed." } });
  }
  const sameSite = await page.request.post("/api/v1/forecast", { headers: { origin: new URL(baseURL!).origin }, data: {} });
  expect(sameSite.status()).not.toBe(403);
});

test("a burst of 50 parallel wrong passwords gets no more than the budget of 5 checked: each attempt counts before its check", async ({ request }) => {
  // From an address of the test's own (one load balancer's hop), so the other tests' sign-ins keep their budget.
  const headers = { "x-forwarded-for": "198.51.100.7" };
  // One CSRF token for the whole burst (parallel fetches of new ones would overwrite each other's cookie).
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const attempt = async () =>
    (
      await request.post("/api/auth/callback/credentials", {
        headers,
        form: { csrfToken, email: "burst.test@example.org", password: "wrong-password", json: "true" },
      })
    ).status();
  const statuses = await Promise.all(Array.from({ length: 50 }, attempt));
  expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(45);
  expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
});

test("sign-in is throttled per account name with a clear message and 429, whether or not the account exists", async ({ page, request }) => {
  const attempt = async (email: string) => {
    const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    return request.post("/api/auth/callback/credentials", { form: { csrfToken, email, password: "wrong-password", json: "true" } });
  };
  for (const email of ["throttle.test@example.org", "nobody-here@example.org"]) {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt(email)).status());
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const throttled = await attempt(email);
    expect(throttled.status()).toBe(429);
    expect(Number(throttled.headers()["retry-after"])).toBeGreaterThan(0);
    expect(((await throttled.json()) as { error: { message: string } }).error.message).toMatch(/Too many failed sign-in attempts/);
  }
  // Even the right password is refused while throttled; the form says so.
  await page.goto("/login");
  await page.getByLabel("Email").fill("throttle.test@example.org");
  await page.getByLabel("Password").fill("trialbridge-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /Too many failed sign-in attempts. Try again in \d+ minutes?\./ })).toBeVisible();
});
