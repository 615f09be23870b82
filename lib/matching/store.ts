// Cohort criteria in the database: versions appended (CohortCriteria is append-only), the latest in force, and the
// cohort's subtypes (CohortSubtype) kept in step with what its inclusion names, for the readers that count by
// subtype (the forecast's prevalences, the peer's trial definition).
import "server-only";
import { Prisma } from "@/lib/db/generated/client";
import type { Tx } from "@/lib/db/prisma";
import { db as defaultDb } from "@/lib/db/client";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { cohortCriteria, criteriaOfSubtypes, evaluate, includedSubtypes, type CohortCriteria, type PatientFacts } from "./criteria";

type Reader = Pick<Tx, "$queryRaw">;

export interface CriteriaVersion {
  cohortId: string;
  version: number;
  criteria: CohortCriteria;
  reason: string;
  amendment: string | null;
  createdAt: Date;
}

/** A version's row never changes (the table is append-only), so each row is parsed once per process, by its id. */
const parsed = new Map<string, CohortCriteria>();
function parsedVersion(id: string, raw: unknown): CohortCriteria {
  let criteria = parsed.get(id);
  if (!criteria) {
    criteria = cohortCriteria.parse(raw);
    if (parsed.size > 50_000) parsed.clear();
    parsed.set(id, criteria);
  }
  return criteria;
}

/**
 * The criteria in force for each cohort (its latest version). A cohort written without any (by a script, or a test,
 * straight into the table) has the criteria its subtypes have always meant, as version 0.
 */
export async function currentCriteria(cohortIds: readonly string[], reader: Reader = defaultDb()): Promise<Map<string, CriteriaVersion>> {
  if (cohortIds.length === 0) return new Map();
  const rows = await reader.$queryRaw<(Omit<CriteriaVersion, "criteria"> & { id: string; criteria: unknown })[]>`
    SELECT DISTINCT ON ("cohortId") "id", "cohortId", "version", "criteria", "reason", "amendment", "createdAt"
      FROM "CohortCriteria" WHERE "cohortId" = ANY(${[...cohortIds]}::text[])
     ORDER BY "cohortId", "version" DESC`;
  const found = new Map(rows.map(({ id, ...r }) => [r.cohortId, { ...r, criteria: parsedVersion(id, r.criteria) }] as const));
  const missing = cohortIds.filter((id) => !found.has(id));
  if (missing.length) {
    const subtypes = await reader.$queryRaw<{ cohortId: string; keys: string[] }[]>`
      SELECT cs."cohortId", array_agg(s."key" ORDER BY s."key") AS "keys"
        FROM "CohortSubtype" cs JOIN "Subtype" s ON s."id" = cs."subtypeId"
       WHERE cs."cohortId" = ANY(${missing}::text[]) GROUP BY cs."cohortId"`;
    for (const { cohortId, keys } of subtypes)
      found.set(cohortId, { cohortId, version: 0, criteria: criteriaOfSubtypes(keys), reason: "", amendment: null, createdAt: new Date(0) });
  }
  return found;
}

/** Every version of one cohort's criteria, newest first. */
export async function criteriaHistory(cohortId: string, reader: Pick<Tx, "cohortCriteria"> = defaultDb()) {
  const rows = await reader.cohortCriteria.findMany({ where: { cohortId }, orderBy: { version: "desc" } });
  return rows.map((r) => ({ ...r, criteria: cohortCriteria.parse(r.criteria) }));
}

/** Refuses criteria that name a subtype the vocabulary does not have (a typo would match nobody, silently). */
async function checkKeys(tx: Tx, criteria: CohortCriteria) {
  const keys = [...criteria.include, ...criteria.requireNotDetected, ...criteria.exclude].flatMap((r) => (r.kind === "subtype" ? [r.key] : []));
  if (!keys.length) return;
  const found = new Set((await tx.subtype.findMany({ where: { key: { in: keys } }, select: { key: true } })).map((s) => s.key));
  const missing = [...new Set(keys.filter((k) => !found.has(k)))];
  if (missing.length) throw new AppError("invalid", msg("errors.invalid"), { criteria: [msg("validation.unknownSubtype", { input: missing.join(", ") })] });
}

/**
 * Appends a version of a cohort's criteria (when they differ from those in force) and keeps its subtypes in step.
 * The caller holds the cohort's row lock and records the change in the audit trail (its action is theirs).
 */
