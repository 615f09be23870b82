// The administration issue's "done when", all through the pages: an administrator adds a hospital, makes it a site of
// TB-201 and invites its coordinator with a one-time link; the coordinator sets a password, turns on two-step
// sign-in, signs in with a code and registers a patient at that site only. Deactivation then ends their session.
import { Secret, TOTP } from "otpauth";
import { todayIn } from "../../lib/dates/calendar";
import { ACCOUNTS, expect, test } from "./fixtures";

const codeAt = (secret: string, at: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: at });

test("a new hospital gets a coordinator who sets a password, turns on two-step sign-in and registers patients there only", async ({
  page,
  signIn,
  browser,
}) => {
  test.setTimeout(90_000);
  await signIn(ACCOUNTS.admin);

  // 1. The hospital.
  await page.goto("/admin/sites");
  const siteForm = page.getByRole("form", { name: "Add a site" });
  await siteForm.getByLabel("Country").selectOption("US");
  await siteForm.getByLabel("Code").fill("US-DNV2");
  await siteForm.getByLabel("Name in English").fill("Front Range Cancer Center");
  await siteForm.getByLabel("Local name").fill("Front Range Cancer Center");
  await siteForm.getByLabel("City").fill("Denver");
  await siteForm.getByLabel("Time zone").fill("America/Denver");
  await siteForm.getByRole("button", { name: "Add a site" }).click();
  await expect(siteForm.getByText("The site is added.")).toBeVisible();
  await expect(page.getByRole("link", { name: "US-DNV2" })).toBeVisible();

  // 2. Its participation in TB-201, active from today.
  await page.goto("/admin/trials");
  await page.getByRole("link", { name: "TB-201" }).click();
  const addSite = page.getByRole("form", { name: "Add a participating site" });
  await addSite.getByLabel("Site").selectOption({ label: "US-DNV2 · Front Range Cancer Center" });
  await addSite.getByLabel("Status").selectOption("ACTIVE");
  await addSite.getByLabel("Activation date", { exact: true }).fill(todayIn("America/Denver"));
  await addSite.getByLabel("Planned patients screened per month").fill("2");
  await addSite.getByRole("button", { name: "Add a participating site" }).click();
  await expect(addSite.getByText("The site now takes part in the trial.")).toBeVisible();
  await expect(page.getByRole("cell", { name: "US-DNV2 · Front Range Cancer Center" })).toBeVisible();
  const trialPath = new URL(page.url()).pathname.replace("/admin", "");

  // 3. The coordinator: invited, then given the role at that site.
  await page.goto("/admin/users");
  const invite = page.getByRole("form", { name: "Invite a user" });
  await invite.getByLabel("Email").fill("robin.front@example.org");
  await invite.getByLabel("Name shown").fill("Robin Front");
  await invite.getByRole("button", { name: "Invite a user" }).click();
  const link = (await invite.locator("output.one-time-link").innerText()).trim();
  expect(link).toMatch(/^http:\/\/localhost:\d+\/invite\/[A-Za-z0-9_-]{43}$/);
  await page.getByRole("link", { name: "Robin Front" }).click();
  const grant = page.getByRole("form", { name: "Give a role in a trial" });
  await grant.getByLabel("Trial and site").selectOption({ label: "TB-201 · US-DNV2" });
  await grant.getByLabel("Role").selectOption("COORDINATOR");
  await grant.getByRole("button", { name: "Give a role in a trial" }).click();
  await expect(grant.getByText("The role is given.")).toBeVisible();
  await expect(page.getByRole("cell", { name: "US-DNV2" })).toBeVisible();
  const adminUserPage = page.url();

  // 4. The coordinator, in their own browser: password, sign-in, two-step sign-in.
  const robinContext = await browser.newContext();
  const robin = await robinContext.newPage();
  await robin.goto(link);
  await robin.getByLabel("New password").fill("front range thin air");
  await robin.getByLabel("The same password again").fill("front range thin air");
  await robin.getByRole("button", { name: "Set password" }).click();
  await expect(robin.getByText("Your password is set. Sign in with it now.")).toBeVisible();
  await robin.goto(link); // used up
  await expect(robin.getByText(/This link cannot be used/)).toBeVisible();

  const signInWithForm = async (code?: string) => {
    await robin.goto("/login");
    await robin.getByLabel("Email").fill("robin.front@example.org");
    await robin.getByLabel("Password").fill("front range thin air");
    await robin.getByRole("button", { name: "Sign in" }).click();
    if (code !== undefined) {
      await expect(robin.getByText("Your account uses two-step sign-in: enter the code from your authenticator app.")).toBeVisible();
      await robin.getByLabel("6-digit code from your authenticator app").fill(code);
      await robin.getByRole("button", { name: "Sign in" }).click();
    }
    await expect(robin).toHaveURL(/\/trials$/);
  };
  await signInWithForm();
  await robin.goto("/account");
  await robin.getByRole("link", { name: "Two-step sign-in" }).click();
  await robin.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = (await robin.getByTestId("totp-secret").innerText()).trim();
  await expect(robin.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  await robin.getByLabel("6-digit code").fill(codeAt(secret, Date.now()));
  await robin.getByRole("button", { name: "Turn on" }).click();
  await expect(robin.getByText("Two-step sign-in is on.", { exact: true })).toBeVisible();

  // Signing in again now needs a code (one from the next time step: a code is never accepted twice).
  await robinContext.clearCookies();
  await robin.goto("/login");
  await robin.getByLabel("Email").fill("robin.front@example.org");
  await robin.getByLabel("Password").fill("front range thin air");
  await robin.getByRole("button", { name: "Sign in" }).click();
  await robin.getByLabel("6-digit code from your authenticator app").fill("000000" === codeAt(secret, Date.now() + 30_000) ? "111111" : "000000");
  await robin.getByRole("button", { name: "Sign in" }).click();
  await expect(robin.getByRole("alert").filter({ hasText: "The email, password or code is incorrect." })).toBeVisible();
  await signInWithForm(codeAt(secret, Date.now() + 30_000));

  // 5. Registration at the new site, and only there.
  await robin.goto(`${trialPath}/participants/new`);
  await expect(robin.getByLabel("Site").locator("option")).toHaveText(["Front Range Cancer Center"]);
  await robin.getByLabel("Age at screening", { exact: true }).fill("63");
  await robin.getByLabel("Female", { exact: true }).check();
  await robin.getByLabel("Subtype (name as on the report) 1").fill("EGFR exon 19 deletion");
  await robin.getByRole("button", { name: "Register", exact: true }).click();
  await expect(robin).toHaveURL(/\/participants\/[a-z0-9]+$/);
  await expect(robin.getByRole("heading", { level: 1 })).toHaveText("US-DNV2-0001");
  const list = (await (await robin.request.get(`/api/v1${trialPath}/participants`)).json()) as { items: { screeningNumber: string }[] };
  expect(list.items.map((p) => p.screeningNumber)).toEqual(["US-DNV2-0001"]);

  // 6. Taking the role away works from the coordinator's very next request.
  await page.goto(adminUserPage);
  await page.getByRole("row").filter({ hasText: "US-DNV2" }).locator("summary", { hasText: "Take away" }).click();
  const revoke = page.getByRole("form", { name: "Take away Coordinator in TB-201" });
  await revoke.getByLabel("Reason for the change").fill("Moved to another study");
  await revoke.getByRole("button", { name: "Take away" }).click();
  await expect(page.getByText("1 earlier role (see the audit trail).")).toBeVisible();
  expect((await robin.request.get(`/api/v1${trialPath}/participants`)).status()).toBe(404);
  expect((await robin.goto(trialPath))?.status()).toBe(404);

  // 7. Deactivation: the coordinator's very next request finds the session gone.
  const deactivate = page.getByRole("form", { name: "Deactivate" });
  await deactivate.getByLabel("Reason for the change").fill("Left the hospital");
  await deactivate.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByText("The user is deactivated and signed out everywhere.")).toBeVisible();
  await expect(page.getByText("robin.front@example.org · Deactivated")).toBeVisible();
  expect((await robin.request.get("/api/v1/trials")).status()).toBe(401);
  await robin.goto("/trials");
  await expect(robin).toHaveURL(/\/login/);
  await robinContext.close();

  // The user's history, from their page, in plain words.
  await page.getByRole("link", { name: "History (audit trail)" }).click();
  const history = page.getByTestId("audit-log");
  for (const label of ["User invited", "Password set with a one-time link", "Two-step sign-in turned on", "User deactivated"]) {
    await expect(history.getByText(label, { exact: true })).toBeVisible();
  }

  // Every step is in the audit trail.
  const audit = (await (await page.request.get("/api/v1/audit?limit=100")).json()) as { items: { action: string }[] };
  const actions = new Set(audit.items.map((a) => a.action));
  for (const action of [
    "site.create",
    "trialSite.create",
    "user.invite",
    "membership.create",
    "user.password.set",
    "user.totp.enable",
    "participant.create",
    "membership.revoke",
    "user.deactivate",
  ]) {
    expect(actions, action).toContain(action);
  }
});

