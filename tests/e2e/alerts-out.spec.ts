// Issue 18's whole path in the browser: an investigator sets "cohort at N%" and registers two webhook endpoints; a
// coordinator's enrolment crosses it; the investigator's header count moves live (no reload); one receiver gets a
// delivery whose signature verifies with the standardwebhooks library, the other answers 500 three times and gets
// it on the fourth attempt, all four attempts in the delivery log; the investigator's digest, asked for now, reaches
// a real SMTP receiver with the alert in it.
import { Webhook } from "standardwebhooks";
import { smtpReceiver, webhookReceiver } from "../support/receivers";
import { ACCOUNTS, expect, signIn, test } from "./fixtures";
import { todayIn } from "@/lib/dates/calendar";

const SMTP_PORT = 3125; // tests/e2e/server.ts names it in SMTP_URL

test("a crossing is told live, signed to webhooks (retried to success) and in the next digest", async ({ browser }) => {
  test.setTimeout(150_000);
  const smtp = await smtpReceiver(SMTP_PORT);
  const healthy = await webhookReceiver();
  const flaky = await webhookReceiver(3);
  try {
    const investigator = await (await browser.newContext()).newPage();
    await signIn(investigator, ACCOUNTS.investigator);
    const trialId = ((await (await investigator.request.get("/api/v1/trials")).json()) as { items: { id: string; code: string }[] }).items.find(
      (t) => t.code === "TB-201",
    )!.id;
    // The ALK cohort (the other alert test watches EGFR-S: each would hear the other's crossing).
    type Counts = { byCohort: { cohortId: string; code: string; name: string; enrolled: number; target: number }[] };
    const alk = async () =>
      ((await (await investigator.request.get(`/api/v1/trials/${trialId}/enrolment`)).json()) as Counts).byCohort.find((c) => c.code === "ALK")!;
    const start = await alk();
    const percent = Math.floor((start.enrolled * 100) / start.target) + 1;

    await investigator.goto(`/trials/${trialId}/alerts`);
    await investigator.getByLabel("What to watch").selectOption("COHORT_PERCENT");
    await investigator.getByLabel("Cohort", { exact: true }).selectOption({ label: `ALK: ${start.name}` });
    await investigator.getByLabel("Share of the cohort's target (%)").fill(String(percent));
    await investigator.getByRole("button", { name: "Set an alert" }).click();
    await expect(investigator.getByRole("form", { name: "Set an alert" }).getByTestId("form-status")).toContainText("Alert set.");

    // Two endpoints, registered in the browser; each secret is shown once.
    await investigator.getByRole("link", { name: "Webhooks" }).click();
    const secrets: string[] = [];
    for (const hook of [healthy, flaky]) {
      await investigator.getByLabel("Endpoint URL").fill(hook.url);
      await investigator.getByRole("button", { name: "Add an endpoint" }).click();
      const status = investigator.getByRole("form", { name: "Add an endpoint" }).getByTestId("form-status");
      await expect(status).toContainText("whsec_");
      if (secrets.length) await expect(status).not.toContainText(secrets[0]!); // the second endpoint's own secret
      secrets.push(/whsec_[A-Za-z0-9+/=]+/.exec((await status.textContent()) ?? "")![0]);
    }

    // The investigator watches the dashboard; the page is never reloaded (the marker would be lost).
    await investigator.goto(`/trials/${trialId}`);
    await investigator.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    const link = investigator.getByTestId("notifications-link");
    const unread = async () => Number(/\((\d+)\)/.exec((await link.textContent()) ?? "")?.[1] ?? 0);
    const before = await unread();

    const coordinator = await (await browser.newContext()).newPage();
    await signIn(coordinator, ACCOUNTS.coordinatorUs);
    const api = `/api/v1/trials/${trialId}/participants`;
    const siteId = ((await (await coordinator.request.get(`${api}?limit=1`)).json()) as { items: { siteId: string }[] }).items[0]!.siteId;
    const today = todayIn("America/New_York");
    for (let i = 0; i < 5 && (await alk()).enrolled * 100 < percent * start.target; i++) {
      const made = await coordinator.request.post(api, {
        headers: { "Idempotency-Key": `alerts-out-${Date.now()}-${i}` },
        data: { siteId, screeningDate: today, ageAtScreening: 61, sex: "female", results: [{ subtype: "ALK fusion", result: "detected", method: "FISH" }] },
      });
      expect(made.status()).toBe(201);
      let { id, version } = (await made.json()) as { id: string; version: number };
      for (const to of ["ELIGIBLE", "CONSENTED", "ENROLLED"]) {
        const moved = await coordinator.request.post(`${api}/${id}/transitions`, {
          data: { to, date: today, version, ...(to === "ENROLLED" ? { cohortId: start.cohortId } : {}) },
        });
        expect(moved.status(), await moved.text()).toBe(200);
        ({ id, version } = (await moved.json()) as { id: string; version: number });
      }
    }
    expect((await alk()).enrolled * 100).toBeGreaterThanOrEqual(percent * start.target);

    await expect.poll(unread, { timeout: 15_000 }).toBeGreaterThan(before);
    expect(await investigator.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);

    // The healthy receiver's delivery verifies with the standard library and says what crossed.
    const mine = (r: { body: string }) => r.body.includes(`"percent":${percent}`) && r.body.includes('"cohort":"ALK"');
    await expect.poll(() => healthy.received.filter(mine).length, { timeout: 20_000 }).toBe(1);
    const delivered = healthy.received.find(mine)!;
    expect(new Webhook(secrets[0]!).verify(delivered.body, delivered.headers)).toMatchObject({
      type: "alert.triggered",
      data: { trial: "TB-201", cohort: "ALK" },
    });
    // The flaky one: three 500s, then the fourth attempt, with the same webhook-id throughout.
    await expect.poll(() => flaky.received.filter(mine).length, { timeout: 60_000 }).toBe(4);
    const attempts = flaky.received.filter(mine);
    expect(new Set(attempts.map((a) => a.headers["webhook-id"])).size).toBe(1);
    expect(new Webhook(secrets[1]!).verify(attempts[3]!.body, attempts[3]!.headers)).toBeTruthy();
    await investigator.goto(`/trials/${trialId}/webhooks`);
    const flakyLog = investigator.getByTestId("webhook").filter({ hasText: flaky.url });
    await expect
      .poll(async () => {
        await investigator.reload();
        return flakyLog.getByTestId("delivery").filter({ hasText: "Delivered" }).getByTestId("attempt").allTextContents();
      })
      .toEqual([
        expect.stringContaining("HTTP 500"),
        expect.stringContaining("HTTP 500"),
        expect.stringContaining("HTTP 500"),
        expect.stringContaining("HTTP 200"),
      ]);

    // The digest, asked for now, reaches the SMTP receiver with the alert in it.
    await investigator.goto("/notifications");
    await investigator.getByRole("button", { name: "Email me my digest now" }).click();
    const told = `TB-201: cohort ALK has reached ${percent}% of its target`;
    await expect
      .poll(() => smtp.inbox.filter((m) => JSON.stringify(m.to).includes(ACCOUNTS.investigator) && (m.text ?? "").includes(told)).length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
  } finally {
    await Promise.all([healthy.close(), flaky.close(), smtp.close()]);
  }
});
