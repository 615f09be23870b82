import { ACCOUNTS, DEMO_PASSWORD, expect, test } from "./fixtures";

test("a coordinator signs in with the form and lands on the trial list", async ({ page }) => {
  await page.goto("/trials");
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email").fill(ACCOUNTS.coordinatorUs);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/trials$/);
  await expect(page.getByRole("heading", { name: "Trials", level: 1 })).toBeVisible();
  await expect(page.getByText("Signed in as Casey Coordinator")).toBeVisible();
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(ACCOUNTS.sponsor);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The email or password is incorrect." })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  expect((await page.context().cookies()).some((c) => c.name.includes("session-token"))).toBe(false);
});

test("empty fields are refused before anything is sent", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Enter your email and your password." })).toBeVisible();
});

test("malformed sign-in requests get a 4xx, never a 500", async ({ request }) => {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const url = "/api/auth/callback/credentials";
  const cases = [
    request.post(url, { headers: { "content-type": "application/json" }, data: Buffer.from("{not json") }),
    request.post(url, { data: { csrfToken, email: 123, password: ["x"] } }),
    request.post(url, { form: { csrfToken, email: "", password: "", json: "true" } }),
    request.post(url, { form: { csrfToken, email: "a".repeat(300), password: "x", json: "true" } }),
    request.post(url, { headers: { "content-type": "application/json" }, data: "x".repeat(100_000) }),
  ];
  for (const response of await Promise.all(cases)) {
    expect(response.status()).toBeGreaterThanOrEqual(400);
    expect(response.status()).toBeLessThan(500);
  }
});

test("signing out ends the session", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.investigator);
  await page.goto("/trials");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/trials");
  await expect(page).toHaveURL(/\/login/);
  expect((await page.request.get("/api/v1/trials")).status()).toBe(401);
});
