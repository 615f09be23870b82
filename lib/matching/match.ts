// Pre-screening: a patient's results, as a report writes them, against every cohort of every trial the caller may
// see, without registering anyone. Each cohort says whether it fits and why, criterion by criterion, in the reader's
// language, with its state (open, full, suspended, closed, not yet active at the caller's sites) and the places
// left; nothing is hidden. Counts only: no other patient's data is read or shown.
import "server-only";
import { z } from "zod";
import { prescreenScope } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { thisNode } from "@/lib/federation/node";
import { AppError } from "@/lib/http/errors";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { validationError } from "@/lib/http/validation";
import type { Locale } from "@/lib/i18n/config";
import { msg, renderMessage } from "@/lib/i18n/messages";
import { createNormaliser } from "@/lib/subtypes/normalise";
import { unknownSubtype } from "@/lib/participants/results";
import { EVER_ENROLLED } from "@/lib/participants/status";
import { evaluate, explainCheck, type Outcome, type PatientFacts, type Words } from "./criteria";
import { currentCriteria, patientFacts, type CriteriaVersion } from "./store";

export const matchInput = z.strictObject({
  results: z
    .array(
      z.strictObject({
        subtype: z
          .string({ error: msg("validation.required") })
          .trim()
          .min(1, { error: msg("validation.required") })
          .max(200),
        result: z.enum(["detected", "not_detected", "failed"], { error: msg("validation.invalidValue") }),
      }),
      { error: msg("validation.matchResults") },
    )
    .min(1, { error: msg("validation.matchResults") })
    .max(30),
  ageAtScreening: z
    .number({ error: msg("validation.ageWhole") })
    .int({ error: msg("validation.ageWhole") })
    .min(0, { error: msg("validation.ageWhole") })
    .max(120, { error: msg("validation.ageWhole") })
    .optional(),
});
export type MatchInput = z.infer<typeof matchInput>;

export type CohortState = "open" | "full" | "suspended" | "closed" | "not_active";

export interface CohortMatch {
  cohortId: string;
  code: string;
  name: string;
  state: CohortState;
  /** Places left for this node's patients (target or allocation, less enrolments and held places). */
  placesLeft: number;
  /** met: fits; unknown: fits so far, a test is missing; failed: does not fit. */
  outcome: Outcome;
  /** Each criterion's verdict in the reader's language. */
  reasons: { outcome: Outcome; text: string }[];
  criteriaVersion: number;
}

export interface TrialMatch {
  trialId: string;
  code: string;
  title: string;
  status: string;
  /** The caller's sites in the trial, and (for information) the trial's other sites in the same countries. */
  sites: { siteId: string; code: string; name: string; country: string; status: string; mine: boolean; registerHere: boolean }[];
  cohorts: CohortMatch[];
}

export interface MatchAnswer {
  /** The results as understood: each text's vocabulary key and label. */
  results: { subtype: string; key: string; label: string; result: string }[];
  trials: TrialMatch[];
}

/** The `match` words in the reader's language, each message formatted once a request (hundreds of cohorts repeat them). */
function memoWords(locale: Locale) {
  const seen = new Map<string, string>();
  return (key: string, params?: Record<string, string | number>) => {
    const id = params ? `${key}\u0000${JSON.stringify(params)}` : key;
    let text = seen.get(id);
    if (text === undefined) seen.set(id, (text = renderMessage(msg(`match.${key}`, params), locale)));
    return text;
  };
}

/**
 * Places left in each cohort for this node's patients: its target (on one of two nodes, this node's country's
 * allocation) less enrolments and holds not expired, the count lib/matching/places.ts enforces, for many cohorts in
 * three queries.
 */
async function placesLeft(cohorts: readonly { id: string; target: number }[]): Promise<Map<string, number>> {
  const ids = cohorts.map((c) => c.id);
  const node = thisNode();
  const [enrolled, held, allocations] = await Promise.all([
    db().participant.groupBy({ by: ["cohortId"], where: { cohortId: { in: ids }, voidedAt: null, status: { in: [...EVER_ENROLLED] } }, _count: true }),
    db().placeReservation.groupBy({ by: ["cohortId"], where: { cohortId: { in: ids }, state: "HELD", expiresAt: { gt: new Date() } }, _count: true }),
    node ? db().cohortAllocation.findMany({ where: { country: node.country, cohortId: { in: ids } } }) : Promise.resolve([]),
  ]);
  const enrolledBy = new Map(enrolled.map((e) => [e.cohortId, e._count]));
  const heldBy = new Map(held.map((h) => [h.cohortId, h._count]));
  const allocationBy = new Map(allocations.map((a) => [a.cohortId, a.places]));
  const places = (c: { id: string; target: number }) => (node ? (allocationBy.get(c.id) ?? 0) : c.target);
  return new Map(cohorts.map((c) => [c.id, Math.max(0, places(c) - (enrolledBy.get(c.id) ?? 0) - (heldBy.get(c.id) ?? 0))]));
}

