// Pre-screening: a coordinator enters a patient's results as the report writes them and sees, across trials, the
// cohorts that fit (with places left) and those that fit but are full; registers from a match with the results filled
// in; an investigator's dashboard shows the new patient live.
import { ACCOUNTS, expect, signIn, test } from "./fixtures";

test("a coordinator pre-screens a patient across two trials, registers from a match, and the dashboard updates live", async ({ browser }) => {
  test.setTimeout(90_000);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, ACCOUNTS.admin);
  const trials = (await (await admin.request.get("/api/v1/trials")).json()) as { items: { id: string; code: string }[] };
  const tb201 = trials.items.find((t) => t.code === "TB-201")!.id;
  const enrolment = (await (await admin.request.get(`/api/v1/trials/${tb201}/enrolment`)).json()) as {
    byCohort: { code: string; enrolled: number; target: number }[];
  };
  const met = enrolment.byCohort.find((c) => c.code === "MET14")!;

  // The MET exon 14 cohort is made full for this test (its target down to its enrolments), and restored after.
  const setMetTarget = async (target: number, reason: string) => {
    await admin.goto(`/admin/trials/${tb201}`);
    await admin.getByText("MET14 · MET exon 14 skipping").click(); // the cohort's summary opens its forms
    const form = admin.getByRole("form", { name: "Edit cohort MET14" });
    await form.getByLabel("Target").fill(String(target));
    await form.getByLabel("Reason for the change").fill(reason);
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByTestId("form-status")).toContainText("Saved");
  };
  await setMetTarget(met.enrolled, "Test: the cohort is full");

  try {
    const investigator = await (await browser.newContext()).newPage();
    await signIn(investigator, ACCOUNTS.investigator);
    await investigator.goto(`/trials/${tb201}`);
    await expect(investigator.getByTestId("live-indicator")).toHaveAttribute("data-state", "live");
    const screenedAtBoston = investigator.locator('[data-site="US-BOS1"] td.num').first();
    const before = Number(await screenedAtBoston.innerText());

    const coordinator = await (await browser.newContext()).newPage();
    await signIn(coordinator, ACCOUNTS.coordinatorUs);
    await coordinator.goto("/trials");
    await coordinator.getByRole("link", { name: "Pre-screen" }).click();
    await coordinator.getByLabel("Alteration 1 (as the report writes it)").fill("KRAS c.34G>T (p.Gly12Cys)");
    await coordinator.getByRole("button", { name: "Add an alteration" }).click();
    await coordinator.getByLabel("Alteration 2 (as the report writes it)").fill("EGFR exon 20 insertion");
    await coordinator.getByRole("button", { name: "Add an alteration" }).click();
    await coordinator.getByLabel("Alteration 3 (as the report writes it)").fill("MET exon 14 skipping mutation");
    await coordinator.getByRole("button", { name: "Find matching cohorts" }).click();

    await expect(coordinator.getByTestId("match-status")).toContainText("KRAS G12C");
    const kras = coordinator.getByTestId("match-cohort-TB-201-KRAS-G12C");
    const exon20 = coordinator.getByTestId("match-cohort-TB-305-EGFR-20");
    const metFull = coordinator.getByTestId("match-cohort-TB-201-MET14");
    for (const fitting of [kras, exon20]) {
      await expect(fitting).toHaveAttribute("data-outcome", "met");
      await expect(fitting).toHaveAttribute("data-state", "open");
      await expect(fitting).toContainText(/places? left/);
    }
    await expect(metFull).toHaveAttribute("data-outcome", "met");
    await expect(metFull).toHaveAttribute("data-state", "full");
    await expect(metFull).toContainText("Full");
    await expect(metFull.getByRole("link", { name: /Register/ })).toHaveCount(0); // no place, no registration offered there
    await expect(coordinator.getByTestId("match-cohort-TB-201-ALK")).toHaveAttribute("data-outcome", "failed"); // shown, not hidden
    await expect(kras).toContainText("KRAS G12C detected");

    // One click registers from the match, the results already in the form.
    await kras.getByRole("link", { name: "Register in TB-201 at US-BOS1" }).click();
    await expect(coordinator.getByLabel("Subtype (name as on the report) 1")).toHaveValue("KRAS c.34G>T (p.Gly12Cys)");
    await expect(coordinator.getByLabel("Subtype (name as on the report) 3")).toHaveValue("MET exon 14 skipping mutation");
    await coordinator.getByLabel("Age at screening").fill("63");
    await coordinator.getByLabel("Female").check();
    await coordinator.getByRole("button", { name: "Register" }).click();
    await expect(coordinator.getByRole("heading", { level: 1 })).toHaveText(/^US-BOS1-\d{4}$/);
    await expect(coordinator.getByTestId("fit-KRAS-G12C")).toHaveAttribute("data-outcome", "met"); // the record says which cohorts fit

    // The investigator's dashboard, open all along, counts the new patient without a reload.
    // (Other tests register at this site meanwhile: at least this one more.)
    await expect.poll(async () => Number(await screenedAtBoston.innerText()), { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 1);
  } finally {
    await setMetTarget(met.target, "Test done: the target restored");
  }
});
