// FHIR R4 resources built from TrialBridge's own figures (issue 19 item 3): ResearchStudy per trial (cohorts as
// arms, sites as its sites, the R5 recruitment target and actual number through the standard cross-version
// extension) and ResearchSubject per participant, under a pseudonymous identifier and never with a Patient resource.
// Pure functions: lib/fhir/read.ts decides who sees what.

export const FHIR_VERSION = "4.0.1";
/** When this CapabilityStatement last changed (its `date`). */
export const CAPABILITY_DATE = "2026-12-02";
export const FHIR_JSON = "application/fhir+json";
export const FHIR_NDJSON = "application/fhir+ndjson";

/** Our own identifier systems (urn: names that are ours, not anyone's web address). */
export const SYSTEMS = {
  trial: "urn:trialbridge:trial",
  site: "urn:trialbridge:site",
  pseudonym: "urn:trialbridge:screening-number",
} as const;

/** R5's ResearchStudy.recruitment, carried in R4 by the cross-version extension (FHIR R5 "5.0" extensions). */
export const RECRUITMENT_EXTENSION = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ResearchStudy.recruitment";

/**
 * TrialBridge's path mapped to R4's research-subject-status (http://hl7.org/fhir/research-subject-status):
 * screened and still being screened is `screening`; eligible is `eligible`; consented and waiting to be enrolled is
 * `pending-on-study`; a screen failure is `ineligible`; enrolled is `on-study`; withdrawn is `withdrawn`; completed
 * is `off-study` (left the study having finished it).
 */
export const SUBJECT_STATUS = {
  SCREENED: "screening",
  ELIGIBLE: "eligible",
  CONSENTED: "pending-on-study",
  SCREEN_FAILED: "ineligible",
  ENROLLED: "on-study",
  WITHDRAWN: "withdrawn",
  COMPLETED: "off-study",
} as const;
export type SubjectStatus = (typeof SUBJECT_STATUS)[keyof typeof SUBJECT_STATUS];
export const SUBJECT_STATUSES = [...new Set(Object.values(SUBJECT_STATUS))] as SubjectStatus[];

/** R4 research-study-status for a trial's status. */
const STUDY_STATUS: Record<string, string> = { PLANNED: "approved", RECRUITING: "active", CLOSED: "closed-to-accrual" };

/** R4 research-study-phase from the trial's phase as written ("Phase 2", "Phase 1/2"); n-a when it is not one. */
export function studyPhase(phase: string): { coding: { system: string; code: string; display: string }[]; text: string } {
  const digits = [...phase.matchAll(/[1-4]/g)].map((m) => m[0]);
  const code = digits.length === 1 ? `phase-${digits[0]}` : digits.length === 2 && digits[0] !== digits[1] ? `phase-${digits[0]}-phase-${digits[1]}` : "n-a";
  const known = ["phase-1", "phase-2", "phase-3", "phase-4", "phase-1-phase-2", "phase-2-phase-3"];
  const final = known.includes(code) ? code : "n-a";
  return {
    coding: [{ system: "http://terminology.hl7.org/CodeSystem/research-study-phase", code: final, display: final === "n-a" ? "N/A" : phase }],
    text: phase,
  };
}

export interface StudyFacts {
  id: string;
  code: string;
  title: string;
  phase: string;
  indication: string;
  status: string;
  sponsorName: string;
  plannedStart: string;
  target: number;
  enrolled: number;
  cohorts: { code: string; name: string; target: number; enrolled: number }[];
  sites: { code: string; name: string; country: string }[];
}

export function researchStudy(s: StudyFacts) {
  return {
    resourceType: "ResearchStudy" as const,
    id: s.id,
    identifier: [{ system: SYSTEMS.trial, value: s.code }],
    title: s.title,
    status: STUDY_STATUS[s.status] ?? "active",
    phase: studyPhase(s.phase),
    condition: [{ text: s.indication }],
    period: { start: s.plannedStart },
    sponsor: { display: s.sponsorName },
    site: s.sites.map((x) => ({ identifier: { system: SYSTEMS.site, value: x.code }, display: `${x.name} (${x.country})` })),
    arm: s.cohorts.map((c) => ({
      name: c.code,
      description: `${c.name}: ${c.enrolled} of ${c.target} enrolled`,
    })),
    extension: [
      {
        url: RECRUITMENT_EXTENSION,
        extension: [
          { url: "targetNumber", valueUnsignedInt: s.target },
          { url: "actualNumber", valueUnsignedInt: s.enrolled },
        ],
      },
    ],
  };
}

