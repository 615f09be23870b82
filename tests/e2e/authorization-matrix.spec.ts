// The authorization matrix: every page, route handler and server action against every role, with the expected
// outcome. Writes are exercised without writing anything: at the caller's own site they are made invalid (future
// date) or stale (old version), so an allowed caller gets 422 or 409 and a refused one 404, 403 or 401.
// A page, route or action that is not in the table fails the suite.
import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext, Browser } from "@playwright/test";
import { ACCOUNTS, expect, signIn, test } from "./fixtures";

type Role = "anonymous" | "admin" | "coordinatorUs" | "coordinatorCn" | "investigator" | "sponsor";
const ROLES: Role[] = ["anonymous", "admin", "coordinatorUs", "coordinatorCn", "investigator", "sponsor"];
type Expect = Record<Role, number>;

const members = (code: number, anonymous = 401): Expect => ({ anonymous, admin: code, coordinatorUs: code, coordinatorCn: code, investigator: code, sponsor: code });
const page = (code = 200): Expect => members(code, 307);
const only = (base: Expect, over: Partial<Expect>): Expect => ({ ...base, ...over });

interface Ids { trial: string; usSite: string; usPatient: string; cnPatient: string; user: string }
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
  { route: "GET /trials/[trialId]/participants", path: (i) => `/trials/${i.trial}/participants`, expect: page() },
  { route: "GET /trials/[trialId]/participants/new", path: (i) => `/trials/${i.trial}/participants/new`, expect: page() },
  { route: "GET /trials/[trialId]/participants/import", path: (i) => `/trials/${i.trial}/participants/import`, expect: page() },
  { route: "GET /trials/[trialId]/participants/[participantId]", label: "US patient", path: (i) => `/trials/${i.trial}/participants/${i.usPatient}`, expect: only(page(404), { coordinatorUs: 200, investigator: 200 }) },
  { route: "GET /trials/[trialId]/participants/[participantId]", label: "Chinese patient", path: (i) => `/trials/${i.trial}/participants/${i.cnPatient}`, expect: only(page(404), { coordinatorCn: 200, investigator: 200 }) },
  { route: "GET /admin/subtypes", path: () => "/admin/subtypes", expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin", path: () => "/admin", expect: only(page(404), { admin: 307 }) },
  { route: "GET /admin/trials", path: () => "/admin/trials", expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/trials/[trialId]", path: (i) => `/admin/trials/${i.trial}`, expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/trials/[trialId]", label: "unknown trial", path: () => "/admin/trials/no-such-trial", expect: page(404) },
  { route: "GET /admin/sites", path: () => "/admin/sites", expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/sites/[siteId]", path: (i) => `/admin/sites/${i.usSite}`, expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/users", path: () => "/admin/users", expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/users/[userId]", path: (i) => `/admin/users/${i.user}`, expect: only(page(404), { admin: 200 }) },
  { route: "GET /admin/users/[userId]", label: "unknown user", path: () => "/admin/users/no-such-user", expect: page(404) },
  { route: "GET /account/two-factor", path: () => "/account/two-factor", expect: page() },
  { route: "GET /invite/[token]", label: "unknown link", path: () => "/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", expect: members(200, 200) },
  { route: "GET /account", path: () => "/account", expect: page() },
  { route: "GET /audit", path: () => "/audit", expect: only(page(404), { admin: 200, investigator: 200 }) },
  { route: "GET /account/tokens", path: () => "/account/tokens", expect: page() },

  { route: "GET /api/health", path: () => "/api/health", expect: members(200, 200) },
  { route: "GET /api/auth/[...nextauth]", path: () => "/api/auth/csrf", expect: members(200, 200) },
  { route: "POST /api/auth/[...nextauth]", label: "malformed sign-in", path: () => "/api/auth/callback/credentials", body: () => ({ data: { email: 1 } }), expect: members(400, 400) },
  { route: "GET /api/v1/openapi.json", path: () => "/api/v1/openapi.json", expect: members(200, 200) },
  { route: "GET /api/v1/trials", path: () => "/api/v1/trials", expect: members(200) },
  { route: "GET /api/v1/trials/[trialId]/enrolment", path: (i) => `/api/v1/trials/${i.trial}/enrolment`, expect: members(200) },
  { route: "GET /api/v1/trials/[trialId]/enrolment", label: "unknown trial", path: () => "/api/v1/trials/no-such-trial/enrolment", expect: members(404) },
  { route: "GET /api/v1/trials/[trialId]/events", path: (i) => `/api/v1/trials/${i.trial}/events`, expect: members(200) },
  { route: "GET /api/v1/trials/[trialId]/forecast", path: (i) => `/api/v1/trials/${i.trial}/forecast`, expect: members(200) },
  { route: "GET /api/v1/trials/[trialId]/participants", path: (i) => `/api/v1/trials/${i.trial}/participants`, expect: members(200) },
  { route: "POST /api/v1/trials/[trialId]/participants", label: "at the US site, future date", path: (i) => `/api/v1/trials/${i.trial}/participants`,
    body: (i) => ({ headers: { "Idempotency-Key": `matrix-${Math.random().toString(36).slice(2)}` }, data: { siteId: i.usSite, screeningDate: FUTURE, ageAtScreening: 60, sex: "male", results: [{ subtype: "G12C", result: "detected", method: "PCR" }] } }),
    expect: only(members(404), { coordinatorUs: 422 }) },
  { route: "POST /api/v1/trials/[trialId]/participants/import", label: "a future-dated row", path: (i) => `/api/v1/trials/${i.trial}/participants/import`,
    body: () => ({ headers: { "content-type": "text/csv" }, data: `site,screeningDate,ageAtScreening,sex,results\nUS-BOS1,${FUTURE},60,male,"G12C|detected|PCR"\n` }), expect: members(422) },
  { route: "GET /api/v1/trials/[trialId]/participants/[participantId]", label: "US patient", path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}`, expect: only(members(404), { coordinatorUs: 200, investigator: 200 }) },
  { route: "GET /api/v1/trials/[trialId]/participants/[participantId]", label: "Chinese patient", path: (i) => `/api/v1/trials/${i.trial}/participants/${i.cnPatient}`, expect: only(members(404), { coordinatorCn: 200, investigator: 200 }) },
  { route: "PATCH /api/v1/trials/[trialId]/participants/[participantId]", label: "US patient, stale", path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}`, body: () => stale, expect: only(members(404), { coordinatorUs: 409 }) },
  { route: "POST /api/v1/trials/[trialId]/participants/[participantId]/transitions", label: "US patient, stale", path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}/transitions`,
    body: () => ({ data: { to: "ELIGIBLE", date: "2026-01-01", version: 999 } }), expect: only(members(404), { coordinatorUs: 409, investigator: 409 }) },
  { route: "POST /api/v1/trials/[trialId]/participants/[participantId]/void", label: "US patient, stale", path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}/void`,
    body: () => ({ data: { version: 999, reason: "matrix" } }), expect: only(members(404), { coordinatorUs: 409 }) },
  { route: "GET /api/v1/trials/[trialId]/participants/[participantId]/audit", label: "US patient", path: (i) => `/api/v1/trials/${i.trial}/participants/${i.usPatient}/audit`, expect: only(members(404), { coordinatorUs: 200, investigator: 200 }) },
  { route: "GET /api/v1/trials/[trialId]/reports/[file]", label: "enrolment.csv", path: (i) => `/api/v1/trials/${i.trial}/reports/enrolment.csv`, expect: members(200) },
  { route: "GET /api/v1/trials/[trialId]/reports/[file]", label: "participants.csv", path: (i) => `/api/v1/trials/${i.trial}/reports/participants.csv`, expect: only(members(403), { investigator: 200 }) },
  { route: "POST /api/v1/forecast", label: "empty scenario", path: () => "/api/v1/forecast", body: () => ({ data: {} }), expect: members(422) },
  { route: "GET /api/v1/subtypes", path: () => "/api/v1/subtypes", expect: members(200) },
  { route: "GET /api/v1/audit", path: () => "/api/v1/audit?limit=5", expect: only(members(404), { admin: 200, investigator: 200 }) },
  { route: "GET /api/v1/audit.csv", path: () => "/api/v1/audit.csv?action=participant.correct", expect: only(members(404), { admin: 200, investigator: 200 }) },
  { route: "POST /api/v1/subtypes", label: "empty", path: () => "/api/v1/subtypes", body: () => ({ data: {} }), expect: only(members(403), { admin: 422 }) },
  { route: "GET /api/v1/tokens", path: () => "/api/v1/tokens", expect: members(200) },
  { route: "POST /api/v1/tokens", label: "empty", path: () => "/api/v1/tokens", body: () => ({ data: {} }), expect: only(members(403), { investigator: 422, sponsor: 422 }) },
  { route: "DELETE /api/v1/tokens/[tokenId]", label: "unknown token", path: () => "/api/v1/tokens/no-such-token", expect: members(404) },

  // Requests that try to slip past the proxy (CVE-2025-29927's header): every page and handler checks access itself.
  ...(["proxy:proxy:proxy:proxy:proxy", "middleware:middleware:middleware:middleware:middleware", "src/middleware"] as const).flatMap((header): Row[] => [
    { route: "GET /admin/users", label: `x-middleware-subrequest: ${header}`, path: () => "/admin/users", body: () => ({ headers: { "x-middleware-subrequest": header } }), expect: only(page(404), { admin: 200 }) },
    { route: "GET /trials/[trialId]/participants/[participantId]", label: `x-middleware-subrequest: ${header}`, path: (i) => `/trials/${i.trial}/participants/${i.cnPatient}`,
      body: () => ({ headers: { "x-middleware-subrequest": header } }), expect: only(page(404), { coordinatorCn: 200, investigator: 200 }) },
    { route: "GET /api/v1/audit", label: `x-middleware-subrequest: ${header}`, path: () => "/api/v1/audit?limit=1", body: () => ({ headers: { "x-middleware-subrequest": header } }), expect: only(members(404), { admin: 200, investigator: 200 }) },
  ]),
];