test("a deployment can require two-step sign-in: until it is set up, the user can do nothing else", async ({ browser }) => {
  // The third app instance runs with TOTP_REQUIRED_ROLES=coordinator (tests/e2e/server.ts).
  const port = Number(process.env.E2E_PORT ?? 3100) + 2;
  const context = await browser.newContext({ baseURL: `http://localhost:${port}` });
  const page = await context.newPage();
  await expect.poll(async () => (await page.request.get("/api/health").catch(() => null))?.status(), { timeout: 30_000 }).toBe(200);
  const { signIn } = await import("./fixtures");
  await signIn(page, "totp.required@example.org");
  await page.goto("/trials");
  await expect(page).toHaveURL(/\/account\/two-factor$/);
  await expect(page.getByText("Your role requires two-step sign-in. Set it up to continue.")).toBeVisible();
  expect((await page.request.get("/api/v1/trials")).status()).toBe(403);
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = (await page.getByTestId("totp-secret").innerText()).trim();
  await page.getByLabel("6-digit code").fill(codeAt(secret, Date.now()));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page).toHaveURL(/\/trials$/);
  expect((await page.request.get("/api/v1/trials")).status()).toBe(200);
  await context.close();
});

test("a refused form keeps every value typed, marks the failed field and moves focus to the problems", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.admin);
  await page.goto("/admin/sites");
  const form = page.getByRole("form", { name: "Add a site" });
  await form.getByLabel("Country").selectOption("CN");
  await form.getByLabel("Code").fill("CN-WH9");
  await form.getByLabel("Name in English").fill("Wuhan Lakeside Hospital");
  await form.getByLabel("Local name").fill("武汉湖滨医院");
  await form.getByLabel("City").fill("Wuhan");
  await form.getByLabel("Time zone").fill("Mars/Olympus_Mons");
  await form.getByRole("button", { name: "Add a site" }).click();

  const timeZone = form.getByLabel("Time zone");
  await expect(timeZone).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByTestId("form-status")).toBeFocused();
  // Nothing typed is lost: the refused value too, so that only it needs changing.
  await expect(form.getByLabel("Country")).toHaveValue("CN");
  await expect(form.getByLabel("Code")).toHaveValue("CN-WH9");
  await expect(form.getByLabel("Name in English")).toHaveValue("Wuhan Lakeside Hospital");
  await expect(form.getByLabel("Local name")).toHaveValue("武汉湖滨医院");
  await expect(form.getByLabel("City")).toHaveValue("Wuhan");
  await expect(timeZone).toHaveValue("Mars/Olympus_Mons");

  // The summary's link takes the keyboard to the field; correcting that one field is enough.
  await form.locator(".error-summary a").first().click();
  await expect(timeZone).toBeFocused();
  await timeZone.fill("Asia/Shanghai");
  await form.getByRole("button", { name: "Add a site" }).click();
  await expect(form.getByText("The site is added.")).toBeVisible();
  await expect(page.getByRole("link", { name: "CN-WH9" })).toBeVisible();
});