/** A cohort's state for a reader: closed or suspended (by its status or its trial's), else not active here, full or open. */
function stateOf(cohort: { status: string }, trial: { status: string }, places: number, activeHere: boolean): CohortState {
  if (cohort.status === "CLOSED" || trial.status === "CLOSED") return "closed";
  if (cohort.status === "SUSPENDED") return "suspended";
  if (trial.status !== "RECRUITING" || !activeHere) return "not_active";
  return places === 0 ? "full" : "open";
}

/** A patient's fit with a cohort's criteria in force, each criterion worded for the reader. */
function fitOf(version: CriteriaVersion | undefined, facts: PatientFacts, words: Words, label: (key: string) => string) {
  const verdict = version ? evaluate(version.criteria, facts) : { outcome: "failed" as const, checks: [] };
  return {
    outcome: verdict.outcome,
    reasons: verdict.checks.map((check) => ({ outcome: check.outcome, text: explainCheck(check, words, label) })),
    criteriaVersion: version?.version ?? 0,
  };
}

const STATE_ORDER: Record<CohortState, number> = { open: 0, full: 1, not_active: 2, suspended: 3, closed: 4 };
const OUTCOME_ORDER: Record<Outcome, number> = { met: 0, unknown: 1, failed: 2 };

export async function matchPatient(actor: Actor, raw: unknown, locale: Locale = "en"): Promise<MatchAnswer> {
  await enforce(LIMITS.matches(actor.id));
  const parsed = matchInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;

  // The results in the vocabulary's terms; words it does not know are refused with suggestions, as at registration.
  const vocabulary = await db().subtype.findMany({ where: { active: true }, select: { key: true, gene: true, alteration: true, label: true, synonyms: true } });
  const byKey = new Map(vocabulary.map((v) => [v.key, v]));
  const normalise = createNormaliser(vocabulary);
  const fields: Record<string, string[]> = {};
  const understood: MatchAnswer["results"] = [];
  input.results.forEach((r, i) => {
    const match = normalise(r.subtype);
    if (!match.ok) {
      fields[`results.${i}.subtype`] = [unknownSubtype(r.subtype, match.suggestions)];
      return;
    }
    understood.push({ subtype: r.subtype, key: match.key, label: byKey.get(match.key)?.label ?? match.key, result: r.result });
  });
  if (Object.keys(fields).length) throw new AppError("invalid", msg("errors.invalid"), fields);
  const facts: PatientFacts = {
    age: input.ageAtScreening,
    results: understood.map((u) => ({ key: u.key, gene: byKey.get(u.key)!.gene, alteration: byKey.get(u.key)!.alteration, result: u.result as "detected" })),
  };

  const scope = await prescreenScope(actor);
  const trialIds = scope.map((s) => s.trialId);
  const mySites = [...new Set(scope.flatMap((s) => s.mySites))];
  const myCountries = [...new Set((await db().site.findMany({ where: { id: { in: mySites } }, select: { country: true } })).map((s) => s.country))];
  const trials = await db().trial.findMany({
    where: { id: { in: trialIds } },
    orderBy: { code: "asc" },
    select: {
      id: true,
      code: true,
      title: true,
      status: true,
      cohorts: { orderBy: { code: "asc" }, select: { id: true, code: true, name: true, target: true, status: true } },
      // The caller's sites, and the others in the same countries (for information); not every site of every trial.
      trialSites: {
        where: { OR: [{ siteId: { in: mySites } }, { site: { country: { in: myCountries } } }] },
        select: { siteId: true, status: true, site: { select: { code: true, nameEn: true, nameLocal: true, country: true } } },
      },
    },
  });
  const allCohorts = trials.flatMap((t) => t.cohorts);
  const [criteria, places] = await Promise.all([currentCriteria(allCohorts.map((c) => c.id)), placesLeft(allCohorts)]);
  const label = (key: string) => byKey.get(key)?.label ?? key;
  const words = memoWords(locale);

  const answer: TrialMatch[] = trials.map((trial) => {
    const mine = scope.find((s) => s.trialId === trial.id)!;
    const countriesHere = new Set(trial.trialSites.filter((ts) => mine.mySites.includes(ts.siteId)).map((ts) => ts.site.country));
    const activeHere = trial.trialSites.some((ts) => (mine.mySites.length ? mine.mySites.includes(ts.siteId) : true) && ts.status === "ACTIVE");
    const sites = trial.trialSites
      .filter((ts) => mine.mySites.includes(ts.siteId) || countriesHere.has(ts.site.country))
      .map((ts) => ({
        siteId: ts.siteId,
        code: ts.site.code,
        name: locale === "zh-CN" ? ts.site.nameLocal : ts.site.nameEn,
        country: ts.site.country,
        status: ts.status,
        mine: mine.mySites.includes(ts.siteId),
        registerHere: mine.registerSites.includes(ts.siteId) && ts.status === "ACTIVE",
      }))
      .sort((a, b) => Number(b.mine) - Number(a.mine) || a.code.localeCompare(b.code));
    const cohorts = trial.cohorts
      .map(
        (c): CohortMatch => ({
          cohortId: c.id,
          code: c.code,
          name: c.name,
          state: stateOf(c, trial, places.get(c.id)!, activeHere),
          placesLeft: places.get(c.id)!,
          ...fitOf(criteria.get(c.id), facts, words, label),
        }),
      )
      .sort((a, b) => OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome] || STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.code.localeCompare(b.code));
    return { trialId: trial.id, code: trial.code, title: trial.title, status: trial.status, sites, cohorts };
  });
  // Trials with a fitting cohort first.
  const best = (t: TrialMatch) => Math.min(...t.cohorts.map((c) => OUTCOME_ORDER[c.outcome] * 10 + STATE_ORDER[c.state]), 99);
  answer.sort((a, b) => best(a) - best(b) || a.code.localeCompare(b.code));
  return { results: understood, trials: answer };
}

