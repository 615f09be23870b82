// The authorization matrix: every page, route handler and server action against every role, with the expected
// outcome. Writes are exercised without writing anything: at the caller's own site they are made invalid (future
// date, missing fields) or stale (old version), so an allowed caller gets 422 or 409 (an action: "invalid" or
// "stale") and a refused one 404, 403 or 401 ("refused", "signin").
// A page, route or action that is not in the table fails the suite.
// Two more callers hold a personal API token (read-only) of the investigator and of the sponsor, and no cookie: the
// JSON API's (and FHIR's) reads answer them as it answers their holder, every write is refused (403), and pages and server
// actions treat a token as nobody signed in (a token is for the API only).
import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Browser } from "@playwright/test";
import { ACCOUNTS, expect, signIn, test } from "./fixtures";

type Role = "anonymous" | "admin" | "coordinatorUs" | "coordinatorCn" | "investigator" | "sponsor";
const ROLES: Role[] = ["anonymous", "admin", "coordinatorUs", "coordinatorCn", "investigator", "sponsor"];
type Expect = Record<Role, number>;

const members = (code: number, anonymous = 401): Expect => ({
  anonymous,
  admin: code,
  coordinatorUs: code,
  coordinatorCn: code,
  investigator: code,
  sponsor: code,
});
const page = (code = 200): Expect => members(code, 307);
const only = (base: Expect, over: Partial<Expect>): Expect => ({ ...base, ...over });

interface Ids {
  trial: string;
  usSite: string;
  usPatient: string;
  cnPatient: string;
  user: string;
}
interface Row {
  route: string; // "GET /trials/[trialId]" as in the file tree
  label?: string;
  path: (ids: Ids) => string;
  body?: (ids: Ids) => { data?: unknown; headers?: Record<string, string> };
  expect: Expect;
}

const FUTURE = "2099-01-01";
const stale = { data: { version: 999, reason: "matrix", ageAtScreening: 60 } };

