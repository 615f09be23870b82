// What every /api/v1 operation answers, as zod schemas. Handlers answer through `reply(schema, body)`
// (lib/http/api.ts), so the compiler holds each answer to its schema; the OpenAPI description's components.schemas are
// emitted from them (output mode, so every object is closed: a field added to or dropped from an answer no longer
// matches); and tests/e2e/contract.spec.ts checks real answers of every operation against the served description.
import { z } from "zod";
import { ParticipantStatus, TestMethod } from "@/lib/db/generated/enums";
import { PEER_STATES } from "@/lib/federation/status";
import { pollAnswer, pushAnswer } from "@/lib/federation/transport";
import { alertRulesAnswer } from "@/lib/alerts/rules";
import { TOKEN_SCOPES } from "@/lib/auth/tokens";

/** The registry the description's components come from: each schema in it is one named component. */
export const answers = z.registry<{ id: string; description?: string; examples?: unknown[] }>();

function named<T extends z.ZodType>(id: string, schema: T, description?: string, example?: z.output<T>): T {
  answers.add(schema, { id, ...(description ? { description } : {}), ...(example !== undefined ? { examples: [example as unknown] } : {}) });
  return schema;
}

const id = z.string().min(1);
const day = z.iso.date();
const instant = z.iso.datetime({ offset: true });
const country = z.enum(["US", "CN"]);
const byCountry = <T extends z.ZodType>(value: T) => z.object({ US: value, CN: value });
const reasonCounts = z.array(z.object({ code: z.string(), count: z.number().int() }));

export const errorBody = named(
  "Error",
  z.object({
    error: z.object({
      code: z.enum(["invalid_request", "unauthenticated", "forbidden", "not_found", "conflict", "payload_too_large", "invalid", "rate_limited", "unavailable"]),
      message: z.string(),
      fields: z.record(z.string(), z.array(z.string())).optional(),
    }),
  }),
  "Every JSON error: a code, a message in the caller's language and, for invalid input, the problems per field",
  { error: { code: "invalid", message: "Some values are not valid.", fields: { limit: ["Too big: expected number to be <=200"] } } },
);

const trialSummary = z.object({
  id,
  code: z.string(),
  title: z.string(),
  target: z.number().int(),
  screened: z.number().int(),
  enrolled: z.number().int(),
  byCountry: byCountry(z.object({ screened: z.number().int(), enrolled: z.number().int() })),
});
export const trialList = named("TrialList", z.object({ items: z.array(trialSummary) }), "The trials you may see", {
  items: [
    {
      id: "cmx79grjr001ow87dqhrtnnd1",
      code: "TB-201",
      title: "NOVA-LUNG: a phase 2 umbrella study of targeted therapies in oncogene-driven NSCLC",
      target: 320,
      screened: 633,
      enrolled: 219,
      byCountry: { US: { screened: 287, enrolled: 76 }, CN: { screened: 346, enrolled: 143 } },
    },
  ],
});

const counts = named(
  "Counts",
  z.object({
    screened: z.number().int(),
    eligible: z.number().int(),
    screenFailed: z.number().int(),
    consented: z.number().int(),
    enrolled: z.number().int(),
    withdrawn: z.number().int(),
    completed: z.number().int(),
  }),
  "Participants who reached each step (a participant counts at every step reached)",
  { screened: 633, eligible: 250, screenFailed: 388, consented: 222, enrolled: 219, withdrawn: 15, completed: 9 },
);

/** A site as both the counts and the performance answers name it. */
const site = {
  siteId: id,
  code: z.string(),
  nameEn: z.string(),
  nameLocal: z.string(),
  country,
  status: z.string(),
  activationDate: day.nullable(),
};

const federationView = z.object({
  origin: z.string(),
  country,
  state: z.enum(PEER_STATES),
  asOf: instant.nullable(),
  staleAfterSeconds: z.number(),
  withheld: z.number().int(),
});

export const enrolmentSummary = named(
  "EnrolmentSummary",
  z.object({
    trialId: id,
    asOf: instant,
    target: z.number().int(),
    totals: counts,
    byCountry: byCountry(counts),
    bySite: z.array(
      counts.extend({
        ...site,
        screenFailureReasons: reasonCounts,
        monthsActive: z.number().nullable(),
        enrolmentRatePerMonth: z.number().nullable(),
        lastScreeningDate: day.nullable(),
        daysSinceLastScreening: z.number().int().nullable(),
      }),
    ),
    byCohort: z.array(
      z.object({
        cohortId: id,
        code: z.string(),
        name: z.string(),
        target: z.number().int(),
        enrolled: z.number().int(),
        byCountry: byCountry(z.number().int()),
        places: byCountry(z.number().int()).nullable(),
        held: z.number().int(),
      }),
    ),
    timeline: z.array(
      z.object({
        month: z.string().regex(/^\d{4}-\d{2}$/),
        screened: byCountry(z.number().int()),
        enrolled: byCountry(z.number().int()),
        cumulative: z.object({ US: z.number().int(), CN: z.number().int(), joint: z.number().int() }),
        planned: z.number(),
      }),
    ),
    subtypeYield: byCountry(z.object({ tested: z.number().int(), detected: z.record(z.string(), z.number().int()) })),
    screenFailureReasons: reasonCounts,
    federation: federationView.nullable(),
    lastEventId: z.string(),
  }),
  "The trial's counts (with the paired peer node's, when there is one) and the id of the live event they match",
);

