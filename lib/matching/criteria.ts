// A cohort's eligibility as data: a small structured expression over molecular results, in the spirit of
// MatchMiner's CTML (gene, protein change with a wildcard, exon-level event, fusion, tested negative, exclusions),
// plus an age range. Pure and safe for the browser: the pre-screening page explains with it, the server decides
// with it (enrolment, matching), and both read the same words.
//
// A patient fits when:
//   - `include`: at least one requirement is met by a detected result;
//   - `requireNotDetected`: every requirement was tested and not detected (e.g. EGFR T790M not detected);
//   - `exclude`: no requirement is met by a detected result (e.g. no concurrent EGFR sensitising mutation);
//   - `age`: the age at screening is within the range.
// A requirement is met by a result's subtype (its vocabulary key, gene and alteration, as lib/subtypes names them):
//   - `subtype`: that key exactly ("EGFR:L858R");
//   - `protein`: the gene, and a protein change matching a pattern ("G12*" is any change at codon 12, "G12C" one);
//   - `exon`: the gene, and an exon-level event ("EGFR" exon 19 deletion is the key EGFR:ex19del);
//   - `fusion`: the gene, fused with any partner.
// Histology is not recorded by TrialBridge, so it is not a criterion (a protocol's histology is checked at
// screening, as today).
import { z } from "zod";
import { msg } from "@/lib/i18n/messages";

const gene = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9-]{2,20}$/, { error: msg("validation.criteria.gene") });

export const requirement = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("subtype"), key: z.string().trim().min(3).max(60) }),
  z.strictObject({
    kind: z.literal("protein"),
    gene,
    pattern: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]\d{1,4}([A-Z]|\*)$/, { error: msg("validation.criteria.pattern") }),
  }),
  z.strictObject({ kind: z.literal("exon"), gene, exon: z.number().int().min(1).max(99), event: z.enum(["deletion", "insertion", "skipping"]) }),
  z.strictObject({ kind: z.literal("fusion"), gene }),
]);
export type Requirement = z.infer<typeof requirement>;

export const cohortCriteria = z
  .strictObject({
    version: z.literal(1),
    include: z
      .array(requirement)
      .min(1, { error: msg("validation.criteria.include") })
      .max(30),
    requireNotDetected: z.array(requirement).max(30).default([]),
    exclude: z.array(requirement).max(30).default([]),
    age: z
      .strictObject({ min: z.number().int().min(0).max(120).optional(), max: z.number().int().min(0).max(120).optional() })
      .refine((a) => a.min === undefined || a.max === undefined || a.min <= a.max, { error: msg("validation.criteria.ageOrder") })
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (c.age && c.age.min === undefined && c.age.max === undefined)
      ctx.addIssue({ code: "custom", path: ["age"], message: msg("validation.criteria.ageEmpty") });
  });
export type CohortCriteria = z.infer<typeof cohortCriteria>;

/** The criteria a cohort defined by subtype keys has always had: one of them detected. */
export function criteriaOfSubtypes(keys: readonly string[]): CohortCriteria {
  return { version: 1, include: [...keys].sort().map((key) => ({ kind: "subtype", key })), requireNotDetected: [], exclude: [] };
}

/** A subtype as the vocabulary describes it. */
export interface SubtypeFacts {
  key: string;
  gene: string;
  alteration: string;
}

/** What is known of a patient: each tested subtype with its result, and the age at screening. */
export interface PatientFacts {
  results: (SubtypeFacts & { result: "detected" | "not_detected" | "failed" })[];
  age?: number | undefined;
}

const EVENTS = { deletion: "del", insertion: "ins", skipping: "skip" } as const;
const canonicalGene = (g: string) => {
  const upper = g.toUpperCase();
  return upper === "HER2" ? "ERBB2" : /^NTRK\d$/.test(upper) ? "NTRK" : upper;
};

/** Whether a subtype is one the requirement names. */
export function meets(req: Requirement, subtype: SubtypeFacts): boolean {
  if (req.kind === "subtype") return subtype.key === req.key;
  if (canonicalGene(subtype.gene) !== canonicalGene(req.gene)) return false;
  const alteration = subtype.alteration;
  switch (req.kind) {
    case "protein":
      // "G12*": the codon, then any change written as letters (G12C, G12D; not G123A). The pattern was validated.
      return req.pattern.endsWith("*") ? new RegExp(`^${req.pattern.slice(0, -1)}[A-Z*]+$`, "i").test(alteration) : alteration.toUpperCase() === req.pattern;
    case "exon":
      return alteration.toLowerCase() === `ex${req.exon}${EVENTS[req.event]}`;
    case "fusion":
      return alteration.toLowerCase() === "fusion";
  }
}

