// The OpenAPI 3.1 description of /api/v1 (and of the federation link and FHIR), built from the same zod schemas that
// validate the requests and type the answers (lib/openapi/responses.ts), so the two cannot drift apart. A test lists
// every route handler and fails if one is missing here; another calls every operation and checks its answers.
import { z } from "zod";
import { auditQuery, checkpointQuery } from "@/lib/audit/query";
import { createTokenInput } from "@/lib/auth/tokens";
import { forecastInput } from "@/lib/forecast/schema";
import { listQuery } from "@/lib/participants/queries";
import { importQuery } from "@/lib/participants/import";
import { matchInput } from "@/lib/matching/match";
import { releaseQuery, reserveInput } from "@/lib/matching/reserve";
import { correctionInput, registerInput, transitionInput, voidInput } from "@/lib/participants/schemas";
import { reportFilters } from "@/lib/reports/enrolment-report";
import { resolveQuery, subtypeInput } from "@/lib/subtypes/admin";
import { pollQuery, pushBody } from "@/lib/federation/transport";
import { allocationInput } from "@/lib/admin/schemas";
import { rulesFile } from "@/lib/alerts/rules";
import {
  alertRules,
  alertRulesImported,
  allocation,
  answerComponents,
  answers,
  auditPage,
  checkpointDocument,
  checkpointSealed,
  createdToken,
  enrolmentSummary,
  errorBody,
  federationPoll,
  federationReceipt,
  fhirOutcome,
  fhirResource,
  forecastResult,
  importDone,
  importPreview,
  liveForecast,
  matchAnswer,
  participant,
  participantAudit,
  participantPage,
  participantWithHistory,
  placeHeld,
  placeReleased,
  resolvedSubtype,
  sitePerformance,
  subtypeEntry,
  subtypeList,
  tokenList,
  trialList,
} from "@/lib/openapi/responses";

type Method = "get" | "post" | "put" | "patch" | "delete";

interface Operation {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  bodyType?: string;
  query?: z.ZodObject;
  responses: Record<string, string>;
  /** The schema of each success status's JSON body (one of lib/openapi/responses.ts's named answers). */
  answers?: Record<string, z.ZodType>;
  /** What a success is when not JSON (a file, a stream, FHIR): its media type, or the types it may be. */
  responseType?: string | string[];
  headers?: { name: string; required: boolean; description: string }[];
  /** Served under another base than /api/v1 (the federation link between nodes, FHIR). */
  server?: string;
  security?: Record<string, string[]>[];
}

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;

const ERRORS = {
  "401": "Not signed in, or the token is unknown, revoked or expired",
  "404": "Not found, or not yours to see",
  "503": "Briefly unavailable (the database is restarting or busy): retry after Retry-After seconds",
};
const WRITE_ERRORS = {
  ...ERRORS,
  "400": "Malformed request",
  "403": "Not allowed (API tokens are read-only)",
  "413": "Too large",
  "422": "Invalid: see error.fields",
  "429": "Too many requests",
};

