import { addDays, todayIn } from "../../lib/dates/calendar";
import { ACCOUNTS, expect, test } from "./fixtures";

async function trialAndSite(request: import("@playwright/test").APIRequestContext) {
  const trials = (await (await request.get("/api/v1/trials")).json()) as { items: { id: string; code: string }[] };
  const trialId = trials.items.find((t) => t.code === "TB-201")!.id;
  const mine = (await (await request.get(`/api/v1/trials/${trialId}/participants?limit=1`)).json()) as { items: { siteId: string }[] };
  return { trialId, siteId: mine.items[0]!.siteId };
}

test("the participants API answers every error class with JSON and the right status, writing nothing", async ({ page, signIn }) => {
  expect((await page.request.get("/api/v1/trials/x/participants")).status()).toBe(401);
  await signIn(ACCOUNTS.coordinatorUs);
  const { trialId, siteId } = await trialAndSite(page.request);
  const url = `/api/v1/trials/${trialId}/participants`;
  // A screening day no other test uses: other tests register KRAS G12C patients here today, concurrently.
  const ownDay = addDays(todayIn("America/New_York"), -123);
  const body = {
    siteId,
    screeningDate: ownDay,
    ageAtScreening: 64,
    sex: "male",
    results: [{ subtype: "G12C", result: "detected", method: "PCR" }],
  };
  // Counted among this test's own patients (KRAS G12C at this site on its own day): other tests register meanwhile.
  const count = async () =>
    ((await (await page.request.get(`${url}?limit=1&subtype=KRAS:G12C&from=${ownDay}&to=${ownDay}`)).json()) as { total: number }).total;
  const before = await count();

  const noKey = await page.request.post(url, { data: body });
  expect(noKey.status()).toBe(400);
  expect(((await noKey.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
  const headers = (key: string) => ({ "Idempotency-Key": key, "content-type": "application/json" });
  expect((await page.request.post(url, { headers: headers("api-test-malformed"), data: Buffer.from("{") })).status()).toBe(400);
  expect(
    (await page.request.post(url, { headers: headers("api-test-too-big"), data: Buffer.from(JSON.stringify({ ...body, pad: "x".repeat(70_000) })) })).status(),
  ).toBe(413);
  const invalid = await page.request.post(url, { headers: headers("api-test-invalid"), data: { ...body, ageAtScreening: 12, mrn: "123" } });
  expect(invalid.status()).toBe(422);
  expect(Object.keys(((await invalid.json()) as { error: { fields: object } }).error.fields).sort()).toEqual(["ageAtScreening", "mrn"]);
  expect((await page.request.get(`/api/v1/trials/not-a-trial/participants`)).status()).toBe(404);
  expect(await count()).toBe(before);

  // Two simultaneous identical requests with one key: one participant.
  const [a, b] = await Promise.all([
    page.request.post(url, { headers: headers("api-test-same-key"), data: body }),
    page.request.post(url, { headers: headers("api-test-same-key"), data: body }),
  ]);
  expect([a.status(), b.status()]).toEqual([201, 201]);
  const created = (await a.json()) as { id: string; version: number; siteId: string };
  expect(await b.json()).toEqual(created);
  expect(await count()).toBe(before + 1);
  const reused = await page.request.post(url, { headers: headers("api-test-same-key"), data: { ...body, ageAtScreening: 65 } });
  expect(reused.status()).toBe(422);

  // A stale version is a conflict.
  const item = `${url}/${created.id}`;
  expect((await page.request.patch(item, { data: { version: created.version, reason: "typo", ageAtScreening: 66 } })).status()).toBe(200);
  const stale = await page.request.patch(item, { data: { version: created.version, reason: "second editor", ageAtScreening: 67 } });
  expect(stale.status()).toBe(409);
  expect(((await (await page.request.get(item)).json()) as { ageAtScreening: number }).ageAtScreening).toBe(66);
  const listed = (await (await page.request.get(`${url}?limit=200`)).json()) as { items: { siteId: string }[] };
  expect(listed.items.every((p) => p.siteId === created.siteId)).toBe(true);
});