const flag = z.enum(["amber", "red"]).nullable();
const score = z.object({ z: z.number().nullable(), flag, tooFew: z.boolean() });
const funnel = z.object({
  overall: z.number().nullable(),
  phi: z.number().nullable(),
  limits: z.array(z.object({ denominator: z.number(), lower3: z.number(), lower2: z.number(), centre: z.number(), upper2: z.number(), upper3: z.number() })),
});
export const sitePerformance = named(
  "SitePerformance",
  z.object({
    trialCode: z.string(),
    asOf: day,
    minimum: z.object({ screened: z.number().int(), monthsOpen: z.number() }),
    behindAt: z.number(),
    sites: z.array(
      z.object({
        ...site,
        monthsOpen: z.number(),
        plannedPerMonth: z.number(),
        screened: z.number().int(),
        eligible: z.number().int(),
        screenFailed: z.number().int(),
        consented: z.number().int(),
        enrolled: z.number().int(),
        screenFailureShare: z.number().nullable(),
        reasons: z.record(z.string(), z.number().int()).nullable(),
        consentShare: z.number().nullable(),
        enrolledPerMonth: z.number().nullable(),
        shareOfPlan: z.number().nullable(),
        missProbability: z.number().nullable(),
        behind: z.boolean(),
        medianDaysToConsent: z.number().nullable(),
        medianDaysToEnrolment: z.number().nullable(),
        daysSinceScreening: z.number().int().nullable(),
        daysSinceEnrolment: z.number().int().nullable(),
        screenFailure: score,
        enrolment: score,
      }),
    ),
    funnels: z.object({ screenFailure: funnel, enrolment: funnel }),
  }),
  "Per site performance with funnel-plot scores and the funnels' limits",
);

export const alertRules = named("AlertRulesFile", alertRulesAnswer, "The trial's rules in force, as a rules file (cohorts by code)");
export const alertRulesImported = named(
  "AlertRulesImported",
  z.object({ created: z.number().int(), skipped: z.number().int() }),
  "How many rules were made and how many were already in force",
  { created: 2, skipped: 1 },
);

export const participant = named(
  "Participant",
  z.object({
    id,
    trialId: id,
    siteId: id,
    screeningNumber: z.string(),
    screeningDate: day,
    ageAtScreening: z.number().int(),
    sex: z.enum(["female", "male", "unknown"]),
    status: z.enum(ParticipantStatus),
    cohortId: id.nullable(),
    version: z.number().int(),
    voided: z.boolean(),
    voidReason: z.string().nullable().optional().describe("Only on a voided record"),
    results: z.array(z.object({ subtype: z.string(), result: z.enum(["detected", "not_detected", "failed"]), method: z.enum(TestMethod) })),
  }),
  "A participant as the API shows it (calendar dates as YYYY-MM-DD, never shifted by time zone)",
  {
    id: "cmx79gtbj02qgw87drih9cqb4",
    trialId: "cmx79grjr001ow87dqhrtnnd1",
    siteId: "cmx79grgw000cw87dzagubz1v",
    screeningNumber: "US-BOS1-0016",
    screeningDate: "2026-09-27",
    ageAtScreening: 56,
    sex: "male",
    status: "ENROLLED",
    cohortId: "cmx79grk2001tw87dptudl81t",
    version: 4,
    voided: false,
    results: [{ subtype: "KRAS:G12C", result: "detected", method: "NGS_PLASMA" }],
  },
);

export const participantPage = named(
  "ParticipantPage",
  z.object({
    items: z.array(participant.extend({ screenFailureReason: z.string().nullable() })),
    total: z.number().int(),
    nextCursor: z.string().nullable(),
  }),
  "A page of participants, the total matching the filter and the cursor of the next page (null on the last)",
);

export const participantWithHistory = named(
  "ParticipantWithHistory",
  participant.extend({
    history: z.array(
      z.object({
        id,
        from: z.enum(ParticipantStatus).nullable(),
        to: z.enum(ParticipantStatus),
        date: day,
        reasonCode: z.string().nullable(),
        reason: z.string().nullable(),
        cohortId: id.nullable(),
        recordedAt: instant,
        corrected: z.object({ date: day }).nullable(),
      }),
    ),
  }),
  "A participant and its dated steps, oldest first",
);

