// The API contract: real answers of every operation in the served OpenAPI description, a success and an error each,
// checked against the description's own schemas (ajv, JSON Schema 2020-12). An answer whose status, media type or body
// the description does not say fails; so does an operation the test no longer reaches. The schemas are closed
// (lib/openapi/responses.ts), so a field a handler adds or drops fails too, as the first test shows.
import { signIn as sessionOf } from "../support/http";
import { ACCOUNTS, expect, test } from "./fixtures";
import { loadContract } from "./openapi-contract";

/** What cannot be reached here, and why; the test checks each is still out of reach, so the list stays true. */
const UNREACHABLE: Record<string, { success?: string; error?: string }> = {
  "GET /api/fhir/R4/metadata": { error: "open to anyone and takes no parameters: nothing to refuse" },
  "POST /api/federation/v1/snapshots": {
    success: "needs snapshots signed by a paired peer node: tests/ops' two-node test runs it, and the sending node parses the answer with the same schema",
  },
  "GET /api/federation/v1/snapshots": { success: "needs a request signed by a paired peer node (as above)" },
};

test("every operation's answers, success and error, are what the OpenAPI description says", async ({ baseURL }) => {
  test.setTimeout(120_000);
  const base = baseURL!;
  const { doc, validator, operations, judge } = await loadContract(base);
  const seen = new Map<string, { success: number[]; error: number[] }>();
  const problems: string[] = [];

  /** Calls `key`'s operation ("METHOD /api/...{param}") and checks the answer against the description. */
  async function call<T = unknown>(
    key: string,
    params: Record<string, string>,
    init: { as?: string; query?: string; body?: unknown; csv?: string; headers?: Record<string, string>; stream?: boolean } = {},
  ): Promise<{ status: number; body: T }> {
    if (!operations.has(key)) throw new Error(`${key} is not in the description`);
    const [method, template] = key.split(" ") as [string, string];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? "none"));
    const headers: Record<string, string> = {
      ...(init.as ? (/^Bearer /.test(init.as) ? { authorization: init.as } : { cookie: init.as }) : {}),
      ...init.headers,
    };
    let body: string | undefined;
    if (init.body !== undefined) [headers["content-type"], body] = ["application/json", JSON.stringify(init.body)];
    if (init.csv !== undefined) [headers["content-type"], body] = ["text/csv", init.csv];
    const controller = new AbortController();
    const response = await fetch(`${base}${path}${init.query ?? ""}`, { method, headers, body, redirect: "manual", signal: controller.signal });
    const status = response.status;
    const text = init.stream ? "" : await response.text();
    if (init.stream) controller.abort();
    const tally = seen.get(key) ?? { success: [], error: [] };
    seen.set(key, tally);
    (status < 400 ? tally.success : tally.error).push(status);
    const { problem, body: answer } = judge(key, status, response.headers.get("content-type"), text);
    if (problem) problems.push(problem);
    return { status, body: answer as T };
  }

  const [coordinator, admin, sponsor, investigator] = await Promise.all([
    sessionOf(base, ACCOUNTS.coordinatorUs),
    sessionOf(base, ACCOUNTS.admin),
    sessionOf(base, ACCOUNTS.sponsor),
    sessionOf(base, ACCOUNTS.investigator),
  ]);
  const as = (who: string) => ({ as: who });

  // Trials, counts, performance, rules, streams.
  const trials = (await call<{ items: { id: string; code: string }[] }>("GET /api/v1/trials", {}, as(coordinator))).body;
  await call("GET /api/v1/trials", {});
  const trialId = trials.items.find((t) => t.code === "TB-201")!.id;
  const tb305 = trials.items.find((t) => t.code === "TB-305")!.id;
  const t = { trialId };
  const enrolment = (
    await call<{ byCohort: { cohortId: string; code: string; target: number; places: { US: number; CN: number } | null }[] }>(
      "GET /api/v1/trials/{trialId}/enrolment",
      t,
      as(coordinator),
    )
  ).body;
  await call("GET /api/v1/trials/{trialId}/enrolment", { trialId: "no-such-trial" }, as(coordinator));
  await call("GET /api/v1/trials/{trialId}/site-performance", t, as(admin));
  await call("GET /api/v1/trials/{trialId}/site-performance", { trialId: "no-such-trial" }, as(admin));
  await call("GET /api/v1/trials/{trialId}/alert-rules", t, as(admin));
  await call("GET /api/v1/trials/{trialId}/alert-rules", t, as(coordinator));
  const rule = { format: "trialbridge.alert-rules/1", rules: [{ kind: "SITE_SILENT", days: 365, roles: ["INVESTIGATOR"] }] };
  await call("POST /api/v1/trials/{trialId}/alert-rules", { trialId: tb305 }, { as: admin, body: rule });
  await call("POST /api/v1/trials/{trialId}/alert-rules", { trialId: tb305 }, { as: admin, body: { ...rule, format: "other" } });
  await call("GET /api/v1/notifications/events", {}, { as: coordinator, stream: true });
  await call("GET /api/v1/notifications/events", {});
  await call("GET /api/v1/trials/{trialId}/events", t, { as: coordinator, stream: true });
  await call("GET /api/v1/trials/{trialId}/events", t, { as: coordinator, headers: { "Last-Event-ID": "not an id" } });

  // Participants: the list, registration, the path, corrections, voiding, the trail, places.
  const page = (await call<{ items: { siteId: string }[] }>("GET /api/v1/trials/{trialId}/participants", t, { as: coordinator, query: "?limit=2" })).body;
  await call("GET /api/v1/trials/{trialId}/participants", t, { as: coordinator, query: "?limit=abc" });
  const today = new Date().toISOString().slice(0, 10);
  const patient = (age: number) => ({
    siteId: page.items[0]!.siteId,
    screeningDate: today,
    ageAtScreening: age,
    sex: "female",
    results: [{ subtype: "KRAS G12C", result: "detected", method: "NGS_TISSUE" }],
  });
  const age = () => 30 + Math.floor(Math.random() * 50);
  const key = () => `contract-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const registered = await call<{ id: string; version: number }>("POST /api/v1/trials/{trialId}/participants", t, {
    as: coordinator,
    body: patient(age()),
    headers: { "Idempotency-Key": key() },
  });
  await call("POST /api/v1/trials/{trialId}/participants", t, {
    as: coordinator,
    body: { ...patient(age()), sex: "other" },
    headers: { "Idempotency-Key": key() },
  });
  const p = { trialId, participantId: registered.body.id };
  await call("GET /api/v1/trials/{trialId}/participants/{participantId}", p, as(coordinator));
  await call("GET /api/v1/trials/{trialId}/participants/{participantId}", { trialId, participantId: "no-such" }, as(coordinator));
  const corrected = await call<{ version: number }>("PATCH /api/v1/trials/{trialId}/participants/{participantId}", p, {
    as: coordinator,
    body: { version: registered.body.version, reason: "Age misread from the referral letter", ageAtScreening: age() },
  });
  await call("PATCH /api/v1/trials/{trialId}/participants/{participantId}", p, {
    as: coordinator,
    body: { version: registered.body.version, reason: "A stale correction", ageAtScreening: age() },
  });
  const eligible = await call<{ version: number }>("POST /api/v1/trials/{trialId}/participants/{participantId}/transitions", p, {
    as: coordinator,
    body: { to: "ELIGIBLE", date: today, version: corrected.body.version },
  });
  await call("POST /api/v1/trials/{trialId}/participants/{participantId}/transitions", p, {
    as: coordinator,
    body: { to: "CONSENTED", date: today, version: corrected.body.version },
  });
  await call("POST /api/v1/trials/{trialId}/participants/{participantId}/transitions", p, {
    as: coordinator,
    body: { to: "CONSENTED", date: today, version: eligible.body.version },
  });
  await call("GET /api/v1/trials/{trialId}/participants/{participantId}/audit", p, as(coordinator));
  await call("GET /api/v1/trials/{trialId}/participants/{participantId}/audit", { trialId, participantId: "no-such" }, as(coordinator));
  const kras = enrolment.byCohort.find((c) => c.code.startsWith("KRAS"))!;
  const place = `POST /api/v1/trials/{trialId}/participants/{participantId}/place`;
  await call(place, p, { as: coordinator, body: { cohortId: kras.cohortId, days: 2 } });
  await call(place, p, { as: coordinator, body: { cohortId: kras.cohortId, days: 99 } });
  const release = `DELETE /api/v1/trials/{trialId}/participants/{participantId}/place`;
  await call(release, p, { as: coordinator, query: `?cohortId=${kras.cohortId}` });
  await call(release, p, { as: coordinator, query: `?cohortId=${kras.cohortId}` });
  const mistaken = await call<{ id: string; version: number }>("POST /api/v1/trials/{trialId}/participants", t, {
    as: coordinator,
    body: patient(age()),
    headers: { "Idempotency-Key": key() },
  });
  const m = { trialId, participantId: mistaken.body.id };
  const reason = "Registered twice by mistake";
  await call("POST /api/v1/trials/{trialId}/participants/{participantId}/void", m, { as: coordinator, body: { version: mistaken.body.version, reason } });
  await call("POST /api/v1/trials/{trialId}/participants/{participantId}/void", m, { as: coordinator, body: { version: mistaken.body.version, reason } });

  // Imports: the template, a preview, the import, a refusal.
  const template = (await call<string>("GET /api/v1/trials/{trialId}/participants/import/template", t, as(coordinator))).body;
  await call("GET /api/v1/trials/{trialId}/participants/import/template", { trialId: "no-such-trial" }, as(coordinator));
  const header = template.replace(/^\uFEFF/, "").split(/\r?\n/)[0]!;
  const site = template.split(/\r?\n/)[1]!.split(",")[0]!;
  const csv = `${header}\n${site},${today},${age()},male,KRAS G12C|detected|NGS_TISSUE\n`;
  const imports = "POST /api/v1/trials/{trialId}/participants/import";
  await call(imports, t, { as: coordinator, csv, query: "?preview=true&filename=contract.csv" });
  await call(imports, t, { as: coordinator, csv, query: "?filename=contract.csv&duplicates=keep" });
  await call(imports, t, { as: coordinator, csv, query: "?filename=contract.csv&duplicates=keep" });

  // Reports, forecasts, vocabulary, matching.
  await call("GET /api/v1/trials/{trialId}/reports/{file}", { trialId, file: "enrolment.csv" }, as(coordinator));
  await call("GET /api/v1/trials/{trialId}/reports/{file}", { trialId, file: "enrolment.xlsx" }, as(sponsor));
  await call("GET /api/v1/trials/{trialId}/reports/{file}", { trialId, file: "participants.csv" }, as(sponsor));
  await call("GET /api/v1/trials/{trialId}/reports/{file}", { trialId, file: "participants.odm.xml" }, as(investigator));
  await call("GET /api/v1/trials/{trialId}/reports/{file}", { trialId, file: "enrolment.csv" }, { as: coordinator, query: "?from=2026-02-30" });
  const live = (await call<{ input: Record<string, unknown> }>("GET /api/v1/trials/{trialId}/forecast", t, as(coordinator))).body;
  await call("GET /api/v1/trials/{trialId}/forecast", { trialId: "no-such-trial" }, as(coordinator));
  await call("POST /api/v1/forecast", {}, { as: coordinator, body: { ...live.input, replicates: 200 } });
  await call("POST /api/v1/forecast", {}, { as: coordinator, body: { ...live.input, replicates: -1 } });
  await call("GET /api/v1/subtypes/resolve", {}, { as: coordinator, query: `?text=${encodeURIComponent("KRAS c.34G>T (p.Gly12Cys)")}` });
  await call("GET /api/v1/subtypes/resolve", {}, { as: coordinator, query: "?text=nothing%20like%20a%20gene" });
  await call("GET /api/v1/subtypes", {}, as(coordinator));
  await call("GET /api/v1/subtypes", {});
  const subtype = { key: `NTRK${Math.floor(Math.random() * 1e6)}:fusion`, category: "STRUCTURAL_VARIATION", label: "A contract test's subtype" };
  await call("POST /api/v1/subtypes", {}, { as: admin, body: subtype });
  await call("POST /api/v1/subtypes", {}, { as: admin, body: subtype });
  await call("POST /api/v1/match", {}, { as: coordinator, body: { results: [{ subtype: "KRAS G12C", result: "detected" }] } });
  await call("POST /api/v1/match", {}, { as: coordinator, body: { results: [{ subtype: "nothing like a gene", result: "detected" }] } });

  // Administration: allocation (the places as they are), the audit trail, its checkpoints, the egress log.
  const allocated = enrolment.byCohort.find((c) => c.places !== null)!;
  const allocation = "PUT /api/v1/trials/{trialId}/cohorts/{cohortId}/allocation";
  const why = { reason: "The contract test sets the places as they are" };
  await call(allocation, { trialId, cohortId: allocated.cohortId }, { as: admin, body: { ...allocated.places, ...why } });
  await call(allocation, { trialId, cohortId: allocated.cohortId }, { as: admin, body: { US: allocated.target + 1, CN: allocated.target, ...why } });
  await call("GET /api/v1/audit", {}, { as: admin, query: "?limit=5" });
  await call("GET /api/v1/audit", {}, { as: admin, query: "?limit=abc" });
  await call("GET /api/v1/audit.csv", {}, { as: admin, query: "?action=participant.register" });
  await call("GET /api/v1/audit.csv", {});
  await call("POST /api/v1/audit/checkpoints", {}, as(admin));
  await call("POST /api/v1/audit/checkpoints", {}, as(coordinator));
  await call("GET /api/v1/audit/checkpoints", {}, as(admin));
  await call("GET /api/v1/audit/checkpoints", {}, as(coordinator));
  await call("GET /api/v1/federation/egress", {}, as(admin));
  await call("GET /api/v1/federation/egress", {}, as(coordinator));
  await call("POST /api/federation/v1/snapshots", {}, { body: { snapshots: ["not.a.jws"] } });
  await call("GET /api/federation/v1/snapshots", {}, { query: "?after=0" });

  // Tokens (for investigators and sponsors), and FHIR with one.
  const created = await call<{ id: string; token: string }>("POST /api/v1/tokens", {}, { as: investigator, body: { name: "contract test" } });
  await call("POST /api/v1/tokens", {}, { as: investigator, body: { name: "" } });
  await call("GET /api/v1/tokens", {}, as(investigator));
  await call("GET /api/v1/tokens", {});
  const bearer = `Bearer ${created.body.token}`;
  const studies = "GET /api/fhir/R4/ResearchStudy";
  await call("GET /api/fhir/R4/metadata", {});
  await call(studies, {}, as(bearer));
  await call(studies, {}, { as: bearer, query: "?colour=blue" });
  await call("GET /api/fhir/R4/ResearchStudy/{id}", { id: trialId }, as(bearer));
  await call("GET /api/fhir/R4/ResearchStudy/{id}", { id: "no-such" }, as(bearer));
  await call("GET /api/fhir/R4/ResearchStudy/{id}/$export", { id: trialId }, as(bearer));
  await call("GET /api/fhir/R4/ResearchStudy/{id}/$export", { id: "no-such" }, as(bearer));
  await call("GET /api/fhir/R4/ResearchSubject", {}, { as: bearer, query: `?study=ResearchStudy/${trialId}&_count=2` });
  await call("GET /api/fhir/R4/ResearchSubject", {}, { as: bearer, query: "?_count=2" });
  await call("GET /api/fhir/R4/ResearchSubject/{id}", { id: registered.body.id }, as(bearer));
  await call("GET /api/fhir/R4/ResearchSubject/{id}", { id: "no-such" }, as(bearer));
  await call("DELETE /api/v1/tokens/{tokenId}", { tokenId: created.body.id }, as(investigator));
  await call("DELETE /api/v1/tokens/{tokenId}", { tokenId: "no-such" }, as(investigator));

  // Every operation answered both ways, but for what cannot be reached here (and each of those still cannot).
  const missing: string[] = [];
  for (const key of operations.keys()) {
    const got = seen.get(key) ?? { success: [], error: [] };
    const out = UNREACHABLE[key] ?? {};
    if (got.success.length === 0 && !out.success) missing.push(`${key}: no success`);
    if (got.error.length === 0 && !out.error) missing.push(`${key}: no error`);
    if (got.success.length > 0 && out.success) missing.push(`${key}: a success, though listed as unreachable`);
  }
  expect([...problems, ...missing]).toEqual([]);
  // The examples in the description hold too.
  for (const [name, schema] of Object.entries(doc.components.schemas))
    for (const example of schema.examples ?? []) expect(validator(`#/components/schemas/${name}`)(example), `${name}'s example`).toBe(true);
});

test("an answer that changes shape no longer matches its schema", async ({ baseURL }) => {
  const { validator } = await loadContract(baseURL!);
  const session = await sessionOf(baseURL!, ACCOUNTS.investigator);
  const trials = (await (await fetch(`${baseURL}/api/v1/trials`, { headers: { cookie: session } })).json()) as { items: { id: string }[] };
  const answer = (await (await fetch(`${baseURL}/api/v1/trials/${trials.items[0]!.id}/enrolment`, { headers: { cookie: session } })).json()) as Record<
    string,
    unknown
  >;
  const valid = validator("#/components/schemas/EnrolmentSummary");
  expect(valid(answer)).toBe(true);
  expect(valid({ ...answer, extra: 1 })).toBe(false); // a field added
  const withoutTarget = { ...answer };
  delete withoutTarget.target;
  expect(valid(withoutTarget)).toBe(false); // a field dropped
  expect(valid({ ...answer, totals: { ...(answer.totals as object), screened: "12" } })).toBe(false); // a type changed
});