const ROWS: Row[] = [
  { route: "GET /", path: () => "/", expect: { ...members(307), anonymous: 307 } },
  { route: "GET /login", path: () => "/login", expect: { ...members(307), anonymous: 200 } },
  { route: "GET /api-docs", path: () => "/api-docs", expect: members(200, 200) },
  { route: "GET /trials", path: () => "/trials", expect: page() },
  { route: "GET /trials/[trialId]", path: (i) => `/trials/${i.trial}`, expect: page() },
  { route: "GET /trials/[trialId]", label: "unknown trial", path: () => "/trials/no-such-trial", expect: page(404) },
  { route: "GET /trials/[trialId]/forecast", path: (i) => `/trials/${i.trial}/forecast`, expect: page() },
  { route: "GET /trials/[trialId]/performance", path: (i) => `/trials/${i.trial}/performance`, expect: page() },
  { route: "GET /trials/[trialId]/alerts", path: (i) => `/trials/${i.trial}/alerts`, expect: only(page(404), { admin: 200, investigator: 200 }) },
  { route: "GET /notifications", path: () => "/notifications", expect: page() },
  {
    route: "GET /trials/[trialId]/webhooks",
    path: (i) => `/trials/${i.trial}/webhooks`,
    expect: only(page(404), { admin: 200, investigator: 200, sponsor: 200 }),
  },
  { route: "GET /trials/[trialId]/participants", path: (i) => `/trials/${i.trial}/participants`, expect: page() },
  { route: "GET /trials/[trialId]/participants/new", path: (i) => `/trials/${i.trial}/participants/new`, expect: page() },
  { route: "GET /trials/[trialId]/participants/import", path: (i) => `/trials/${i.trial}/participants/import`, expect: page() },
  {
    route: "GET /trials/[trialId]/participants/[participantId]",
    label: "US patient",
    path: (i) => `/trials/${i.trial}/participants/${i.usPatient}`,
    expect: only(page(404), { coordinatorUs: 200, investigator: 200 }),
  },
  {
    route: "GET /trials/[trialId]/participants/[participantId]",
    label: "Chinese patient",
    path: (i) => `/trials/${i.trial}/participants/${i.cnPatient}`,
    expect: only(page(404), { coordinatorCn: 200, investigator: 200 }),
  },
  { route: "GET /admin/subtypes", path: () => "/admin/subtypes", expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin", path: () => "/admin", expect: only(page(404), { admin: 307 }) },
  { route: "GET /admin/trials", path: () => "/admin/trials", expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/trials/[trialId]", path: (i) => `/admin/trials/${i.trial}`, expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/trials/[trialId]", label: "unknown trial", path: () => "/admin/trials/no-such-trial", expect: page(404) },
  { route: "GET /admin/sites", path: () => "/admin/sites", expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/sites/[siteId]", path: (i) => `/admin/sites/${i.usSite}`, expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/users", path: () => "/admin/users", expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/federation", path: () => "/admin/federation", expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/users/[userId]", path: (i) => `/admin/users/${i.user}`, expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/users/[userId]", label: "unknown user", path: () => "/admin/users/no-such-user", expect: page(404) },
  { route: "GET /account/two-factor", path: () => "/account/two-factor", expect: page() },
  { route: "GET /invite/[token]", label: "unknown link", path: () => "/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", expect: members(200, 200) },
  { route: "GET /account", path: () => "/account", expect: page() },
  { route: "GET /audit", path: () => "/audit", expect: only(page(404), { admin: 200, investigator: 200 }) },
  { route: "GET /account/tokens", path: () => "/account/tokens", expect: page() },

  { route: "GET /api/health", path: () => "/api/health", expect: members(200, 200) },
  // The federation link is for the paired peer node only (this one is not paired: it serves both countries).
  {
    route: "POST /api/federation/v1/snapshots",
    path: () => "/api/federation/v1/snapshots",
    body: () => ({ data: { snapshots: ["not.a.snapshot"] } }),
    expect: members(404, 404),
  },
  { route: "GET /api/federation/v1/snapshots", path: () => "/api/federation/v1/snapshots?after=0", expect: members(401, 401) },
  { route: "GET /api/auth/[...nextauth]", path: () => "/api/auth/csrf", expect: members(200, 200) },
  {
    route: "POST /api/auth/[...nextauth]",
    label: "malformed sign-in",
    path: () => "/api/auth/callback/credentials",
    body: () => ({ data: { email: 1 } }),
    expect: members(400, 400),
  },
  { route: "GET /api/v1/openapi.json", path: () => "/api/v1/openapi.json", expect: members(200, 200) },
  { route: "GET /api/v1/trials", path: () => "/api/v1/trials", expect: members(200) },
  { route: "GET /api/v1/trials/[trialId]/enrolment", path: (i) => `/api/v1/trials/${i.trial}/enrolment`, expect: members(200) },
  { route: "GET /api/v1/trials/[trialId]/enrolment", label: "unknown trial", path: () => "/api/v1/trials/no-such-trial/enrolment", expect: members(404) },
  { route: "GET /api/v1/trials/[trialId]/events", path: (i) => `/api/v1/trials/${i.trial}/events`, expect: members(200) },
  { route: "GET /api/v1/trials/[trialId]/forecast", path: (i) => `/api/v1/trials/${i.trial}/forecast`, expect: members(200) },
  {
    route: "GET /api/v1/trials/[trialId]/alert-rules",
    path: (i) => `/api/v1/trials/${i.trial}/alert-rules`,
    expect: only(members(403), { admin: 200, investigator: 200 }),
  },
  {
    route: "POST /api/v1/trials/[trialId]/alert-rules",
    label: "not a rules file",
    path: (i) => `/api/v1/trials/${i.trial}/alert-rules`,
    body: () => ({ data: { format: "other" } }),
    expect: only(members(403), { admin: 422, investigator: 422 }),
  },
  { route: "GET /api/v1/notifications/events", path: () => "/api/v1/notifications/events", expect: members(200) },
  { route: "GET /api/v1/trials/[trialId]/site-performance", path: (i) => `/api/v1/trials/${i.trial}/site-performance`, expect: members(200) },
  { route: "GET /api/v1/trials/[trialId]/participants", path: (i) => `/api/v1/trials/${i.trial}/participants`, expect: members(200) },
  {
    route: "POST /api/v1/trials/[trialId]/participants",
    label: "at the US site, future date",
    path: (i) => `/api/v1/trials/${i.trial}/participants`,
    body: (i) => ({
      headers: { "Idempotency-Key": `matrix-${Math.random().toString(36).slice(2)}` },
      data: { siteId: i.usSite, screeningDate: FUTURE, ageAtScreening: 60, sex: "male", results: [{ subtype: "G12C", result: "detected", method: "PCR" }] },
    }),
    expect: only(members(404), { coordinatorUs: 422 }),
  },
  {
    route: "GET /api/v1/trials/[trialId]/participants/import/template",
    path: (i) => `/api/v1/trials/${i.trial}/participants/import/template`,
    expect: members(200),
  },
  {
    route: "POST /api/v1/trials/[trialId]/participants/import",
    label: "a preview of a future-dated row (nothing written: its problems are the answer)",
    path: (i) => `/api/v1/trials/${i.trial}/participants/import?preview=true`,
    body: () => ({
      headers: { "content-type": "text/csv" },
      data: `site,screeningDate,ageAtScreening,sex,results\nUS-BOS1,${FUTURE},60,male,"G12C|detected|PCR"\n`,
    }),
    expect: members(200),
  },
  {
    route: "POST /api/v1/trials/[trialId]/participants/import",
    label: "a future-dated row",
    path: (i) => `/api/v1/trials/${i.trial}/participants/import`,
    body: () => ({
      headers: { "content-type": "text/csv" },
      data: `site,screeningDate,ageAtScreening,sex,results\nUS-BOS1,${FUTURE},60,male,"G12C|detected|PCR"\n`,
    }),
    expect: members(422),
  },
  { route: "GET /api/fhir/R4/metadata", path: () => "/api/fhir/R4/metadata", expect: members(200, 200) },
  { route: "GET /api/fhir/R4/ResearchStudy", path: () => "/api/fhir/R4/ResearchStudy", expect: members(200) },
  { route: "GET /api/fhir/R4/ResearchStudy/[id]", path: (i) => `/api/fhir/R4/ResearchStudy/${i.trial}`, expect: members(200) },
  { route: "GET /api/fhir/R4/ResearchStudy/[id]", label: "unknown study", path: () => "/api/fhir/R4/ResearchStudy/no-such-trial", expect: members(404) },
  { route: "GET /api/fhir/R4/ResearchStudy/[id]/$export", path: (i) => `/api/fhir/R4/ResearchStudy/${i.trial}/$export`, expect: members(200) },
  // Everyone in the trial may search its subjects; a sponsor's answer is an empty Bundle (tests/e2e/fhir.spec.ts).
  { route: "GET /api/fhir/R4/ResearchSubject", path: (i) => `/api/fhir/R4/ResearchSubject?study=ResearchStudy/${i.trial}`, expect: members(200) },
  {
    route: "GET /api/fhir/R4/ResearchSubject/[id]",
    label: "Chinese patient",
    path: (i) => `/api/fhir/R4/ResearchSubject/${i.cnPatient}`,
    expect: only(members(404), { coordinatorCn: 200, investigator: 200 }),
  },
  {
    route: "GET /api/v1/trials/[trialId]/participants/[participantId]",
    label: "US patient",
    path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}`,
    expect: only(members(404), { coordinatorUs: 200, investigator: 200 }),
  },
  {
    route: "GET /api/v1/trials/[trialId]/participants/[participantId]",
    label: "Chinese patient",
    path: (i) => `/api/v1/trials/${i.trial}/participants/${i.cnPatient}`,
    expect: only(members(404), { coordinatorCn: 200, investigator: 200 }),
  },
  {
    route: "PATCH /api/v1/trials/[trialId]/participants/[participantId]",
    label: "US patient, stale",
    path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}`,
    body: () => stale,
    expect: only(members(404), { coordinatorUs: 409 }),
  },
  {
    route: "POST /api/v1/trials/[trialId]/participants/[participantId]/transitions",
    label: "US patient, stale",
    path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}/transitions`,
    body: () => ({ data: { to: "ELIGIBLE", date: "2026-01-01", version: 999 } }),
    expect: only(members(404), { coordinatorUs: 409, investigator: 409 }),
  },
  {
    route: "POST /api/v1/trials/[trialId]/participants/[participantId]/void",
    label: "US patient, stale",
    path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}/void`,
    body: () => ({ data: { version: 999, reason: "matrix" } }),
    expect: only(members(404), { coordinatorUs: 409 }),
  },
  {
    route: "POST /api/v1/trials/[trialId]/participants/[participantId]/place",
    label: "US patient, unknown cohort",
    path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}/place`,
    body: () => ({ data: { cohortId: "no-such-cohort" } }),
    expect: only(members(404), { coordinatorUs: 422, investigator: 422 }),
  },
  {
    route: "DELETE /api/v1/trials/[trialId]/participants/[participantId]/place",
    label: "US patient, unknown cohort",
    path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}/place?cohortId=no-such-cohort`,
    expect: only(members(404), { coordinatorUs: 422, investigator: 422 }),
  },
  {
    route: "GET /api/v1/trials/[trialId]/participants/[participantId]/audit",
    label: "US patient",
    path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}/audit`,
    expect: only(members(404), { coordinatorUs: 200, investigator: 200 }),
  },
  {
    route: "GET /api/v1/trials/[trialId]/reports/[file]",
    label: "enrolment.csv",
    path: (i) => `/api/v1/trials/${i.trial}/reports/enrolment.csv`,
    expect: members(200),
  },
  {
    route: "GET /api/v1/trials/[trialId]/reports/[file]",
    label: "participants.csv",
    path: (i) => `/api/v1/trials/${i.trial}/reports/participants.csv`,
    expect: only(members(403), { investigator: 200 }),
  },
  {
    route: "GET /api/v1/trials/[trialId]/reports/[file]",
    label: "participants.odm.xml",
    path: (i) => `/api/v1/trials/${i.trial}/reports/participants.odm.xml`,
    expect: only(members(403), { investigator: 200 }),
  },
  { route: "POST /api/v1/forecast", label: "empty scenario", path: () => "/api/v1/forecast", body: () => ({ data: {} }), expect: members(422) },
  { route: "GET /api/v1/subtypes", path: () => "/api/v1/subtypes", expect: members(200) },
  { route: "GET /api/v1/audit", path: () => "/api/v1/audit?limit=5", expect: only(members(404), { admin: 200, investigator: 200 }) },
  { route: "GET /api/v1/audit.csv", path: () => "/api/v1/audit.csv?action=participant.correct", expect: only(members(404), { admin: 200, investigator: 200 }) },
  {
    route: "PUT /api/v1/trials/[trialId]/cohorts/[cohortId]/allocation",
    label: "unknown cohort",
    path: (i) => `/api/v1/trials/${i.trial}/cohorts/no-such-cohort/allocation`,
    body: () => ({ data: { US: 1, CN: 1, reason: "matrix" } }),
    expect: only(members(403), { admin: 404 }),
  },
  { route: "GET /match", path: () => "/match", expect: page() },
  { route: "POST /api/v1/match", label: "empty", path: () => "/api/v1/match", body: () => ({ data: {} }), expect: members(422) },
  { route: "GET /api/v1/subtypes/resolve", path: () => "/api/v1/subtypes/resolve?text=KRAS%20c.34G%3ET%20(p.Gly12Cys)", expect: members(200) },
  { route: "GET /api/v1/federation/egress", path: () => "/api/v1/federation/egress", expect: only(members(403), { admin: 200 }) },
  { route: "GET /api/v1/audit/checkpoints", path: () => "/api/v1/audit/checkpoints?limit=1", expect: only(members(403), { admin: 200 }) },
  { route: "POST /api/v1/audit/checkpoints", path: () => "/api/v1/audit/checkpoints", body: () => ({ data: {} }), expect: only(members(403), { admin: 201 }) },
  { route: "POST /api/v1/subtypes", label: "empty", path: () => "/api/v1/subtypes", body: () => ({ data: {} }), expect: only(members(403), { admin: 422 }) },
  { route: "GET /api/v1/tokens", path: () => "/api/v1/tokens", expect: members(200) },
  {
    route: "POST /api/v1/tokens",
    label: "empty",
    path: () => "/api/v1/tokens",
    body: () => ({ data: {} }),
    expect: only(members(403), { investigator: 422, sponsor: 422, admin: 422 }), // an administrator may have an auditor's token
  },
  { route: "DELETE /api/v1/tokens/[tokenId]", label: "unknown token", path: () => "/api/v1/tokens/no-such-token", expect: members(404) },

  // Requests that try to slip past the proxy (CVE-2025-29927's header): every page and handler checks access itself.
  ...(["proxy:proxy:proxy:proxy:proxy", "middleware:middleware:middleware:middleware:middleware", "src/middleware"] as const).flatMap((header): Row[] => [
    {
      route: "GET /admin/users",
      label: `x-middleware-subrequest: ${header}`,
      path: () => "/admin/users",
      body: () => ({ headers: { "x-middleware-subrequest": header } }),
      expect: only(page(404), { admin: 200 }),
    },
    {
      route: "GET /trials/[trialId]/participants/[participantId]",
      label: `x-middleware-subrequest: ${header}`,
      path: (i) => `/trials/${i.trial}/participants/${i.cnPatient}`,
      body: () => ({ headers: { "x-middleware-subrequest": header } }),
      expect: only(page(404), { coordinatorCn: 200, investigator: 200 }),
    },
    {
      route: "GET /api/v1/audit",
      label: `x-middleware-subrequest: ${header}`,
      path: () => "/api/v1/audit?limit=1",
      body: () => ({ headers: { "x-middleware-subrequest": header } }),
      expect: only(members(404), { admin: 200, investigator: 200 }),
    },
  ]),
];

/**
 * Server actions, called over HTTP as the browser calls them (the `Next-Action` header with the id from the build's
 * manifest), with bound arguments and form fields of the tester's choosing, as an attacker could. The outcome is read
 * from the action's returned state: "signin" (sent to sign in), "refused" (not found / not theirs), "invalid"
 * (allowed, refused by validation), "stale" (allowed, refused by the version check), "done" (ran, nothing to report).
 */
type Outcome = "signin" | "refused" | "invalid" | "stale" | "done";
const outcomes = (signedIn: Outcome, over: Partial<Record<Role, Outcome>> = {}, anonymous: Outcome = "signin"): Record<Role, Outcome> => ({
  anonymous,
  admin: signedIn,
  coordinatorUs: signedIn,
  coordinatorCn: signedIn,
  investigator: signedIn,
  sponsor: signedIn,
  ...over,
});
interface ActionRow {
  page: (i: Ids) => string;
  bound?: (i: Ids) => unknown[];
  fields?: Record<string, string>;
  withoutState?: boolean;
  expect: Record<Role, Outcome>;
}
const adminAction = (page: (i: Ids) => string, bound?: (i: Ids) => unknown[]): ActionRow => ({
  page,
  ...(bound ? { bound } : {}),
  expect: outcomes("refused", { admin: "invalid" }),
});
const UNKNOWN_LINK = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const patientPage = (i: Ids) => `/trials/${i.trial}/participants/${i.usPatient}`;

const ACTIONS: Record<string, ActionRow | { notCalled: string }> = {
  "app/actions.ts#switchLocale": { page: () => "/api-docs", withoutState: true, fields: { locale: "xx" }, expect: outcomes("done", {}, "done") },
  "app/trials/[trialId]/participants/actions.ts#registerAction": {
    page: (i) => `/trials/${i.trial}/participants/new`,
    bound: (i) => [i.trial],
    fields: {
      siteId: "$usSite",
      screeningDate: FUTURE,
      ageAtScreening: "60",
      sex: "male",
      "results.0.subtype": "G12C",
      "results.0.result": "detected",
      "results.0.method": "PCR",
    },
    expect: outcomes("refused", { coordinatorUs: "invalid" }),
  },
  "app/trials/[trialId]/participants/actions.ts#transitionAction": {
    page: patientPage,
    bound: (i) => [i.trial, i.usPatient],
    fields: { to: "ELIGIBLE", date: "2026-01-01", version: "999" },
    expect: outcomes("refused", { coordinatorUs: "stale", investigator: "stale" }),
  },
  "app/trials/[trialId]/participants/actions.ts#correctAction": {
    page: patientPage,
    bound: (i) => [i.trial, i.usPatient],
    fields: { version: "999", reason: "matrix", ageAtScreening: "60" },
    expect: outcomes("refused", { coordinatorUs: "stale" }),
  },
  "app/trials/[trialId]/participants/actions.ts#voidAction": {
    page: patientPage,
    bound: (i) => [i.trial, i.usPatient],
    fields: { version: "999", reason: "matrix" },
    expect: outcomes("refused", { coordinatorUs: "stale" }),
  },
  "app/trials/[trialId]/participants/actions.ts#holdPlaceAction": {
    page: patientPage,
    bound: (i) => [i.trial, i.usPatient, "no-such-cohort"],
    expect: outcomes("refused", { coordinatorUs: "invalid", investigator: "invalid" }),
  },
  "app/trials/[trialId]/participants/actions.ts#releasePlaceAction": {
    page: patientPage,
    bound: (i) => [i.trial, i.usPatient, "no-such-cohort"],
    expect: outcomes("refused", { coordinatorUs: "invalid", investigator: "invalid" }),
  },
  "app/admin/subtypes/actions.ts#addSubtypeAction": adminAction(() => "/admin/subtypes"),
  "app/trials/[trialId]/alerts/actions.ts#createAlertRuleAction": {
    page: (i) => `/trials/${i.trial}/alerts`,
    bound: (i) => [i.trial],
    fields: { kind: "COHORT_PERCENT" },
    expect: outcomes("refused", { admin: "invalid", investigator: "invalid" }),
  },
  "app/trials/[trialId]/alerts/actions.ts#disableAlertRuleAction": {
    page: (i) => `/trials/${i.trial}/alerts`,
    bound: (i) => [i.trial, "no-such-rule"],
    expect: outcomes("refused"),
  },
  "app/notifications/actions.ts#markAllReadAction": { page: () => "/notifications", fields: { upTo: "0" }, expect: outcomes("done") },
  "app/notifications/actions.ts#setDigestAction": {
    page: () => "/notifications",
    fields: { digest: "HOURLY", timeZone: "UTC" },
    expect: outcomes("invalid"),
  },
  // Enqueues the caller's own digest; its answer is a message ("on its way"), which reads as "refused" here.
  "app/notifications/actions.ts#sendDigestNowAction": { page: () => "/notifications", expect: outcomes("refused") },
  "app/trials/[trialId]/alerts/actions.ts#importAlertRulesAction": {
    page: (i) => `/trials/${i.trial}/alerts`,
    bound: (i) => [i.trial],
    fields: { file: '{"format":"other"}' },
    expect: outcomes("refused", { admin: "invalid", investigator: "invalid" }),
  },
  "app/trials/[trialId]/webhooks/actions.ts#createWebhookAction": {
    page: (i) => `/trials/${i.trial}/webhooks`,
    bound: (i) => [i.trial],
    fields: { url: "not a url" },
    expect: outcomes("refused", { admin: "invalid", investigator: "invalid", sponsor: "invalid" }),
  },
  "app/trials/[trialId]/webhooks/actions.ts#setWebhookEnabledAction": {
    page: (i) => `/trials/${i.trial}/webhooks`,
    bound: (i) => [i.trial, "no-such-endpoint", true],
    expect: outcomes("refused"),
  },
  "app/trials/[trialId]/webhooks/actions.ts#replayDeliveryAction": {
    page: (i) => `/trials/${i.trial}/webhooks`,
    bound: (i) => [i.trial, "no-such-delivery"],
    expect: outcomes("refused"),
  },
  "app/account/actions.ts#changePasswordAction": {
    page: () => "/account",
    fields: { current: "not-the-password", next: "another long passphrase" },
    expect: outcomes("invalid"),
  },
  "app/account/actions.ts#signOutEverywhereAction": {
    notCalled: "it ends every session of the caller, the other tests' included; sessions.spec.ts signs out everywhere in the browser",
  },
  "app/account/tokens/actions.ts#createTokenAction": {
    page: () => "/account/tokens",
    fields: { name: "" },
    expect: outcomes("refused", { investigator: "invalid", sponsor: "invalid", admin: "invalid" }),
  },
  "app/account/tokens/actions.ts#revokeTokenAction": {
    page: () => "/account/tokens",
    withoutState: true,
    fields: { id: "no-such-token" },
    expect: outcomes("done"),
  },
  // Stores a new, unconfirmed key: sign-in is unchanged until a code from it is confirmed.
  "app/account/two-factor/actions.ts#beginTotpAction": { page: () => "/account/two-factor", expect: outcomes("done") },
  "app/account/two-factor/actions.ts#confirmTotpAction": { page: () => "/account/two-factor", fields: { code: "abc" }, expect: outcomes("invalid") },
  "app/account/two-factor/actions.ts#disableTotpAction": {
    page: () => "/account/two-factor",
    fields: { password: "not-the-password" },
    expect: outcomes("invalid"),
  },
  "app/invite/[token]/actions.ts#acceptInviteAction": {
    page: () => `/invite/${UNKNOWN_LINK}`,
    bound: () => [UNKNOWN_LINK],
    fields: { password: "a long passphrase", confirm: "a long passphrase" },
    expect: outcomes("refused", {}, "refused"),
  },
  "app/admin/actions.ts#createTrialAction": adminAction(() => "/admin/trials"),
  "app/admin/actions.ts#updateTrialAction": adminAction(
    (i) => `/admin/trials/${i.trial}`,
    (i) => [i.trial],
  ),
  "app/admin/actions.ts#createCohortAction": adminAction(
    (i) => `/admin/trials/${i.trial}`,
    (i) => [i.trial],
  ),
  "app/admin/actions.ts#updateCohortAction": adminAction(
    (i) => `/admin/trials/${i.trial}`,
    (i) => [i.trial, "no-such-cohort"],
  ),
  "app/admin/actions.ts#cohortCriteriaAction": adminAction(
    (i) => `/admin/trials/${i.trial}`,
    (i) => [i.trial, "no-such-cohort"],
  ),
  "app/admin/actions.ts#addTrialSiteAction": adminAction(
    (i) => `/admin/trials/${i.trial}`,
    (i) => [i.trial],
  ),
  "app/admin/actions.ts#updateTrialSiteAction": adminAction(
    (i) => `/admin/trials/${i.trial}`,
    (i) => [i.trial, "no-such-trial-site"],
  ),
  "app/admin/actions.ts#createSiteAction": adminAction(() => "/admin/sites"),
  "app/admin/actions.ts#setAllocationAction": adminAction(
    (i) => `/admin/trials/${i.trial}`,
    (i) => [i.trial, "no-such-cohort"],
  ),
  "app/admin/actions.ts#pairPeerAction": adminAction(() => "/admin/federation"),
  "app/admin/actions.ts#setExportPausedAction": adminAction(
    () => "/admin/federation",
    () => [true],
  ),
  "app/admin/actions.ts#setExportPolicyAction": adminAction(() => "/admin/federation"),
  "app/admin/actions.ts#updateSiteAction": adminAction(
    (i) => `/admin/sites/${i.usSite}`,
    (i) => [i.usSite],
  ),
  "app/admin/actions.ts#inviteUserAction": adminAction(() => "/admin/users"),
  "app/admin/actions.ts#reissueLinkAction": adminAction(
    (i) => `/admin/users/${i.user}`,
    (i) => [i.user],
  ),
  "app/admin/actions.ts#updateUserAction": adminAction(
    (i) => `/admin/users/${i.user}`,
    (i) => [i.user],
  ),
  "app/admin/actions.ts#setUserActiveAction": adminAction(
    (i) => `/admin/users/${i.user}`,
    (i) => [i.user, false],
  ),
  "app/admin/actions.ts#resetSecondFactorAction": adminAction(
    (i) => `/admin/users/${i.user}`,
    (i) => [i.user],
  ),
  "app/admin/actions.ts#grantMembershipAction": adminAction(
    (i) => `/admin/users/${i.user}`,
    (i) => [i.user],
  ),
  "app/admin/actions.ts#revokeMembershipAction": adminAction(
    (i) => `/admin/users/${i.user}`,
    () => ["no-such-membership"],
  ),
};

/** The action ids of the production build, by "file#export". */
function actionIds(): Map<string, string> {
  const manifest = JSON.parse(fs.readFileSync(".next/server/server-reference-manifest.json", "utf8")) as {
    node: Record<string, { filename?: string; exportedName?: string }>;
  };
  return new Map(Object.entries(manifest.node).map(([id, a]) => [`${a.filename}#${a.exportedName}`, id]));
}

