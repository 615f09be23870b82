import { ACCOUNTS, expect, signIn, test } from "./fixtures";
import { EN, registerAndEnrol } from "./flows";

test("an investigator sets 'cohort at N%'; a coordinator's enrolment crosses it; the investigator is told, once", async ({ browser }) => {
  // Three people signed in, and up to three registrations and enrolments through the forms: on CI's two loaded
  // cores, beside the fuzz and matrix tests, this reached its last step as the default 30 s ran out.
  test.setTimeout(90_000);
  const investigator = await (await browser.newContext()).newPage();
  await signIn(investigator, ACCOUNTS.investigator);
  const trials = (await (await investigator.request.get("/api/v1/trials")).json()) as { items: { id: string; code: string }[] };
  const trialId = trials.items.find((t) => t.code === "TB-201")!.id;
  const counts = (await (await investigator.request.get(`/api/v1/trials/${trialId}/enrolment`)).json()) as {
    byCohort: { code: string; enrolled: number; target: number }[];
  };
  const egfr = counts.byCohort.find((c) => c.code === "EGFR-S")!;
  // The next whole percentage above today's: one or two enrolments cross it.
  const percent = Math.floor((egfr.enrolled * 100) / egfr.target) + 1;

  await investigator.goto(`/trials/${trialId}`);
  await investigator.getByRole("link", { name: "Alerts" }).click();
  await expect(investigator.getByRole("heading", { name: "Alerts: TB-201" })).toBeVisible();
  await investigator.getByLabel("What to watch").selectOption("COHORT_PERCENT");
  await investigator.getByLabel("Cohort", { exact: true }).selectOption({ label: "EGFR-S: EGFR sensitizing (exon 19 deletion or L858R)" });
  await investigator.getByLabel("Share of the cohort's target (%)").fill(String(percent));
  await investigator.getByRole("button", { name: "Set an alert" }).click();
  await expect(investigator.getByRole("form", { name: "Set an alert" }).getByTestId("form-status")).toContainText("Alert set.");
  await expect(investigator.getByTestId("alert-rules")).toContainText(`EGFR-S reaches ${percent}% of its target`);

  // The coordinator enrols until the cohort crosses the share (other tests may enrol too: it only comes sooner).
  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, ACCOUNTS.coordinatorUs);
  const told = `TB-201: cohort EGFR-S has reached ${percent}% of its target`;
  const enrolled = async () =>
    ((await (await investigator.request.get(`/api/v1/trials/${trialId}/enrolment`)).json()) as typeof counts).byCohort.find((c) => c.code === "EGFR-S")!
      .enrolled;
  for (let i = 0; i < 3 && (await enrolled()) * 100 < percent * egfr.target; i++) await registerAndEnrol(coordinator, EN, "America/New_York");
  expect((await enrolled()) * 100).toBeGreaterThanOrEqual(percent * egfr.target);
  await expect
    .poll(async () => {
      await investigator.goto("/notifications");
      return investigator.getByTestId("notifications").getByText(told).count();
    })
    .toBe(1);
  await expect(investigator.getByTestId("notifications").getByText(told)).toHaveCount(1);
  await expect(investigator.getByTestId("notifications-link")).toHaveText(/Notifications( \(\d+\))?/);
  // The notification links to the trial's dashboard, which shows the cohort.
  await investigator.getByTestId("notifications").getByText(told).click();
  await expect(investigator).toHaveURL(new RegExp(`/trials/${trialId}$`));

  // A sponsor may not set alerts: the page is not found, and the trial page does not link to it.
  const sponsor = await (await browser.newContext()).newPage();
  await signIn(sponsor, ACCOUNTS.sponsor);
  await sponsor.goto(`/trials/${trialId}`);
  await expect(sponsor.getByRole("link", { name: "Alerts" })).toHaveCount(0);
  expect((await sponsor.goto(`/trials/${trialId}/alerts`))!.status()).toBe(404);
});
