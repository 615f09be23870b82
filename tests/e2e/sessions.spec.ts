import fs from "node:fs";
import pg from "pg";
import { ACCOUNTS, DEMO_PASSWORD, expect, signIn, test } from "./fixtures";

async function sql(text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: fs.readFileSync("test-results/e2e-database-url.txt", "utf8").trim() });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

test("signing out ends the session on the server: a copied cookie stops working", async ({ browser }) => {
  const first = await browser.newContext();
  const page = await first.newPage();
  await signIn(page, ACCOUNTS.sponsor);
  const copy = await browser.newContext();
  await copy.addCookies(await first.cookies());
  expect((await copy.request.get("/api/v1/trials")).status()).toBe(200);
  await page.goto("/trials");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  expect((await copy.request.get("/api/v1/trials")).status()).toBe(401);
  const [user] = await sql(`SELECT "id" FROM "User" WHERE "email" = $1`, [ACCOUNTS.sponsor]);
  expect(await sql(`SELECT 1 FROM "AuditEvent" WHERE "action" = 'auth.signout' AND "actorId" = $1`, [user.id])).not.toHaveLength(0);
  await first.close();
  await copy.close();
});

test("sign out everywhere ends every session of the user at once", async ({ browser }) => {
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (await browser.newContext()).newPage();
  await signIn(laptop, ACCOUNTS.investigator);
  await signIn(phone, ACCOUNTS.investigator);
  expect((await phone.request.get("/api/v1/trials")).status()).toBe(200);
  await laptop.goto("/account");
  await laptop.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(laptop).toHaveURL(/\/login/);
  expect((await phone.request.get("/api/v1/trials")).status()).toBe(401);
  await signIn(phone, ACCOUNTS.investigator); // signing in again works
  expect((await phone.request.get("/api/v1/trials")).status()).toBe(200);
});

test("an idle session and a session past its lifetime end, even with a valid cookie", async ({ page }) => {
  await signIn(page, ACCOUNTS.coordinatorCn);
  expect((await page.request.get("/api/v1/trials")).status()).toBe(200);
  const [user] = await sql(`SELECT "id" FROM "User" WHERE "email" = $1`, [ACCOUNTS.coordinatorCn]);
  await sql(`UPDATE "Session" SET "lastSeenAt" = now() - interval '31 minutes' WHERE "userId" = $1 AND "revokedAt" IS NULL`, [user.id]);
  expect((await page.request.get("/api/v1/trials")).status()).toBe(401); // idle for longer than 30 minutes
  await signIn(page, ACCOUNTS.coordinatorCn);
  expect((await page.request.get("/api/v1/trials")).status()).toBe(200);
  await sql(`UPDATE "Session" SET "createdAt" = now() - interval '13 hours' WHERE "userId" = $1 AND "revokedAt" IS NULL`, [user.id]);
  expect((await page.request.get("/api/v1/trials")).status()).toBe(401); // active, but signed in more than 12 hours ago
});

test("a user changes their password: common passwords are refused, then the old one stops working", async ({ page }) => {
  const email = "password.test@example.org";
  await signIn(page, email);
  await page.goto("/account");
  await page.getByLabel("Current password").fill(DEMO_PASSWORD);
  await page.getByLabel("New password").fill("password123");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("This password is too common or too easy to guess: choose another.")).toBeVisible();
  await page.getByLabel("Current password").fill("not-my-password");
  await page.getByLabel("New password").fill("a long and unusual passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("The current password is not right.")).toBeVisible();
  await page.getByLabel("Current password").fill(DEMO_PASSWORD);
  await page.getByLabel("New password").fill("a long and unusual passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/login/);
  expect((await page.request.get("/api/v1/trials")).status()).toBe(401); // this session ended too
  const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const old = await page.request.post("/api/auth/callback/credentials", { form: { csrfToken, email, password: DEMO_PASSWORD, json: "true" } });
  expect(old.status()).toBe(401);
  await signIn(page, email, "a long and unusual passphrase");
});