/** What an action's answer amounts to (its returned state is the RSC payload's row 1). */
function outcomeOf(status: number, text: string): Outcome | string {
  if (status === 307 || status === 303) return "signin";
  if (status !== 200) return `HTTP ${status}`;
  const row = /^1:(.*)$/m.exec(text)?.[1];
  const state = row ? (JSON.parse(row) as { message?: string; fieldErrors?: Record<string, string[]> | string; ok?: boolean } | string) : undefined;
  if (!state || typeof state !== "object" || !state.message) return "done";
  if (typeof state.fieldErrors === "object" || /need attention|not valid|部分数值需要修改/.test(state.message)) return "invalid";
  if (/Someone else changed/.test(state.message)) return "stale";
  return "refused";
}

function routesInApp() {
  const pages: string[] = [];
  const handlers: string[] = [];
  const actions: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      const route = "/" + path.relative("app", dir).split(path.sep).filter(Boolean).join("/");
      const source = entry.isFile() ? fs.readFileSync(full, "utf8") : "";
      if (entry.name === "page.tsx") pages.push(`GET ${route === "/" ? "/" : route}`);
      if (entry.name === "route.ts")
        for (const m of source.matchAll(/export (?:const|async function|function|\{[^}]*as) ?(GET|POST|PATCH|PUT|DELETE)\b/g))
          handlers.push(`${m[1]} ${route}`);
      if (entry.name.endsWith(".ts") && /^"use server";/.test(source))
        for (const m of source.matchAll(/export async function (\w+)/g)) actions.push(`${path.relative(".", full)}#${m[1]}`);
    }
  };
  walk("app");
  return { pages, handlers: [...new Set(handlers)], actions };
}