export const OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/trials",
    answers: { "200": trialList },
    tag: "Trials",
    summary: "Trials you may see, enrolled against target by country",
    responses: { "200": "The trials", ...ERRORS },
  },
  {
    method: "get",
    path: "/trials/{trialId}/enrolment",
    answers: { "200": enrolmentSummary },
    tag: "Enrolment",
    summary: "The trial's enrolment counts: totals, by country, site, cohort and month",
    responses: { "200": "The counts", ...ERRORS },
  },
  {
    method: "get",
    path: "/trials/{trialId}/site-performance",
    answers: { "200": sitePerformance },
    tag: "Enrolment",
    summary:
      "Per site: screened, screen failures and their reasons, consent and enrolment rates, median days to consent and to enrolment, days since the last screening and enrolment, share of plan, and funnel-plot scores with amber (|z| >= 2) and red (|z| >= 3) flags, never below a minimum count",
    responses: { "200": "The sites' performance", ...ERRORS },
  },
  {
    method: "get",
    path: "/trials/{trialId}/alert-rules",
    answers: { "200": alertRules },
    tag: "Alerts",
    summary: "The trial's alert rules in force, as a rules file (format trialbridge.alert-rules/1, cohorts by code); investigators and administrators",
    responses: { "200": "A rules file", "403": "Investigators and administrators only", ...ERRORS },
  },
  {
    method: "post",
    path: "/trials/{trialId}/alert-rules",
    answers: { "201": alertRulesImported },
    tag: "Alerts",
    summary: "Sets the rules of a rules file on the trial, all or none (every cohort must be one of the trial's); rules already in force are passed over",
    body: rulesFile,
    responses: {
      "201": "How many rules were made and passed over",
      ...WRITE_ERRORS,
      "403": "Investigators and administrators only (API tokens are read-only)",
      "422": "Invalid file or unknown cohort",
    },
  },
  {
    method: "get",
    path: "/notifications/events",
    tag: "Alerts",
    summary:
      "Server-sent `notification` events with your unread count (and the newest notification's id): at once, then each time an alert tells you or you mark some read",
    responseType: "text/event-stream",
    responses: { "200": "An event stream", ...ERRORS },
  },
  {
    method: "get",
    path: "/trials/{trialId}/events",
    tag: "Enrolment",
    summary: "Server-sent `enrolment` events with the trial's new counts; reconnect with Last-Event-ID to get the newest counts missed since",
    responseType: "text/event-stream",
    headers: [
      { name: "Last-Event-ID", required: false, description: "The last event id seen: the newest event after it is sent first (events carry whole counts)" },
    ],
    responses: { "200": "An event stream", "400": "Malformed Last-Event-ID", ...ERRORS },
  },
  {
    method: "get",
    path: "/trials/{trialId}/participants",
    answers: { "200": participantPage },
    tag: "Participants",
    summary: "Participants you may see, filtered and paged with a cursor",
    query: listQuery,
    responses: { "200": "A page of participants and the total", "400": "Malformed cursor", "422": "Invalid filter", ...ERRORS },
  },
  {
    method: "post",
    path: "/trials/{trialId}/participants",
    answers: { "201": participant },
    tag: "Participants",
    summary: "Register a screened patient (idempotent with Idempotency-Key)",
    body: registerInput,
    headers: [{ name: "Idempotency-Key", required: true, description: "8 to 128 letters, digits, '.', '_', ':' or '-'" }],
    responses: { "201": "The participant", "409": "Conflict", ...WRITE_ERRORS },
  },
  {
    method: "post",
    path: "/trials/{trialId}/participants/import",
    answers: { "200": importPreview, "201": importDone },
    tag: "Participants",
    summary:
      "Import a CSV screening log: every row is checked, then all or none are imported; `preview=true` checks and answers what would be imported, writing nothing, with the rows that look like records already there (same site, date, age, sex and results). `dateOrder` reads dates with the year last as month/day (`mdy`) or day/month (`dmy`); `duplicates=keep` imports the possible duplicates. The same file (by SHA-256) goes into a trial once",
    bodyType: "text/csv",
    query: importQuery,
    responses: {
      "200": "The preview: rows, problems per line and field, the first rows as they would be imported, possible duplicates",
      "201": "How many were imported, with their screening numbers and record ids",
      "409": "This file was imported already, or rows look like records already there (send duplicates=keep to keep them)",
      ...WRITE_ERRORS,
    },
  },
  {
    method: "get",
    path: "/trials/{trialId}/participants/import/template",
    tag: "Participants",
    summary: "A CSV template for the import, with an example row for each of your sites in the trial",
    responseType: "text/csv",
    responses: { "200": "The template", ...ERRORS },
  },
  {
    method: "get",
    path: "/trials/{trialId}/participants/{participantId}",
    answers: { "200": participantWithHistory },
    tag: "Participants",
    summary: "One participant with its dated history",
    responses: { "200": "The participant", ...ERRORS },
  },
  {
    method: "patch",
    path: "/trials/{trialId}/participants/{participantId}",
    answers: { "200": participant },
    tag: "Participants",
    summary: "Correct saved data, with a reason (optimistic locking by version)",
    body: correctionInput,
    responses: { "200": "The corrected participant", "409": "Stale version", ...WRITE_ERRORS },
  },
  {
    method: "post",
    path: "/trials/{trialId}/participants/{participantId}/transitions",
    answers: { "200": participant },
    tag: "Participants",
    summary: "Move a participant to the next step of the screening path",
    body: transitionInput,
    responses: { "200": "The participant", "409": "Stale version or full cohort", ...WRITE_ERRORS },
  },
  {
    method: "post",
    path: "/trials/{trialId}/participants/{participantId}/void",
    answers: { "200": participant },
    tag: "Participants",
    summary: "Void a mistaken record, with a reason",
    body: voidInput,
    responses: { "200": "The voided participant", "409": "Stale version", ...WRITE_ERRORS },
  },
  {
    method: "get",
    path: "/trials/{trialId}/participants/{participantId}/audit",
    answers: { "200": participantAudit },
    tag: "Participants",
    summary: "The record's audit trail",
    responses: { "200": "Audit rows", ...ERRORS },
  },
  {
    method: "get",
    path: "/trials/{trialId}/reports/{file}",
    tag: "Reports",
    summary:
      "Enrolment report (enrolment.csv, enrolment.xlsx, enrolment.pdf; filters as query) or the de-identified listing (participants.csv, or as CDISC ODM 1.3.2: participants.odm.xml)",
    query: reportFilters,
    responseType: ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/pdf", "application/xml"],
    responses: { "200": "The file", "403": "The listing is not for you", "422": "Invalid filter", ...ERRORS },
  },
  {
    method: "get",
    path: "/trials/{trialId}/forecast",
    answers: { "200": liveForecast },
    tag: "Forecast",
    summary: "The trial's forecast from its live data, with the inputs used",
    responses: { "200": "Inputs and result", ...ERRORS },
  },
  {
    method: "get",
    path: "/subtypes/resolve",
    answers: { "200": resolvedSubtype },
    tag: "Subtypes",
    summary: 'What a report\'s wording names ("KRAS c.34G>T (p.Gly12Cys)", "EGFR 19外显子缺失"): the vocabulary key and label',
    query: resolveQuery,
    responses: { "200": "{key, label}", "422": "Not a known subtype: error.fields.suggestions lists the nearest keys", ...ERRORS },
  },
  {
    method: "post",
    path: "/forecast",
    answers: { "200": forecastResult },
    tag: "Forecast",
    summary: "Forecast a scenario of your own (the same input as `npm run forecast`)",
    body: forecastInput,
    responses: { "200": "The forecast", ...WRITE_ERRORS },
  },
  {
    method: "post",
    path: "/trials/{trialId}/participants/{participantId}/place",
    answers: { "201": placeHeld, "202": placeHeld },
    tag: "Matching",
    summary:
      "Hold a place in a cohort for a consented patient whose results meet its criteria, for `days` (1 to 30, 7 by default): it counts against the target, the country's allocation and the site's cap until used by the enrolment, released or expired. When no place is free the patient joins the cohort's waitlist (202)",
    body: reserveInput,
    responses: {
      "201": "The place is held (with its expiry)",
      "202": "No place free: on the waitlist, with the position",
      "409": "Already held or waiting",
      ...WRITE_ERRORS,
    },
  },
  {
    method: "delete",
    path: "/trials/{trialId}/participants/{participantId}/place",
    answers: { "200": placeReleased },
    tag: "Matching",
    summary: "Release the patient's held place in `cohortId` (offered at once to the next patient waiting, by the cohort's order), or leave its waitlist",
    query: releaseQuery,
    responses: { "200": "Released, with how many places were offered", ...WRITE_ERRORS, "404": "Not found, not yours, or no place held and not waiting" },
  },
  {
    method: "post",
    path: "/match",
    answers: { "200": matchAnswer },
    tag: "Matching",
    summary:
      "Pre-screen a patient without registering anyone: their results as a report writes them, against every cohort of every trial you may see; each cohort's state, places left and each criterion's verdict in your language. Writes nothing",
    body: matchInput,
    responses: {
      "200": "The results as understood, and every trial's cohorts with their verdicts",
      ...WRITE_ERRORS,
      "422": "A result not understood (with suggestions)",
    },
  },
  {
    method: "get",
    path: "/subtypes",
    answers: { "200": subtypeList },
    tag: "Vocabulary",
    summary: "The molecular subtype vocabulary",
    responses: { "200": "The subtypes", ...ERRORS },
  },
  {
    method: "post",
    path: "/subtypes",
    answers: { "201": subtypeEntry },
    tag: "Vocabulary",
    summary: "Add a subtype (administrators)",
    body: subtypeInput,
    responses: { "201": "The subtype", "409": "Key or name already used", ...WRITE_ERRORS },
  },
  {
    method: "get",
    path: "/audit",
    answers: { "200": auditPage },
    tag: "Audit",
    summary: "The audit trail, newest first (administrators; trial-wide investigators for their trials)",
    query: auditQuery,
    responses: { "200": "Audit rows and the cursor for older ones", "422": "Invalid filter", ...ERRORS },
  },
  {
    method: "get",
    path: "/audit.csv",
    tag: "Audit",
    summary: "The filtered audit trail as CSV (the export is itself audited)",
    query: auditQuery,
    responseType: "text/csv",
    responses: { "200": "The CSV file", "422": "Invalid filter", ...ERRORS },
  },
  {
    method: "get",
    path: "/audit/checkpoints",
    answers: { "200": checkpointDocument },
    tag: "Audit",
    summary: "Signed checkpoints of the audit chain with the public keys that signed them (administrators; their read-only tokens)",
    query: checkpointQuery,
    responses: {
      "200": "Keys and checkpoints (save them: `npm run audit:verify -- --checkpoint FILE`)",
      "403": "Administrators only",
      "422": "Invalid filter",
      ...ERRORS,
    },
  },
  {
    method: "post",
    path: "/audit/checkpoints",
    answers: { "201": checkpointSealed },
    tag: "Audit",
    summary: "Seal the trail and sign a checkpoint of its head now (administrators)",
    responses: { "201": "The checkpoint", ...WRITE_ERRORS },
  },
  {
    method: "put",
    path: "/trials/{trialId}/cohorts/{cohortId}/allocation",
    answers: { "200": allocation },
    tag: "Trials",
    summary:
      "Set a cohort's places per country (administrators; on two nodes, on the trial's owner node, whose snapshots carry them to the peer). Never below a country's enrolled, their sum at most the target",
    body: allocationInput,
    responses: { "200": "The places", "409": "The peer node's counts are not live", ...WRITE_ERRORS, "403": "Administrators only, on the owner's node" },
  },
  {
    method: "get",
    path: "/federation/egress",
    tag: "Federation",
    summary: "The egress log: every count snapshot this node signed for its peer node, one JSON object per line (administrators)",
    responseType: "application/x-ndjson",
    responses: { "200": "The snapshots as signed (compact JWS), in sequence", "403": "Administrators only", ...ERRORS },
  },
  {
    method: "post",
    path: "/snapshots",
    answers: { "200": federationReceipt },
    server: "/api/federation/v1",
    tag: "Federation link (node to node)",
    summary:
      "The paired peer node pushes its signed count snapshots, oldest first; each is verified with the peer's keys as paired and applied once, in sequence",
    body: pushBody,
    security: [{ snapshotSignature: [] }],
    responses: {
      "200": "How far this node has applied the peer's feed ({appliedSeq, missing}: resend from appliedSeq + 1)",
      "400": "Not a JSON body",
      "413": "Too large",
      "404": "This node is not paired",
      "422": "Refused: bad signature, unknown or retired key, schema, age, origin or a broken chain (error.message names it)",
      "403": "A user's API token: the link is for the peer node",
      "503": ERRORS["503"],
    },
  },
  {
    method: "get",
    path: "/snapshots",
    answers: { "200": federationPoll },
    server: "/api/federation/v1",
    tag: "Federation link (node to node)",
    summary: "The paired peer node long-polls this node's snapshots after the last one it applied (which acknowledges them)",
    query: pollQuery,
    security: [{ nodeSignature: [] }],
    responses: {
      "200": "{snapshots: [compact JWS, ...]}, empty after the wait when nothing new was signed",
      "401": "Not signed by the paired peer node",
      "422": "Invalid after or wait",
      "503": ERRORS["503"],
    },
  },
  {
    method: "get",
    path: "/metadata",
    server: "/api/fhir/R4",
    tag: "FHIR R4",
    summary: "The FHIR CapabilityStatement: what this read-only server offers (open to anyone)",
    responseType: "application/fhir+json",
    security: [],
    responses: { "200": "The CapabilityStatement" },
  },
  {
    method: "get",
    path: "/ResearchStudy",
    server: "/api/fhir/R4",
    tag: "FHIR R4",
    summary: "The trials you may see as ResearchStudy resources (search by _id, or identifier: the trial's code)",
    responseType: "application/fhir+json",
    responses: { "200": "A searchset Bundle", "400": "An unknown search parameter (OperationOutcome)", ...ERRORS },
  },
  {
    method: "get",
    path: "/ResearchStudy/{id}",
    server: "/api/fhir/R4",
    tag: "FHIR R4",
    summary: "One trial: cohorts as arms, sites, recruitment target and enrolled number (R5 recruitment extension)",
    responseType: "application/fhir+json",
    responses: { "200": "The ResearchStudy", ...ERRORS },
  },
  {
    method: "get",
    path: "/ResearchStudy/{id}/$export",
    server: "/api/fhir/R4",
    tag: "FHIR R4",
    summary: "The study and every subject of it you may see, one resource a line (synchronous, streamed); a sponsor's holds the study only",
    responseType: "application/fhir+ndjson",
    responses: { "200": "FHIR NDJSON", ...ERRORS },
  },
  {
    method: "get",
    path: "/ResearchSubject",
    server: "/api/fhir/R4",
    tag: "FHIR R4",
    summary:
      "A study's participants you may see, pseudonymous (study=ResearchStudy/{id} required; status, identifier, _id, _count, _offset); a sponsor's Bundle is empty",
    responseType: "application/fhir+json",
    responses: { "200": "A searchset Bundle with total and paging links", "400": "A bad search parameter (OperationOutcome)", ...ERRORS },
  },
  {
    method: "get",
    path: "/ResearchSubject/{id}",
    server: "/api/fhir/R4",
    tag: "FHIR R4",
    summary: "One participant as a ResearchSubject: status, dates, cohort (withheld for a Chinese site's patient under the cross-border rule)",
    responseType: "application/fhir+json",
    responses: { "200": "The ResearchSubject", ...ERRORS },
  },
  {
    method: "get",
    path: "/tokens",
    answers: { "200": tokenList },
    tag: "Tokens",
    summary: "Your personal API tokens",
    responses: { "200": "The tokens", ...ERRORS },
  },
  {
    method: "post",
    path: "/tokens",
    answers: { "201": createdToken },
    tag: "Tokens",
    summary: "Create a personal API token (shown once in the answer)",
    body: createTokenInput,
    responses: { "201": "The token", ...WRITE_ERRORS },
  },
  {
    method: "delete",
    path: "/tokens/{tokenId}",
    tag: "Tokens",
    summary: "Revoke one of your tokens, at once",
    responses: { "204": "Revoked", ...WRITE_ERRORS },
  },
];

