// FHIR R4 over HTTP against the real app: the CapabilityStatement for anyone; studies and subjects with a personal
// API token, paged by the Bundle's own links, each resource valid against the official R4 JSON Schema; a sponsor's
// token gets no ResearchSubject; errors are OperationOutcomes with the API's statuses.
import type { APIRequestContext, Page } from "@playwright/test";
import { fhirErrors } from "../support/fhir";
import { ACCOUNTS, expect, signIn, test } from "./fixtures";

type Bundle = { resourceType: "Bundle"; total: number; link: { relation: string; url: string }[]; entry?: { resource: { id: string; status: string } }[] };

/** A client holding a new personal API token of the page's signed-in user, and no cookie. */
async function tokenClient(page: Page, baseURL: string, playwright: { request: { newContext: (o: object) => Promise<APIRequestContext> } }) {
  const created = await page.request.post("/api/v1/tokens", { data: { name: "fhir client", expiresInDays: 1 } });
  expect(created.status()).toBe(201);
  const { token } = (await created.json()) as { token: string };
  return playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
}

test("FHIR R4: an investigator's client pages through a study's subjects; a sponsor's sees the study, never a subject", async ({
  page,
  browser,
  baseURL,
  playwright,
}) => {
  const metadata = await page.request.get("/api/fhir/R4/metadata");
  expect(metadata.status()).toBe(200);
  expect(metadata.headers()["content-type"]).toContain("application/fhir+json");
  const capability = (await metadata.json()) as { fhirVersion: string };
  expect(capability.fhirVersion).toBe("4.0.1");
  expect(fhirErrors({ ...capability, fhirVersion: "4.0.0" })).toEqual([]); // the R4 schema's list stops at 4.0.0

  await signIn(page, ACCOUNTS.investigator);
  const fhir = await tokenClient(page, baseURL!, playwright);
  const studies = (await (await fhir.get("/api/fhir/R4/ResearchStudy?identifier=urn:trialbridge:trial|TB-201")).json()) as Bundle;
  expect(studies.total).toBe(1);
  expect(fhirErrors(studies)).toEqual([]);
  const studyId = studies.entry![0]!.resource.id;
  expect((await fhir.get(`/api/fhir/R4/ResearchStudy/${studyId}`)).status()).toBe(200);

  // Two pages of five by the Bundle's next link: different subjects, all valid.
  const first = (await (await fhir.get(`/api/fhir/R4/ResearchSubject?study=ResearchStudy/${studyId}&_count=5`)).json()) as Bundle;
  expect(fhirErrors(first)).toEqual([]);
  expect(first.total).toBeGreaterThan(10);
  expect(first.entry).toHaveLength(5);
  const next = first.link.find((l) => l.relation === "next")!.url;
  const second = (await (await fhir.get(new URL(next).pathname + new URL(next).search)).json()) as Bundle;
  expect(second.entry).toHaveLength(5);
  const ids = new Set([...first.entry!, ...second.entry!].map((e) => e.resource.id));
  expect(ids.size).toBe(10);
  expect(second.link.find((l) => l.relation === "previous")).toBeDefined();
  const onStudy = (await (await fhir.get(`/api/fhir/R4/ResearchSubject?study=ResearchStudy/${studyId}&status=on-study&_count=200`)).json()) as Bundle;
  expect(onStudy.entry!.every((e) => e.resource.status === "on-study")).toBe(true);
  const subjectId = first.entry![0]!.resource.id;
  const subject = await fhir.get(`/api/fhir/R4/ResearchSubject/${subjectId}`);
  expect(subject.status()).toBe(200);
  expect(fhirErrors(await subject.json())).toEqual([]);

  // The study and its subjects in bulk, one resource a line.
  const bulk = await fhir.get(`/api/fhir/R4/ResearchStudy/${studyId}/$export`);
  expect(bulk.headers()["content-type"]).toContain("application/fhir+ndjson");
  const lines = (await bulk.text())
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { resourceType: string; id: string });
  expect(lines[0]).toMatchObject({ resourceType: "ResearchStudy", id: studyId });
  // (other tests register in the same trial meanwhile: the pages' subjects are all there, not a fixed count)
  const exported = new Set(lines.slice(1).map((r) => r.id));
  for (const id of ids) expect(exported.has(id)).toBe(true);
  expect(lines.slice(1).every((r) => r.resourceType === "ResearchSubject")).toBe(true);

  // A bad search: 400 with an OperationOutcome naming the parameter.
  const bad = await fhir.get(`/api/fhir/R4/ResearchSubject?study=ResearchStudy/${studyId}&status=enrolled`);
  expect(bad.status()).toBe(400);
  const outcome = (await bad.json()) as { resourceType: string; issue: { code: string; diagnostics: string }[] };
  expect(fhirErrors(outcome)).toEqual([]);
  expect(outcome.issue[0]).toMatchObject({ code: "invalid", diagnostics: expect.stringContaining("status") });
  expect((await fhir.post("/api/fhir/R4/ResearchSubject", { data: {} })).status()).toBe(405); // read-only

  // The sponsor's token: the study's counts, never a subject.
  const sponsorPage = await (await browser.newContext()).newPage();
  await signIn(sponsorPage, ACCOUNTS.sponsor);
  const sponsor = await tokenClient(sponsorPage, baseURL!, playwright);
  expect((await sponsor.get(`/api/fhir/R4/ResearchStudy/${studyId}`)).status()).toBe(200);
  const none = (await (await sponsor.get(`/api/fhir/R4/ResearchSubject?study=ResearchStudy/${studyId}`)).json()) as Bundle;
  expect(none).toMatchObject({ resourceType: "Bundle", total: 0 });
  expect(none.entry ?? []).toEqual([]);
  const sponsorBulk = (await (await sponsor.get(`/api/fhir/R4/ResearchStudy/${studyId}/$export`)).text()).split("\n").filter(Boolean);
  expect(sponsorBulk.map((l) => (JSON.parse(l) as { resourceType: string }).resourceType)).toEqual(["ResearchStudy"]);
  const hidden = await sponsor.get(`/api/fhir/R4/ResearchSubject/${subjectId}`);
  expect(hidden.status()).toBe(404);
  expect(((await hidden.json()) as { issue: { code: string }[] }).issue[0]!.code).toBe("not-found");
});