test("every page, route handler and server action is in the authorization matrix", () => {
  const { pages, handlers, actions } = routesInApp();
  const inTable = new Set(ROWS.map((r) => r.route));
  expect(
    [...pages, ...handlers].filter((r) => !inTable.has(r)),
    "missing from ROWS",
  ).toEqual([]);
  expect(actions.filter((a) => !(a in ACTIONS)).sort(), "missing from ACTIONS").toEqual([]);
  expect(
    actions.filter((a) => !actionIds().has(a)),
    "actions missing from the build's manifest",
  ).toEqual([]);
  expect(
    Object.keys(ACTIONS).filter((a) => !actions.includes(a)),
    "ACTIONS that no longer exist",
  ).toEqual([]);
});

type TokenRole = "investigatorToken" | "sponsorToken";
type Caller = Role | TokenRole;
const TOKEN_ROLES: Record<TokenRole, Role> = { investigatorToken: "investigator", sponsorToken: "sponsor" };
const CALLERS: Caller[] = [...ROLES, ...(Object.keys(TOKEN_ROLES) as TokenRole[])];

/** What a token holder gets: the API's reads as their holder, its writes refused, pages as nobody signed in. */
function expected(row: Row, caller: Caller): number {
  if (!(caller in TOKEN_ROLES)) return row.expect[caller as Role];
  const [method, route] = row.route.split(" ") as [string, string];
  // The federation link's handler refuses a user's token on a write as every API write does; a poll is the peer's.
  if (route.startsWith("/api/federation/")) return method === "GET" ? row.expect.anonymous : 403;
  if (!route.startsWith("/api/v1/") && !route.startsWith("/api/fhir/")) return row.expect.anonymous;
  return method === "GET" ? row.expect[TOKEN_ROLES[caller as TokenRole]] : 403;
}