const auditRow = z.object({
  id: z.string(),
  at: instant,
  actor: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  entityName: z.string().nullable(),
  trialId: id.nullable(),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
});
export const auditPage = named(
  "AuditPage",
  z.object({ items: z.array(auditRow), next: z.string().nullable() }),
  "Audit rows, newest first, and the cursor of older ones",
);
export const participantAudit = named(
  "ParticipantAudit",
  z.object({
    items: z.array(
      z.object({
        id: z.string(),
        at: instant,
        action: z.string(),
        actor: z.string().nullable(),
        before: z.unknown(),
        after: z.unknown(),
        reason: z.string().nullable(),
      }),
    ),
  }),
  "The record's audit rows, oldest first (the actor by name)",
);

const quantiles = z.object({
  mean: z.number().nullable(),
  p2_5: z.number().nullable(),
  p10: z.number().nullable(),
  p25: z.number().nullable(),
  p50: z.number().nullable(),
  p75: z.number().nullable(),
  p90: z.number().nullable(),
  p97_5: z.number().nullable(),
});
export const forecastResult = named(
  "ForecastResult",
  z.object({
    replicates: z.number().int(),
    seed: z.number().int(),
    horizonMonths: z.number(),
    asOfMonth: z.number(),
    scenarios: z.array(
      z.object({
        name: z.string(),
        countries: z.array(z.string()),
        completionMonth: quantiles,
        probabilityByHorizon: z.array(z.object({ month: z.number(), probability: z.number() })),
        incompleteShare: z.number(),
        cohorts: z.array(
          z.object({ id: z.string(), p10: z.number().nullable(), p50: z.number().nullable(), p90: z.number().nullable(), incompleteShare: z.number() }),
        ),
        enrolmentFan: z.array(z.object({ month: z.number(), p10: z.number(), p50: z.number(), p90: z.number() })),
      }),
    ),
  }),
  "Months to complete per scenario (US alone, China alone, both), as quantiles, with the probability by month",
);
/** Stands in for the forecast's input: the description puts the request body's own schema (input mode) here. */
export const forecastInputRef = named("ForecastInput", z.unknown(), "A forecast input (the body of POST /forecast)");
export const liveForecast = named(
  "LiveForecast",
  z.object({ monthZero: day, asOf: day, input: forecastInputRef, result: forecastResult }),
  "The trial's forecast from its live data, with the input it used",
);

const subtype = z.object({ key: z.string(), gene: z.string(), alteration: z.string(), category: z.string(), label: z.string(), synonyms: z.array(z.string()) });
export const subtypeEntry = named("Subtype", subtype, "A molecular subtype of the vocabulary", {
  key: "KRAS:G12C",
  gene: "KRAS",
  alteration: "G12C",
  category: "MUTATION",
  label: "KRAS G12C",
  synonyms: ["G12C", "p.G12C", "p.Gly12Cys", "c.34G>T"],
});
export const subtypeList = named("SubtypeList", z.object({ items: z.array(subtypeEntry) }), "The vocabulary");
export const resolvedSubtype = named("ResolvedSubtype", z.object({ key: z.string(), label: z.string() }), "The vocabulary key a wording names", {
  key: "KRAS:G12C",
  label: "KRAS G12C",
});

const token = z.object({ id, name: z.string(), scope: z.enum(TOKEN_SCOPES), prefix: z.string(), expiresAt: instant });
export const tokenList = named(
  "TokenList",
  z.object({
    items: z.array(token.extend({ createdAt: instant, revokedAt: instant.nullable(), lastUsedAt: instant.nullable(), active: z.boolean() })),
  }),
  "Your tokens (never their secret)",
);
export const createdToken = named("CreatedToken", token.extend({ token: z.string() }), "The new token, with its secret shown this once");

const publicKey = z.object({
  kid: z.string(),
  createdAt: instant,
  retiresAt: instant.nullable(),
  jwk: z.object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string(), kid: z.string(), alg: z.literal("EdDSA") }),
});
const checkpoint = z.object({ seq: z.string().regex(/^\d+$/), hash: z.string().regex(/^[0-9a-f]{64}$/), at: instant, kid: z.string(), jws: z.string() });
export const checkpointDocument = named(
  "CheckpointDocument",
  z.object({ type: z.literal("trialbridge.audit-checkpoints"), keys: z.array(publicKey), checkpoints: z.array(checkpoint) }),
  "Signed checkpoints of the audit chain and the public keys that signed them",
);
export const checkpointSealed = named(
  "CheckpointSealed",
  z.object({ checkpoint: checkpoint.nullable() }),
  "The checkpoint of the chain's head now (null while the trail is empty)",
);

const places = byCountry(z.number().int());
export const allocation = named("Allocation", places, "The cohort's places per country", { US: 28, CN: 22 });