/** Server actions: each is a thin caller of a lib function whose access rules the database tests check per role. */
const ACTIONS: Record<string, string> = {
  "app/actions.ts#switchLocale": "anyone (a language cookie; saved to the signed-in user)",
  "app/trials/[trialId]/participants/actions.ts#registerAction": "registerParticipant: coordinators at their own sites",
  "app/trials/[trialId]/participants/actions.ts#transitionAction": "transitionParticipant: coordinators and investigators at their sites",
  "app/trials/[trialId]/participants/actions.ts#correctAction": "correctParticipant: coordinators at their own sites",
  "app/trials/[trialId]/participants/actions.ts#voidAction": "voidParticipant: coordinators at their own sites",
  "app/admin/subtypes/actions.ts#addSubtypeAction": "addSubtype: administrators",
  "app/account/actions.ts#changePasswordAction": "changePassword: the signed-in user, own account",
  "app/account/actions.ts#signOutEverywhereAction": "signOutEverywhere: the signed-in user, own account",
  "app/account/tokens/actions.ts#createTokenAction": "createToken: sponsors and investigators",
  "app/account/tokens/actions.ts#revokeTokenAction": "revokeToken: the token's owner",
  "app/account/two-factor/actions.ts#beginTotpAction": "beginTotp: the signed-in user, own account",
  "app/account/two-factor/actions.ts#confirmTotpAction": "confirmTotp: the signed-in user, own account",
  "app/account/two-factor/actions.ts#disableTotpAction": "disableTotp: the signed-in user, own account, with their password",
  "app/invite/[token]/actions.ts#acceptInviteAction": "acceptInvite: whoever holds an unused, unexpired one-time link",
  ...Object.fromEntries(
    ["createTrialAction", "updateTrialAction", "createCohortAction", "updateCohortAction", "addTrialSiteAction", "updateTrialSiteAction", "createSiteAction", "updateSiteAction",
      "inviteUserAction", "reissueLinkAction", "updateUserAction", "setUserActiveAction", "resetSecondFactorAction", "grantMembershipAction", "revokeMembershipAction"]
      .map((name) => [`app/admin/actions.ts#${name}`, "lib/admin (assertAdmin): administrators"]),
  ),
};

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
      if (entry.name === "route.ts") for (const m of source.matchAll(/export (?:const|async function|function|\{[^}]*as) ?(GET|POST|PATCH|PUT|DELETE)\b/g)) handlers.push(`${m[1]} ${route}`);
      if (entry.name.endsWith(".ts") && /^"use server";/.test(source)) for (const m of source.matchAll(/export async function (\w+)/g)) actions.push(`${path.relative(".", full)}#${m[1]}`);
    }
  };
  walk("app");
  return { pages, handlers: [...new Set(handlers)], actions };
}