/** A browser context signed in as the role (or nobody). */
async function signedIn(browser: Browser, role: Role) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (role !== "anonymous") await signIn(page, ACCOUNTS[role]);
  return { context, page };
}

async function contexts(browser: Browser) {
  const out = {} as Record<Caller, APIRequestContext>;
  const headers = {} as Record<Caller, Record<string, string>>;
  for (const role of ROLES) {
    const { context } = await signedIn(browser, role);
    out[role] = context.request;
    headers[role] = { cookie: (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ") };
  }
  for (const [caller, holder] of Object.entries(TOKEN_ROLES) as [TokenRole, Role][]) {
    const created = await out[holder].post("/api/v1/tokens", { data: { name: `matrix ${caller}`, expiresInDays: 1 } });
    expect(created.status(), `token for ${holder}`).toBe(201);
    const { token } = (await created.json()) as { token: string };
    headers[caller] = { authorization: `Bearer ${token}` };
    out[caller] = (await browser.newContext({ extraHTTPHeaders: headers[caller] })).request;
  }
  return { out, headers };
}

/** The demo's records the table's paths name, looked up through the API as an investigator and an administrator. */
async function idsFor(investigator: APIRequestContext, admin: APIRequestContext): Promise<Ids> {
  const trials = (await (await investigator.get("/api/v1/trials")).json()) as { items: { id: string; code: string }[] };
  const trial = trials.items.find((t) => t.code === "TB-201")!.id;
  const enrolment = (await (await investigator.get(`/api/v1/trials/${trial}/enrolment`)).json()) as { bySite: { siteId: string; code: string }[] };
  const site = (code: string) => enrolment.bySite.find((s) => s.code === code)!.siteId;
  const first = async (siteId: string) =>
    ((await (await investigator.get(`/api/v1/trials/${trial}/participants?siteId=${siteId}&limit=1`)).json()) as { items: { id: string }[] }).items[0]!.id;
  const user = /href="\/admin\/users\/([^"]+)"/.exec(await (await admin.get("/admin/users")).text())![1]!;
  return { trial, usSite: site("US-BOS1"), usPatient: await first(site("US-BOS1")), cnPatient: await first(site("CN-GZ1")), user };
}

