import { ACCOUNTS, expect, test } from "./fixtures";

test("a sponsor creates a personal API token in the app and reads the API with it", async ({ page, signIn, playwright }) => {
  await signIn(ACCOUNTS.sponsor);
  await page.goto("/account/tokens");
  await page.getByLabel("Name").fill("steering committee export");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").locator("code").innerText()).trim();
  expect(token).toMatch(/^tb_[A-Za-z0-9_-]{40,}$/);
  await expect(page.getByTestId("tokens")).toContainText("steering committee export");

  const api = await playwright.request.newContext({ baseURL: new URL(page.url()).origin, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  const trials = await api.get("/api/v1/trials");
  expect(trials.status()).toBe(200);
  const trialId = ((await trials.json()) as { items: { id: string }[] }).items[0]!.id;
  expect((await api.get(`/api/v1/trials/${trialId}/enrolment`)).status()).toBe(200);
  expect((await api.get(`/api/v1/trials/${trialId}/reports/enrolment.csv`)).status()).toBe(200);
  expect((await api.get(`/api/v1/trials/${trialId}/participants`)).json()).resolves.toMatchObject({ items: [], total: 0 }); // still a sponsor
  const write = await api.post("/api/v1/forecast", { data: {} });
  expect(write.status()).toBe(403); // read-only

  // Revocation takes effect on the very next request.
  const row = page.getByRole("row", { name: /steering committee export/ }); // other tests' tokens may be listed too
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("Revoked or expired");
  expect((await api.get("/api/v1/trials")).status()).toBe(401);
  await api.dispose();
});

test("unknown, malformed or expired tokens get 401 even alongside a valid session cookie", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.investigator);
  const created = await page.request.post("/api/v1/tokens", { data: { name: "short-lived", expiresInDays: 1 } });
  expect(created.status()).toBe(201);
  const { token } = (await created.json()) as { token: string };
  expect((await page.request.get("/api/v1/trials", { headers: { authorization: `Bearer ${token}` } })).status()).toBe(200);
  expect((await page.request.get("/api/v1/trials", { headers: { authorization: "Bearer tb_not-a-real-token" } })).status()).toBe(401);
  expect((await page.request.get("/api/v1/trials")).status()).toBe(200); // the cookie alone still works
  const listed = (await (await page.request.get("/api/v1/tokens")).json()) as { items: { name: string; lastUsedAt: string | null }[] };
  expect(listed.items.find((t) => t.name === "short-lived")!.lastUsedAt).not.toBeNull();
  expect((await page.request.post("/api/v1/tokens", { headers: { authorization: `Bearer ${token}` }, data: { name: "from a token" } })).status()).toBe(403);
});

test("coordinators cannot create tokens", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorUs);
  expect((await page.request.post("/api/v1/tokens", { data: { name: "nope" } })).status()).toBe(403);
});

test("the API is described at /api/v1/openapi.json and on a readable page", async ({ page }) => {
  const response = await page.request.get("/api/v1/openapi.json");
  expect(response.status()).toBe(200);
  expect(((await response.json()) as { openapi: string }).openapi).toBe("3.1.0");
  await page.goto("/api-docs");
  await expect(page.getByRole("heading", { name: "The TrialBridge API" })).toBeVisible();
  await expect(page.getByText("/api/v1/trials/{trialId}/participants", { exact: true }).first()).toBeVisible();
  await expect(page.getByText("/api/fhir/R4/ResearchStudy", { exact: true })).toBeVisible(); // each under its own base
  const answer = page.getByText("Answer 200: EnrolmentSummary", { exact: true });
  await answer.click();
  await expect(page.locator("details[open] pre.json").filter({ hasText: '"subtypeYield"' })).toBeVisible(); // what comes back, field by field
});

test("an administrator's auditor token reads the signed audit checkpoints and nothing else", async ({ page, signIn, playwright, baseURL }) => {
  await signIn(ACCOUNTS.sponsor);
  const refused = await page.request.post("/api/v1/tokens", { data: { name: "not for sponsors", scope: "audit-checkpoints" } });
  expect(refused.status()).toBe(403);
  await page.context().clearCookies();
  await signIn(ACCOUNTS.admin);
  const created = await page.request.post("/api/v1/tokens", { data: { name: "external auditor", scope: "audit-checkpoints", expiresInDays: 30 } });
  expect(created.status()).toBe(201);
  const { token, scope } = (await created.json()) as { token: string; scope: string };
  expect(scope).toBe("audit-checkpoints");
  expect((await page.request.post("/api/v1/tokens", { data: { name: "a read token" } })).status()).toBe(403); // admins hold only auditor tokens
  const auditor = await playwright.request.newContext({
    baseURL: baseURL!,
    extraHTTPHeaders: { authorization: `Bearer ${token}` },
  });
  const checkpoints = await auditor.get("/api/v1/audit/checkpoints");
  expect(checkpoints.status()).toBe(200);
  expect((await checkpoints.json()) as { keys: unknown[] }).toMatchObject({ type: "trialbridge.audit-checkpoints", keys: expect.any(Array) });
  expect((await auditor.get("/api/v1/trials")).status()).toBe(403);
  expect((await auditor.get("/api/v1/audit?limit=1")).status()).toBe(403);
  expect((await auditor.post("/api/v1/audit/checkpoints")).status()).toBe(403); // read-only
  await auditor.dispose();
});
