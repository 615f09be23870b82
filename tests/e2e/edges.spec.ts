// Bad query strings on pages: said on the page in the reader's language, never a 500 and never a raw message key.
import { ACCOUNTS, expect, test } from "./fixtures";

async function firstTrial(request: import("@playwright/test").APIRequestContext) {
  const { items } = (await (await request.get("/api/v1/trials")).json()) as { items: { id: string; code: string }[] };
  return items.find((t) => t.code === "TB-201")!.id;
}

test("a bad date filter on the audit viewer and a bad status on the screening log are explained, not a crash", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.admin);
  const audit = await page.goto("/audit?from=x&to=2026-13-45");
  expect(audit!.status()).toBe(200);
  await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toContainText("date");
  await expect(page.locator("body")).not.toContainText("msg:");

  await page.context().clearCookies();
  await signIn(ACCOUNTS.coordinatorCn); // reads Chinese
  const trialId = await firstTrial(page.request);
  const list = await page.goto(`/trials/${trialId}/participants?status=FOO&from=not-a-date`);
  expect(list!.status()).toBe(200);
  const alert = page.getByRole("alert").filter({ hasText: /\S/ });
  await expect(alert).toBeVisible();
  expect(await alert.textContent()).toMatch(/[\u4e00-\u9fff]/);
  await expect(page.locator("body")).not.toContainText("msg:");
});

test("the API answers the same bad filters with 422 and field messages", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.admin);
  const audit = await page.request.get("/api/v1/audit?from=x");
  expect(audit.status()).toBe(422);
  expect(JSON.stringify(await audit.json())).not.toContain("msg:");
});
