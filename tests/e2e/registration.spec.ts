import { ACCOUNTS, expect, test } from "./fixtures";
import { EN, registerAndEnrol, ZH } from "./flows";

test("a US coordinator registers p.Leu858Arg, enrols into the EGFR cohort and corrects the age, all audited", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.coordinatorUs);
  const { number } = await registerAndEnrol(page, EN, "America/New_York");
  expect(number).toMatch(/^US-BOS1-\d{4}$/);
});

test("a Chinese coordinator does the same in Chinese; neither coordinator can reach the other's patients", async ({ browser }) => {
  const cnContext = await browser.newContext();
  const cn = await cnContext.newPage();
  const { signIn } = await import("./fixtures");
  await signIn(cn, ACCOUNTS.coordinatorCn);
  const cnPatient = await registerAndEnrol(cn, ZH, "Asia/Shanghai");
  expect(cnPatient.number).toMatch(/^CN-GZ1-\d{4}$/);

  const usContext = await browser.newContext();
  const us = await usContext.newPage();
  await signIn(us, ACCOUNTS.coordinatorUs);
  const path = new URL(cnPatient.url).pathname; // /trials/{trialId}/participants/{id}
  expect((await us.goto(path))?.status()).toBe(404);
  const api = `/api/v1${path}`;
  expect((await us.request.get(api)).status()).toBe(404);
  expect((await us.request.patch(api, { data: { version: 5, reason: "x", ageAtScreening: 60 } })).status()).toBe(404);
  expect(
    (await us.request.post(`${api}/transitions`, { data: { to: "WITHDRAWN", date: "2026-01-01", reasonCode: "OTHER", reason: "x", version: 5 } })).status(),
  ).toBe(404);
  expect((await cn.request.get(api)).status()).toBe(200);
  await cnContext.close();
  await usContext.close();
});