test("a cohort's criteria are previewed before saving, keep what was typed, and bad criteria are refused with a reason", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.admin);
  await page.goto("/admin/trials");
  await page
    .getByRole("link", { name: /TB-305/ })
    .first()
    .click();
  await page.getByText("EGFR-20 · EGFR exon 20 insertion").click();
  const form = page.getByRole("form", { name: "Eligibility criteria of EGFR-20" });
  const criteria = form.getByLabel("Criteria");
  expect(JSON.parse(await criteria.inputValue())).toMatchObject({ version: 1, include: [{ kind: "subtype", key: "EGFR:ex20ins" }] });
  const wider = JSON.stringify({
    version: 1,
    include: [
      { kind: "exon", gene: "EGFR", exon: 20, event: "insertion" },
      { kind: "exon", gene: "HER2", exon: 20, event: "insertion" },
    ],
  });
  await criteria.fill(wider);
  await form.getByRole("button", { name: "Preview: who would match" }).click();
  await expect(form.getByTestId("form-status")).toContainText(/These criteria fit \d+ of the trial's \d+ patients still to be placed/);
  await expect(form.getByTestId("form-status")).toContainText("Nothing has been saved");
  await expect(criteria).toHaveValue(wider); // a preview keeps what was typed
  await criteria.fill("{ not json");
  await form.getByLabel("Reason for the change").fill("Amendment 2");
  await form.getByRole("button", { name: "Save as a new version" }).click();
  await expect(form.getByTestId("form-status")).toContainText("not valid JSON");
  await expect(page.getByTestId("criteria-history-EGFR-20").locator("li")).toHaveCount(1); // nothing was saved
});