export async function appendCriteria(
  tx: Tx,
  cohortId: string,
  criteria: CohortCriteria,
  how: {
    actorId: string | null;
    reason: string;
    amendment?: string | null | undefined;
    /** false for the peer's: its vocabulary may differ */ checkKeys?: boolean;
  },
): Promise<{ version: number; changed: boolean; before: CohortCriteria | null }> {
  if (how.checkKeys !== false) await checkKeys(tx, criteria);
  const current = (await currentCriteria([cohortId], tx)).get(cohortId);
  if (current && JSON.stringify(current.criteria) === JSON.stringify(criteria)) return { version: current.version, changed: false, before: current.criteria };
  const version = (current?.version ?? 0) + 1;
  await tx.cohortCriteria.create({
    data: {
      cohortId,
      version,
      criteria: criteria as unknown as Prisma.InputJsonValue,
      reason: how.reason,
      amendment: how.amendment ?? null,
      actorId: how.actorId,
    },
  });
  await syncSubtypes(tx, cohortId, criteria);
  return { version, changed: true, before: current?.criteria ?? null };
}

/** The cohort's subtypes: the vocabulary's subtypes its inclusion names (after criteria change, or the vocabulary). */
export async function syncSubtypes(tx: Tx, cohortId: string, criteria: CohortCriteria) {
  const vocabulary = await tx.subtype.findMany({ select: { id: true, key: true, gene: true, alteration: true } });
  const keys = new Set(includedSubtypes(criteria, vocabulary));
  await tx.cohortSubtype.deleteMany({ where: { cohortId } });
  await tx.cohortSubtype.createMany({ data: vocabulary.filter((s) => keys.has(s.key)).map((s) => ({ cohortId, subtypeId: s.id })) });
}

/** Every cohort's subtypes again, after the vocabulary grew (a new KRAS G12D is in every KRAS G12* cohort). */
export async function resyncAllSubtypes(tx: Tx) {
  const cohorts = await tx.cohort.findMany({ select: { id: true } });
  const criteria = await currentCriteria(
    cohorts.map((c) => c.id),
    tx,
  );
  for (const [cohortId, version] of criteria) await syncSubtypes(tx, cohortId, version.criteria);
}

/** What is known of each patient, for evaluating criteria: their results by subtype, and their age. */
export async function patientFacts(participantIds: readonly string[], reader: Pick<Tx, "participant"> = defaultDb()): Promise<Map<string, PatientFacts>> {
  if (participantIds.length === 0) return new Map();
  const rows = await reader.participant.findMany({
    where: { id: { in: [...participantIds] } },
    select: { id: true, ageAtScreening: true, results: { select: { result: true, subtype: { select: { key: true, gene: true, alteration: true } } } } },
  });
  return new Map(
    rows.map((p) => [
      p.id,
      { age: p.ageAtScreening, results: p.results.map((r) => ({ ...r.subtype, result: r.result.toLowerCase() as PatientFacts["results"][number]["result"] })) },
    ]),
  );
}

/** Audits a criteria change (within the caller's transaction). */
export function auditCriteria(
  tx: Tx,
  actorId: string | null,
  cohort: { id: string; trialId: string },
  change: { before: CohortCriteria | null; after: CohortCriteria; version: number; reason: string; amendment?: string | null | undefined },
) {
  return recordAudit(tx, {
    actorId,
    action: "cohort.criteria",
    entityType: "Cohort",
    entityId: cohort.id,
    trialId: cohort.trialId,
    before: change.before as unknown as Prisma.InputJsonValue,
    after: { version: change.version, amendment: change.amendment ?? null, criteria: change.after } as unknown as Prisma.InputJsonValue,
    reason: change.reason,
  });
}

/**
 * How many of a trial's patients still to be placed (screened, eligible, consented, or failed at screening: not
 * voided, not enrolled) each of the criteria fit, and would fit once a missing test is done. The patients are read once.
 */
export async function criteriaReach(trialId: string, criteria: readonly CohortCriteria[], reader: Pick<Tx, "participant"> = defaultDb()) {
  const candidates = await reader.participant.findMany({
    where: { trialId, voidedAt: null, status: { in: ["SCREENED", "ELIGIBLE", "CONSENTED", "SCREEN_FAILED"] } },
    select: { id: true },
  });
  const facts = [
    ...(
      await patientFacts(
        candidates.map((c) => c.id),
        reader,
      )
    ).values(),
  ];
  return criteria.map((c) => {
    const outcomes = facts.map((f) => evaluate(c, f).outcome);
    return { met: outcomes.filter((o) => o === "met").length, unknown: outcomes.filter((o) => o === "unknown").length, screened: candidates.length };
  });
}