test("every role gets exactly the expected answer from every page and route", async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const { out: as, headers } = await contexts(browser);
  const ids = await idsFor(as.investigator, as.admin);

  const mismatches: string[] = [];
  for (const row of ROWS) {
    const [method] = row.route.split(" ") as [string];
    for (const role of CALLERS) {
      let status: number;
      if (row.route.endsWith("/events")) {
        // A stream: read the status, then hang up.
        const controller = new AbortController();
        const response = await fetch(`${baseURL}${row.path(ids)}`, { headers: headers[role], signal: controller.signal });
        status = response.status;
        controller.abort();
      } else {
        const body = row.body?.(ids);
        const response = await as[role].fetch(row.path(ids), {
          method,
          maxRedirects: 0,
          ...(body?.headers ? { headers: body.headers } : {}),
          ...(body?.data !== undefined ? { data: body.data } : {}),
        });
        status = response.status();
      }
      if (status !== expected(row, role))
        mismatches.push(`${row.route}${row.label ? ` (${row.label})` : ""} as ${role}: expected ${expected(row, role)}, got ${status}`);
    }
  }

  const idOf = actionIds();
  for (const [name, row] of Object.entries(ACTIONS)) {
    if ("notCalled" in row) continue;
    const args = [...(row.bound?.(ids) ?? []), ...(row.withoutState ? [] : [{}]), "$K1"];
    for (const role of CALLERS) {
      // React's reply encoding: the form's fields as part 1 ("_1_" + name), then the argument list ("0") last.
      const body = new FormData();
      for (const [k, v] of Object.entries(row.fields ?? {})) body.append(`_1_${k}`, v === "$usSite" ? ids.usSite : v);
      body.append("0", JSON.stringify(args));
      const response = await as[role].fetch(row.page(ids), {
        method: "POST",
        maxRedirects: 0,
        headers: { "Next-Action": idOf.get(name)!, accept: "text/x-component", origin: baseURL! },
        multipart: body,
      });
      const text = await response.text();
      const got = outcomeOf(response.status(), text);
      const want = role in TOKEN_ROLES ? row.expect.anonymous : row.expect[role as Role]; // a token signs nobody in here
      if (got !== want) mismatches.push(`action ${name} as ${role}: expected ${want}, got ${got} (${/^1:(.*)$/m.exec(text)?.[1]?.slice(0, 200)})`);
    }
  }
  expect(mismatches).toEqual([]);
});