test("every page, route handler and server action is in the authorization matrix", () => {
  const { pages, handlers, actions } = routesInApp();
  const inTable = new Set(ROWS.map((r) => r.route));
  expect([...pages, ...handlers].filter((r) => !inTable.has(r)), "missing from ROWS").toEqual([]);
  expect(actions.filter((a) => !(a in ACTIONS)).sort(), "missing from ACTIONS").toEqual([]);
  expect(Object.keys(ACTIONS).filter((a) => !actions.includes(a)), "ACTIONS that no longer exist").toEqual([]);
});

async function contexts(browser: Browser) {
  const out = {} as Record<Role, APIRequestContext>;
  const cookies = {} as Record<Role, string>;
  for (const role of ROLES) {
    const context = await browser.newContext();
    const page = await context.newPage();
    if (role !== "anonymous") await signIn(page, ACCOUNTS[role]);
    out[role] = context.request;
    cookies[role] = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  }
  return { out, cookies };
}

test("every role gets exactly the expected answer from every page and route", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const { out: as, cookies } = await contexts(browser);
  const trials = (await (await as.investigator.get("/api/v1/trials")).json()) as { items: { id: string; code: string }[] };
  const trial = trials.items.find((t) => t.code === "TB-201")!.id;
  const enrolment = (await (await as.investigator.get(`/api/v1/trials/${trial}/enrolment`)).json()) as { bySite: { siteId: string; code: string }[] };
  const site = (code: string) => enrolment.bySite.find((s) => s.code === code)!.siteId;
  const first = async (siteId: string) => ((await (await as.investigator.get(`/api/v1/trials/${trial}/participants?siteId=${siteId}&limit=1`)).json()) as { items: { id: string }[] }).items[0]!.id;
  const user = /href="\/admin\/users\/([^"]+)"/.exec(await (await as.admin.get("/admin/users")).text())![1]!;
  const ids: Ids = { trial, usSite: site("US-BOS1"), usPatient: await first(site("US-BOS1")), cnPatient: await first(site("CN-GZ1")), user };

  const mismatches: string[] = [];
  for (const row of ROWS) {
    const [method] = row.route.split(" ") as [string];
    for (const role of ROLES) {
      let status: number;
      if (row.route.endsWith("/events")) {
        // A stream: read the status, then hang up.
        const controller = new AbortController();
        const response = await fetch(`${baseURL}${row.path(ids)}`, { headers: { cookie: cookies[role] }, signal: controller.signal });
        status = response.status;
        controller.abort();
      } else {
        const body = row.body?.(ids);
        const response = await as[role].fetch(row.path(ids), { method, maxRedirects: 0, ...(body?.headers ? { headers: body.headers } : {}), ...(body?.data !== undefined ? { data: body.data } : {}) });
        status = response.status();
      }
      if (status !== row.expect[role]) mismatches.push(`${row.route}${row.label ? ` (${row.label})` : ""} as ${role}: expected ${row.expect[role]}, got ${status}`);
    }
  }
  expect(mismatches).toEqual([]);
});