export interface SubjectFacts {
  id: string;
  trialId: string;
  screeningNumber: string;
  status: keyof typeof SUBJECT_STATUS;
  screeningDate: string;
  /** The day the subject left (screen failure, withdrawal, completion), if they have. */
  endDate: string | null;
  /** The cohort's code when the subject is in one and the caller may know it (null: none, or withheld). */
  arm: string | null;
}

export function researchSubject(s: SubjectFacts) {
  return {
    resourceType: "ResearchSubject" as const,
    id: s.id,
    identifier: [{ system: SYSTEMS.pseudonym, value: s.screeningNumber }],
    status: SUBJECT_STATUS[s.status],
    period: { start: s.screeningDate, ...(s.endDate ? { end: s.endDate } : {}) },
    study: { reference: `ResearchStudy/${s.trialId}` },
    // A logical reference by pseudonym: there is no Patient resource, and no identity behind this one here.
    individual: { identifier: { system: SYSTEMS.pseudonym, value: s.screeningNumber }, display: `Participant ${s.screeningNumber}` },
    ...(s.arm ? { assignedArm: s.arm, actualArm: s.arm } : {}),
  };
}

export type Resource = ReturnType<typeof researchStudy> | ReturnType<typeof researchSubject>;

/** A searchset Bundle with its total and paging links. */
export function searchBundle(resources: readonly Resource[], total: number, links: { self: string; next?: string; previous?: string }, baseUrl: string) {
  return {
    resourceType: "Bundle" as const,
    type: "searchset" as const,
    total,
    link: Object.entries(links)
      .filter(([, url]) => url)
      .map(([relation, url]) => ({ relation, url: url! })),
    entry: resources.map((resource) => ({ fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`, resource, search: { mode: "match" as const } })),
  };
}

/** An OperationOutcome for an error (FHIR's error body). */
export function operationOutcome(code: "not-found" | "forbidden" | "invalid" | "login" | "throttled" | "exception", diagnostics: string) {
  return { resourceType: "OperationOutcome" as const, issue: [{ severity: "error" as const, code, diagnostics }] };
}

/** A page of search results: its size unless `_count` says otherwise, and the most `_count` may ask for. */
export const PAGE = { default: 50, max: 200 } as const;

/** Each type's search parameters: what the CapabilityStatement lists and what a search accepts (beside `_format`). */
export const SEARCH_PARAMS = {
  ResearchStudy: [
    { name: "_id", type: "token", documentation: "The trial's id" },
    { name: "identifier", type: "token", documentation: `The trial's code (system ${SYSTEMS.trial})` },
  ],
  ResearchSubject: [
    { name: "_id", type: "token", documentation: "The participant's id" },
    { name: "study", type: "reference", documentation: "ResearchStudy/{id}: the trial" },
    { name: "status", type: "token", documentation: "research-subject-status, comma-separated for any of several" },
    { name: "identifier", type: "token", documentation: `The pseudonymous screening number (system ${SYSTEMS.pseudonym})` },
    { name: "_count", type: "number", documentation: `Page size (1 to ${PAGE.max}, ${PAGE.default} unless given)` },
    { name: "_offset", type: "number", documentation: "Results to pass over (the Bundle's next and previous links set it)" },
  ],
} as const;

/** What this server does: read and search two resource types. */
export function capabilityStatement(baseUrl: string, software: { version: string }, date = CAPABILITY_DATE) {
  const resource = (type: keyof typeof SEARCH_PARAMS, profile: string) => ({
    type,
    profile,
    interaction: [{ code: "read" as const }, { code: "search-type" as const }],
    searchParam: SEARCH_PARAMS[type],
  });
  return {
    resourceType: "CapabilityStatement" as const,
    status: "active" as const,
    date,
    publisher: "TrialBridge",
    kind: "instance" as const,
    software: { name: "TrialBridge", version: software.version },
    implementation: { description: "TrialBridge FHIR R4 (read-only, de-identified)", url: baseUrl },
    fhirVersion: FHIR_VERSION,
    format: [FHIR_JSON, "json"],
    rest: [
      {
        mode: "server" as const,
        documentation:
          "Read-only. Authenticate with a TrialBridge API token (Authorization: Bearer ...) or a signed-in session. Each caller sees what the app shows them: sponsors see studies and their counts, never subjects. GET ResearchStudy/{id}/$export streams the study and its subjects the caller may see as NDJSON (synchronously, not the Bulk Data protocol).",
        security: { service: [{ text: "Bearer token" }], description: "TrialBridge personal API tokens" },
        resource: [
          resource("ResearchStudy", "http://hl7.org/fhir/StructureDefinition/ResearchStudy"),
          resource("ResearchSubject", "http://hl7.org/fhir/StructureDefinition/ResearchSubject"),
        ],
      },
    ],
  };
}