export type Outcome = "met" | "failed" | "unknown";

/** One criterion's verdict, with the result that decided it (a subtype key), for the reader's explanation. */
export interface Check {
  rule: "include" | "requireNotDetected" | "exclude" | "age";
  /** The requirement (or requirements, for include) it is about; none for age. */
  requirements: Requirement[];
  outcome: Outcome;
  /** The subtype keys of the results that decided it. */
  because: string[];
  age?: { min?: number | undefined; max?: number | undefined; value?: number | undefined };
}

export interface Verdict {
  /** met: every criterion met; failed: one failed; unknown: none failed, some not yet known (a test not done). */
  outcome: Outcome;
  checks: Check[];
}

/** Evaluates criteria against what is known of a patient. */
export function evaluate(criteria: CohortCriteria, patient: PatientFacts): Verdict {
  const detected = patient.results.filter((r) => r.result === "detected");
  const checks: Check[] = [];
  const includeHits = detected.filter((r) => criteria.include.some((req) => meets(req, r)));
  checks.push({ rule: "include", requirements: criteria.include, outcome: includeHits.length ? "met" : "failed", because: includeHits.map((r) => r.key) });
  for (const req of criteria.requireNotDetected) {
    const tested = patient.results.filter((r) => meets(req, r));
    const positive = tested.filter((r) => r.result === "detected");
    const negative = tested.filter((r) => r.result === "not_detected");
    checks.push({
      rule: "requireNotDetected",
      requirements: [req],
      outcome: positive.length ? "failed" : negative.length ? "met" : "unknown",
      because: (positive.length ? positive : negative).map((r) => r.key),
    });
  }
  for (const req of criteria.exclude) {
    const positive = detected.filter((r) => meets(req, r));
    checks.push({ rule: "exclude", requirements: [req], outcome: positive.length ? "failed" : "met", because: positive.map((r) => r.key) });
  }
  if (criteria.age) {
    const { min, max } = criteria.age;
    const value = patient.age;
    const outcome: Outcome = value === undefined ? "unknown" : (min !== undefined && value < min) || (max !== undefined && value > max) ? "failed" : "met";
    checks.push({ rule: "age", requirements: [], outcome, because: [], age: { min, max, value } });
  }
  const outcome: Outcome = checks.some((c) => c.outcome === "failed") ? "failed" : checks.some((c) => c.outcome === "unknown") ? "unknown" : "met";
  return { outcome, checks };
}

/** The vocabulary subtypes a cohort's inclusion names (kept as the cohort's subtypes for the forecast and the peer). */
export function includedSubtypes(criteria: CohortCriteria, vocabulary: readonly SubtypeFacts[]): string[] {
  return vocabulary.filter((s) => criteria.include.some((req) => meets(req, s))).map((s) => s.key);
}

/** A translator for the words of lib/i18n/messages `match` (the page's next-intl one, or the server's). */
export type Words = (key: string, params?: Record<string, string | number>) => string;

/** A requirement in the reader's words; `label` names a vocabulary key as the vocabulary labels it. */
export function describeRequirement(req: Requirement, t: Words, label: (key: string) => string): string {
  switch (req.kind) {
    case "subtype":
      return label(req.key);
    case "protein":
      return req.pattern.endsWith("*")
        ? t("req.proteinAny", { gene: req.gene, codon: req.pattern.slice(0, -1) })
        : t("req.protein", { gene: req.gene, pattern: req.pattern });
    case "exon":
      return t("req.exon", { gene: req.gene, exon: req.exon, event: t(`req.events.${req.event}`) });
    case "fusion":
      return t("req.fusion", { gene: req.gene });
  }
}

/** Why a criterion was met, failed or is not yet known, in the reader's words. */
export function explainCheck(check: Check, t: Words, label: (key: string) => string): string {
  const list = (items: string[]) => items.join(t("listSeparator"));
  const required = list(check.requirements.map((r) => describeRequirement(r, t, label)));
  const found = list(check.because.map(label));
  if (check.rule === "age") {
    const { min, max, value } = check.age ?? {};
    const range =
      min !== undefined && max !== undefined
        ? t("age.between", { min, max })
        : min !== undefined
          ? t("age.atLeast", { min })
          : t("age.atMost", { max: max ?? 0 });
    return t(`age.${check.outcome}`, { value: value ?? "", range });
  }
  return t(`check.${check.rule}.${check.outcome}`, { required, found });
}
