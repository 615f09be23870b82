// Browser-test fixtures: `signIn(email)` signs the page's browser context in through next-auth's own endpoints
// (the sign-in form itself is tested once, in sign-in.spec.ts).
import { test as base, expect, type Page } from "@playwright/test";

import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../../prisma/demo/accounts";

export { DEMO_PASSWORD };
export const ACCOUNTS = DEMO_ACCOUNTS;

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  const csrf = await page.request.get("/api/auth/csrf");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await page.request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password, json: "true" },
  });
  expect(response.status(), `sign-in of ${email}`).toBe(200);
}

export const test = base.extend<{ signIn: (email: string) => Promise<void> }>({
  signIn: async ({ page }, use) => {
    await use((email) => signIn(page, email));
  },
});

export { expect };