const ref = (schema: z.ZodType) => {
  const name = answers.get(schema)?.id;
  if (!name) throw new Error("an answer schema must be one of lib/openapi/responses.ts's named answers");
  return { $ref: `#/components/schemas/${name}` };
};

const RETRY_AFTER = { "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer", minimum: 1 } } };

/** The headers a client acts on: when to retry, and whether a registration was a replay of an earlier request. */
function responseHeaders(op: Operation, status: string) {
  if (status === "429" || status === "503") return { headers: RETRY_AFTER };
  if (op.headers?.some((h) => h.name === "Idempotency-Key") && status.startsWith("2"))
    return {
      headers: {
        "Idempotent-Replayed": {
          description: "`true` when this is the stored answer to an earlier request with the same Idempotency-Key and body",
          schema: { type: "string", enum: ["true"] },
        },
      },
    };
  return {};
}

/** A status's body: its named schema (JSON and FHIR), a string (files and streams), the error shape (every refusal). */
function responseContent(op: Operation, status: string) {
  if (status === "204") return {};
  const fhir = op.server === "/api/fhir/R4";
  if (!status.startsWith("2"))
    return { content: fhir ? { "application/fhir+json": { schema: ref(fhirOutcome) } } : { "application/json": { schema: ref(errorBody) } } };
  const types = [op.responseType ?? "application/json"].flat();
  const answer = op.answers?.[status];
  if (answer) return { content: Object.fromEntries(types.map((type) => [type, { schema: ref(answer) }])) };
  if (types.includes("application/json")) throw new Error(`${op.method.toUpperCase()} ${op.path} ${status}: a JSON answer needs its schema in answers`);
  return {
    content: Object.fromEntries(types.map((type) => [type, { schema: type === "application/fhir+json" ? ref(fhirResource) : { type: "string" } }])),
  };
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema:
        m[1] === "file"
          ? { type: "string", enum: ["enrolment.csv", "enrolment.xlsx", "enrolment.pdf", "participants.csv", "participants.odm.xml"] }
          : { type: "string" },
    }));
    const queryParams = op.query
      ? Object.entries((jsonSchema(op.query).properties ?? {}) as Record<string, unknown>).map(([name, schema]) => ({
          name,
          in: "query",
          required: false,
          schema,
        }))
      : [];
    const headerParams = (op.headers ?? []).map((h) => ({
      name: h.name,
      in: "header",
      required: h.required,
      description: h.description,
      schema: { type: "string" },
    }));
    // Another base (the federation link): a path item with servers of its own (OpenAPI 3.1).
    const item = (paths[op.path] ??= op.server ? { servers: [{ url: op.server }] } : {});
    item[op.method] = {
      summary: op.summary,
      ...(op.security ? { security: op.security } : {}),
      tags: [op.tag],
      operationId: `${op.method}${op.path
        .replace(/[{}]/g, "")
        .replace(/\/(\w)/g, (_, c: string) => c.toUpperCase())
        .replace(/\W/g, "")}`,
      parameters: [...pathParams, ...queryParams, ...headerParams],
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(op.body) } } } } : {}),
      ...(op.bodyType ? { requestBody: { required: true, content: { [op.bodyType]: { schema: { type: "string" } } } } } : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([status, description]) => [status, { description, ...responseHeaders(op, status), ...responseContent(op, status) }]),
      ),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "TrialBridge API",
      version: "1",
      description: 'Joint US-China recruitment to precision-oncology trials. Errors are JSON {"error": {"code", "message", "fields"?}}.',
    },
    servers: [{ url: "/api/v1" }],
    security: [{ session: [] }, { token: [] }],
    components: {
      schemas: answerComponents(jsonSchema(forecastInput)),
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "The app's sign-in session" },
        token: { type: "http", scheme: "bearer", description: "A personal API token (read-only: GET requests)" },
        snapshotSignature: {
          type: "apiKey",
          in: "header",
          name: "X-Snapshot-Signature-Is-In-Body",
          description: "No header: each snapshot in the body is a JWS (EdDSA) verified with the peer node's keys as paired",
        },
        nodeSignature: {
          type: "http",
          scheme: "TrialBridge-Node",
          description: "`Authorization: TrialBridge-Node <JWS>`: a one-minute request signed with the peer node's key",
        },
      },
    },
    paths,
  };
}
