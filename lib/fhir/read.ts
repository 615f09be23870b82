// What a caller may read over FHIR, checked as every other read is (lib/auth/access.ts): a study per trial they
// may see, with the same joint counts as the dashboard; subjects only at the sites whose patient rows they may see
// (a sponsor sees none), out of scope being not found. A Chinese site's subject carries no cohort (which names the
// patient's molecular subtype) for a caller the cross-border rule excludes (lib/reports/listing.ts).
import "server-only";
import { isId, participantScope, trialAccess, visibleTrialsWhere, type TrialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { fromDbDate } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import type { ParticipantStatus } from "@/lib/db/generated/enums";
import type { Prisma } from "@/lib/db/generated/client";
import { enrolmentSummary } from "@/lib/enrolment/summary";
import { AppError, notFound } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { withholdsChineseGenetics } from "@/lib/reports/listing";
import { PAGE, researchStudy, researchSubject, SEARCH_PARAMS, SUBJECT_STATUS, SUBJECT_STATUSES, type SubjectStatus } from "./resources";

const ENDS: ParticipantStatus[] = ["SCREEN_FAILED", "WITHDRAWN", "COMPLETED"];

/** A search's parameters that the type does not take (SEARCH_PARAMS, and `_format`), each named as a problem. */
function unknownParameters(type: keyof typeof SEARCH_PARAMS, params: URLSearchParams): Record<string, string[]> {
  const known = new Set<string>(["_format", ...SEARCH_PARAMS[type].map((p) => p.name)]);
  return Object.fromEntries([...params.keys()].filter((name) => !known.has(name)).map((name) => [name, [msg("fhir.unknownParameter", { name })]]));
}

/** One study, for a caller whose access to the trial was checked. */
async function buildStudy(trialId: string) {
  const [trial, summary] = await Promise.all([
    db().trial.findUniqueOrThrow({
      where: { id: trialId },
      select: {
        id: true,
        code: true,
        title: true,
        phase: true,
        indication: true,
        status: true,
        sponsorName: true,
        plannedStart: true,
        target: true,
        trialSites: { select: { site: { select: { code: true, nameEn: true, country: true } } }, orderBy: { site: { code: "asc" } } },
      },
    }),
    enrolmentSummary(db(), trialId),
  ]);
  return researchStudy({
    ...trial,
    plannedStart: fromDbDate(trial.plannedStart),
    enrolled: summary.totals.enrolled,
    cohorts: summary.byCohort.map((c) => ({ code: c.code, name: c.name, target: c.target, enrolled: c.enrolled })),
    sites: trial.trialSites.map((ts) => ({ code: ts.site.code, name: ts.site.nameEn, country: ts.site.country })),
  });
}

export async function studyResource(actor: Actor, trialId: string) {
  await trialAccess(actor, trialId); // not found unless theirs
  return buildStudy(trialId);
}

export interface StudyQuery {
  id?: string;
  code?: string;
}

/** Reads FHIR's search parameters for studies; an unknown one is a 400 with the parameter named. */
export function studyQuery(params: URLSearchParams): StudyQuery {
  const problems = unknownParameters("ResearchStudy", params);
  if (Object.keys(problems).length) throw new AppError("invalid_request", msg("fhir.badSearch"), problems);
  const code = params.get("identifier")?.split("|").at(-1);
  return { ...(params.get("_id") ? { id: params.get("_id")! } : {}), ...(code ? { code } : {}) };
}

/** The studies the caller may see (the trials visibleTrialsWhere lets them see), optionally one by id or code. */
export async function searchStudies(actor: Actor, query: StudyQuery) {
  const trials = await db().trial.findMany({
    where: { ...visibleTrialsWhere(actor), ...(query.id ? { id: query.id } : {}), ...(query.code ? { code: query.code } : {}) },
    select: { id: true },
    orderBy: { code: "asc" },
  });
  return Promise.all(trials.map((t) => buildStudy(t.id)));
}

export interface SubjectQuery {
  trialId: string;
  statuses: SubjectStatus[] | null;
  id?: string;
  screeningNumber?: string;
  count: number;
  offset: number;
}

/** Reads FHIR's search parameters for subjects; a bad one is a 400 with the parameter named. */
export function subjectQuery(params: URLSearchParams): SubjectQuery {
  const problems = unknownParameters("ResearchSubject", params);
  const study = params.get("study");
  const trialId = study?.replace(/^ResearchStudy\//, "") ?? "";
  if (!study) problems.study = [msg("fhir.studyRequired")];
  const status = params.get("status");
  const statuses = status ? status.split(",").map((s) => s.trim()) : null;
  const unknown = statuses?.filter((s) => !(SUBJECT_STATUSES as string[]).includes(s)) ?? [];
  if (unknown.length) problems.status = [msg("fhir.unknownStatus", { status: unknown.join(", "), known: SUBJECT_STATUSES.join(", ") })];
  const count = Number(params.get("_count") ?? PAGE.default);
  if (!Number.isInteger(count) || count < 1 || count > PAGE.max) problems._count = [msg("fhir.count", { max: PAGE.max })];
  const offset = Number(params.get("_offset") ?? 0);
  if (!Number.isInteger(offset) || offset < 0) problems._offset = [msg("fhir.offset")];
  if (Object.keys(problems).length) throw new AppError("invalid_request", msg("fhir.badSearch"), problems);
  const identifier = params.get("identifier")?.split("|").at(-1);
  return {
    trialId,
    statuses: statuses as SubjectStatus[] | null,
    ...(params.get("_id") ? { id: params.get("_id")! } : {}),
    ...(identifier ? { screeningNumber: identifier } : {}),
    count,
    offset,
  };
}

const subjectSelect = {
  id: true,
  trialId: true,
  screeningNumber: true,
  status: true,
  screeningDate: true,
  trialSite: { select: { site: { select: { country: true } } } },
  cohort: { select: { code: true } },
  statusChanges: { where: { toStatus: { in: ENDS }, correctedBy: { is: null } }, select: { toStatus: true, date: true }, orderBy: { date: "desc" as const } },
} as const satisfies Prisma.ParticipantSelect;

type SubjectRow = {
  id: string;
  trialId: string;
  screeningNumber: string;
  status: ParticipantStatus;
  screeningDate: Date;
  trialSite: { site: { country: string } };
  cohort: { code: string } | null;
  statusChanges: { toStatus: ParticipantStatus; date: Date }[];
};

/** The participants whose rows the caller may read (lib/auth/access.ts), voided ones left out. */
const subjectsOf = (access: TrialAccess) => ({ ...participantScope(access), voidedAt: null });

function toSubject(row: SubjectRow, withhold: boolean) {
  const end = ENDS.includes(row.status) ? row.statusChanges.find((c) => c.toStatus === row.status) : undefined;
  return researchSubject({
    id: row.id,
    trialId: row.trialId,
    screeningNumber: row.screeningNumber,
    status: row.status,
    screeningDate: fromDbDate(row.screeningDate),
    endDate: end ? fromDbDate(end.date) : null,
    arm: withhold && row.trialSite.site.country === "CN" ? null : (row.cohort?.code ?? null),
  });
}

/** The subjects of one study the caller may see, a page at a time, with the total. */
export async function searchSubjects(actor: Actor, query: SubjectQuery) {
  const access = await trialAccess(actor, query.trialId);
  const statuses = query.statuses
    ? (Object.entries(SUBJECT_STATUS)
        .filter(([, fhir]) => query.statuses!.includes(fhir))
        .map(([ours]) => ours) as ParticipantStatus[])
    : null;
  const where = {
    ...subjectsOf(access),
    ...(statuses ? { status: { in: statuses } } : {}),
    ...(query.id ? { id: query.id } : {}),
    ...(query.screeningNumber ? { screeningNumber: query.screeningNumber } : {}),
  };
  const [rows, total, withhold] = await Promise.all([
    db().participant.findMany({ where, select: subjectSelect, orderBy: { id: "asc" }, skip: query.offset, take: query.count }),
    db().participant.count({ where }),
    withholdsChineseGenetics(actor, query.trialId),
  ]);
  return { total, resources: rows.map((r) => toSubject(r, withhold)) };
}

/** One subject, or not found when it is not the caller's to see. */
export async function subjectResource(actor: Actor, participantId: string) {
  const found = isId(participantId) ? await db().participant.findFirst({ where: { id: participantId, voidedAt: null }, select: { trialId: true } }) : null;
  if (!found) throw notFound(msg("fhir.subjectNotFound"));
  const access = await trialAccess(actor, found.trialId);
  const row = await db().participant.findFirst({ where: { ...subjectsOf(access), id: participantId }, select: subjectSelect });
  if (!row) throw notFound(msg("fhir.subjectNotFound"));
  return toSubject(row, await withholdsChineseGenetics(actor, found.trialId));
}

const EXPORT_BATCH = 1_000;

/**
 * A study and every subject of it the caller may see, as FHIR NDJSON (one resource a line), read in keyset batches so
 * a large trial never sits in memory; access is decided before the first byte.
 */
export async function exportStudy(actor: Actor, trialId: string): Promise<ReadableStream<Uint8Array>> {
  const access = await trialAccess(actor, trialId);
  const [study, withhold] = await Promise.all([buildStudy(trialId), withholdsChineseGenetics(actor, trialId)]);
  const encoder = new TextEncoder();
  let after: string | null = null;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`${JSON.stringify(study)}\n`));
        return;
      }
      const rows: SubjectRow[] = await db().participant.findMany({
        where: { ...subjectsOf(access), ...(after ? { id: { gt: after } } : {}) },
        select: subjectSelect,
        orderBy: { id: "asc" },
        take: EXPORT_BATCH,
      });
      if (!rows.length) {
        controller.close();
        return;
      }
      after = rows.at(-1)!.id;
      controller.enqueue(encoder.encode(rows.map((r) => `${JSON.stringify(toSubject(r, withhold))}\n`).join("")));
    },
  });
}
