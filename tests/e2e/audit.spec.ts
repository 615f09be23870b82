import { addDays, todayIn } from "../../lib/dates/calendar";
import { ACCOUNTS, expect, signIn, test } from "./fixtures";

test("a monitor finds a record's history by its screening number and reads each change in words, with its reason", async ({ browser }) => {
  const coordinatorContext = await browser.newContext();
  const coordinator = await coordinatorContext.newPage();
  await signIn(coordinator, ACCOUNTS.coordinatorUs);
  const trials = (await (await coordinator.request.get("/api/v1/trials")).json()) as { items: { id: string; code: string }[] };
  const trialId = trials.items.find((t) => t.code === "TB-201")!.id;
  const mine = (await (await coordinator.request.get(`/api/v1/trials/${trialId}/participants?limit=1`)).json()) as { items: { siteId: string }[] };
  const created = await coordinator.request.post(`/api/v1/trials/${trialId}/participants`, {
    headers: { "Idempotency-Key": `audit-viewer-${Date.now()}` },
    data: {
      siteId: mine.items[0]!.siteId,
      screeningDate: addDays(todayIn("America/New_York"), -1),
      ageAtScreening: 57,
      sex: "female",
      results: [{ subtype: "EGFR L858R", result: "detected", method: "PCR" }],
    },
  });
  expect(created.status()).toBe(201);
  const patient = (await created.json()) as { id: string; screeningNumber: string; version: number };
  const corrected = await coordinator.request.patch(`/api/v1/trials/${trialId}/participants/${patient.id}`, {
    data: { version: patient.version, reason: "Digits swapped when typing", ageAtScreening: 75 },
  });
  expect(corrected.status()).toBe(200);
  await coordinatorContext.close();

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, ACCOUNTS.admin);
  await admin.goto("/audit");
  await admin.getByLabel("Record (screening number or id)").fill(patient.screeningNumber.toLowerCase());
  await admin.getByRole("button", { name: "Apply" }).click();
  const rows = admin.getByTestId("audit-log").locator("tbody tr");
  await expect(rows).toHaveCount(2); // registered, corrected: this record only
  const correction = rows.first();
  await expect(correction).toContainText(patient.screeningNumber); // named as people name it
  await expect(correction).toContainText("Digits swapped when typing");
  await expect(correction.getByTestId("audit-changes")).toHaveText("Age at screening: 57 → 75");
  // Narrowed to another trial, the same record has no rows there.
  await admin.getByLabel("Trial", { exact: true }).selectOption({ label: "TB-305" });
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(rows).toHaveCount(0);
  await admin.getByLabel("Trial", { exact: true }).selectOption({ label: "TB-201" });
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(rows).toHaveCount(2);
  // By action, chosen by its name, and by site.
  await admin.getByLabel("Action", { exact: true }).selectOption({ label: "Participant corrected" });
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(rows).toHaveCount(1);
  await admin.getByLabel("Site", { exact: true }).selectOption({ label: "US-BOS1" });
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(rows).toHaveCount(1);
  await admin.getByLabel("Site", { exact: true }).selectOption({ label: "CN-GZ1" });
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(rows).toHaveCount(0);
  // The table scrolls by keyboard too.
  await expect(admin.getByRole("region", { name: "Audit trail" })).toHaveAttribute("tabindex", "0");
  await adminContext.close();
});