// Accessibility: every page of the table that a role may open (200), scanned by axe against WCAG 2.1 A and AA, one
// test a role so the two workers share them. A new page is scanned as soon as it is in the table. The Chinese
// coordinator reads in Chinese, so both languages are scanned.
for (const role of ROLES) {
  test(`axe finds no WCAG 2.1 A/AA violation on any page ${role} may open`, async ({ browser }) => {
    test.setTimeout(180_000);
    const { page } = await signedIn(browser, role);
    const ids = await idsFor((await signedIn(browser, "investigator")).context.request, (await signedIn(browser, "admin")).context.request);
    const pages = [
      ...new Set(
        ROWS.filter((r) => !r.route.startsWith("GET /api/") && r.route.startsWith("GET ") && !r.body && r.expect[role] === 200).map((r) => r.path(ids)),
      ),
    ];
    expect(pages.length, "pages scanned").toBeGreaterThan(role === "anonymous" ? 1 : 8);
    const found: string[] = [];
    for (const path of pages) {
      await page.goto(path, { waitUntil: "load" });
      const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      for (const v of violations)
        found.push(
          `${path}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes
            .map((n) => n.target.join(" "))
            .slice(0, 3)
            .join(", ")}`,
        );
    }
    expect(found).toEqual([]);
  });
}