export interface RecordCohort extends CohortMatch {
  /** This patient's own place: held until, or their position on the waitlist. */
  heldUntil: string | null;
  waitingPosition: number | null;
}

/** A recorded patient's fit with each cohort of their trial (the participant page), in the reader's language. */
export async function recordedPatientCohorts(trialId: string, participantId: string, locale: Locale): Promise<RecordCohort[]> {
  const [cohorts, facts, vocabulary] = await Promise.all([
    db().cohort.findMany({ where: { trialId }, orderBy: { code: "asc" }, select: { id: true, code: true, name: true, target: true, status: true } }),
    patientFacts([participantId]),
    db().subtype.findMany({ select: { key: true, label: true } }),
  ]);
  const ids = cohorts.map((c) => c.id);
  const [criteria, trial, places, mine, waiting] = await Promise.all([
    currentCriteria(ids),
    db().trial.findUniqueOrThrow({ where: { id: trialId }, select: { status: true } }),
    placesLeft(cohorts),
    db().placeReservation.findMany({ where: { participantId, state: "HELD", expiresAt: { gt: new Date() } } }),
    db().waitlistEntry.findMany({
      where: { cohortId: { in: ids }, state: "WAITING" },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { cohortId: true, participantId: true },
    }),
  ]);
  const labels = new Map(vocabulary.map((v) => [v.key, v.label]));
  const words = memoWords(locale);
  const patient = facts.get(participantId) ?? { results: [] };
  // The patient's own trial and site: "not yet active" does not apply, only whether the trial is closed.
  const trialState = { status: trial.status === "CLOSED" ? "CLOSED" : "RECRUITING" };
  return cohorts.map((c) => {
    const position = waiting.filter((w) => w.cohortId === c.id).findIndex((w) => w.participantId === participantId);
    return {
      cohortId: c.id,
      code: c.code,
      name: c.name,
      state: stateOf(c, trialState, places.get(c.id)!, true),
      placesLeft: places.get(c.id)!,
      ...fitOf(criteria.get(c.id), patient, words, (k) => labels.get(k) ?? k),
      heldUntil: mine.find((m) => m.cohortId === c.id)?.expiresAt.toISOString() ?? null,
      waitingPosition: position >= 0 ? position + 1 : null,
    };
  });
}