export const placeHeld = named(
  "PlaceAnswer",
  z.discriminatedUnion("state", [
    z.object({ state: z.literal("held"), reservationId: id, expiresAt: instant }),
    z.object({ state: z.literal("waiting"), entryId: id, position: z.number().int().min(1) }),
  ]),
  "A place held until its expiry (201), or the patient's position on the cohort's waitlist (202)",
  { state: "held", reservationId: "cmx7b2k1c0003w87d4q2m9x1a", expiresAt: "2026-12-10T09:30:00.000Z" },
);
export const placeReleased = named(
  "PlaceReleased",
  z.object({ released: z.enum(["hold", "waitlist"]), offered: z.number().int() }),
  "What was released, and how many places were offered to patients waiting",
  { released: "hold", offered: 1 },
);

const outcome = z.enum(["met", "unknown", "failed"]);
export const matchAnswer = named(
  "MatchAnswer",
  z.object({
    results: z.array(z.object({ subtype: z.string(), key: z.string(), label: z.string(), result: z.string() })),
    trials: z.array(
      z.object({
        trialId: id,
        code: z.string(),
        title: z.string(),
        status: z.string(),
        sites: z.array(
          z.object({ siteId: id, code: z.string(), name: z.string(), country: z.string(), status: z.string(), mine: z.boolean(), registerHere: z.boolean() }),
        ),
        cohorts: z.array(
          z.object({
            cohortId: id,
            code: z.string(),
            name: z.string(),
            state: z.enum(["open", "full", "suspended", "closed", "not_active"]),
            placesLeft: z.number().int(),
            outcome,
            reasons: z.array(z.object({ outcome, text: z.string() })),
            criteriaVersion: z.number().int(),
          }),
        ),
      }),
    ),
  }),
  "The results as understood, and each cohort's state, places left and verdicts",
);

const problems = z.record(z.string(), z.array(z.string()));
export const importPreview = named(
  "ImportPreview",
  z.object({
    preview: z.literal(true),
    rows: z.number().int(),
    ready: z.boolean(),
    problems,
    sample: z.array(
      z.object({
        line: z.number().int(),
        site: z.string(),
        screeningDate: day,
        ageAtScreening: z.number().int(),
        sex: z.string(),
        results: z.array(z.object({ subtype: z.string(), result: z.string(), method: z.string() })),
      }),
    ),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    alreadyImported: z.object({ at: instant, rows: z.number().int(), fileName: z.string() }).nullable(),
    duplicates: z.array(
      z.object({
        line: z.number().int(),
        of: z.union([z.object({ participantId: id, screeningNumber: z.string() }), z.object({ line: z.number().int() })]),
      }),
    ),
  }),
  "What would be imported, written nowhere: problems by line and field, the first rows, possible duplicates",
);
export const importDone = named(
  "ImportDone",
  z.object({ imported: z.number().int(), screeningNumbers: z.array(z.string()), participants: z.array(z.object({ id, screeningNumber: z.string() })) }),
  "How many were imported, their screening numbers and record ids",
  { imported: 1, screeningNumbers: ["US-BOS1-0022"], participants: [{ id: "cmx7b2k1c0004w87dzt0q5l8e", screeningNumber: "US-BOS1-0022" }] },
);

export const federationReceipt = named("FederationReceipt", pushAnswer, "How far this node has applied the peer's feed", { appliedSeq: 41, missing: null });
export const federationPoll = named("FederationPoll", pollAnswer, "The snapshots after the one asked from, as compact JWS");

/** A FHIR answer: a resource (an OperationOutcome when refused); its full validation is against FHIR's own definitions (tests/db/fhir.test.ts). */
export const fhirResource = named(
  "FhirResource",
  z.looseObject({ resourceType: z.string() }),
  "A FHIR R4 resource (validated against the R4 definitions in the tests)",
);
export const fhirOutcome = named(
  "OperationOutcome",
  z.looseObject({ resourceType: z.literal("OperationOutcome"), issue: z.array(z.looseObject({ severity: z.string(), code: z.string() })).min(1) }),
  "A FHIR OperationOutcome: why the request was refused",
);

/** The components: every named answer, with the forecast input in its request form. */
export function answerComponents(forecastInputSchema: Record<string, unknown>): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(answers, {
    io: "output",
    target: "draft-2020-12",
    unrepresentable: "any",
    uri: (name) => `#/components/schemas/${name}`,
  }) as { schemas: Record<string, Record<string, unknown>> };
  // Each is a component of the description, not a document of its own: no $schema or $id.
  const bare = (schema: Record<string, unknown>) => Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema" && k !== "$id"));
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, bare(schema)]));
  out.ForecastInput = { ...bare(forecastInputSchema), description: "A forecast input (the body of POST /forecast)" };
  return out;
}
