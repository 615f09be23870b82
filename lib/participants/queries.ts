// Reading participants: always through participantScope (what the actor may see), paged by a keyset cursor so a
// page costs the same at 100,000 participants as at 100.
import "server-only";
import { unknownSubtype } from "./results";
import { z } from "zod";
import { canEditAt, canTransitionAt, participantScope, refusalsAudited, trialAccess } from "@/lib/auth/access";
import { msg } from "@/lib/i18n/messages";
import type { Actor } from "@/lib/auth/session";
import { fromDbDate, isIsoDate, toDbDate } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";
import { ParticipantStatus } from "@/lib/db/generated/enums";
import { AppError, notFound } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { createNormaliser } from "@/lib/subtypes/normalise";
import { stepsInEffect } from "./steps";
import { participantInclude, participantView } from "./view";

const date = z.string().refine(isIsoDate, { error: "not a calendar date in YYYY-MM-DD form" });

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  siteId: z.string().max(64).optional(),
  status: z.enum(Object.values(ParticipantStatus) as [ParticipantStatus, ...ParticipantStatus[]]).optional(),
  subtype: z.string().max(100).optional(),
  from: date.optional(),
  to: date.optional(),
  includeVoided: z.enum(["true", "false"]).default("false"),
  sort: z.enum(["-screeningDate", "screeningNumber"]).default("-screeningDate"),
});

export type ListQuery = z.input<typeof listQuery>;

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "string")) return value as [string, string];
  } catch {
    // fall through
  }
  throw new AppError("invalid_request", "The cursor is not valid.");
}

const encodeCursor = (value: [string, string]) => Buffer.from(JSON.stringify(value)).toString("base64url");

export async function listParticipants(actor: Actor, trialId: string, rawQuery: Record<string, string>) {
  const access = await trialAccess(actor, trialId);
  const parsed = listQuery.safeParse(rawQuery);
  if (!parsed.success) throw validationError(parsed.error);
  const q = parsed.data;

  const filters: Prisma.ParticipantWhereInput[] = [participantScope(access)];
  if (q.includeVoided === "false") filters.push({ voidedAt: null });
  if (q.siteId) filters.push({ siteId: q.siteId });
  if (q.status) filters.push({ status: q.status });
  if (q.from) filters.push({ screeningDate: { gte: toDbDate(q.from) } });
  if (q.to) filters.push({ screeningDate: { lte: toDbDate(q.to) } });
  if (q.subtype) {
    const vocabulary = await db().subtype.findMany({ select: { id: true, key: true, gene: true, alteration: true, synonyms: true } });
    const match = createNormaliser(vocabulary)(q.subtype);
    if (!match.ok) {
      throw new AppError("invalid", msg("errors.invalid"), { subtype: [unknownSubtype(q.subtype, match.suggestions)] });
    }
    filters.push({ results: { some: { result: "DETECTED", subtype: { key: match.key } } } });
  }
  const where: Prisma.ParticipantWhereInput = { AND: filters };

  const page: Prisma.ParticipantWhereInput[] = [];
  if (q.cursor) {
    const [a, id] = decodeCursor(q.cursor);
    if (q.sort === "-screeningDate") {
      if (!isIsoDate(a)) throw new AppError("invalid_request", "The cursor is not valid.");
      page.push({ OR: [{ screeningDate: { lt: toDbDate(a) } }, { screeningDate: toDbDate(a), id: { lt: id } }] });
    } else {
      page.push({ OR: [{ screeningNumber: { gt: a } }, { screeningNumber: a, id: { gt: id } }] });
    }
  }
  const orderBy: Prisma.ParticipantOrderByWithRelationInput[] =
    q.sort === "-screeningDate" ? [{ screeningDate: "desc" }, { id: "desc" }] : [{ screeningNumber: "asc" }, { id: "asc" }];

  const [rows, total] = await Promise.all([
    db().participant.findMany({
      where: { AND: [where, ...page] },
      orderBy,
      take: q.limit + 1,
      include: { ...participantInclude, statusChanges: { where: { ...stepsInEffect, toStatus: "SCREEN_FAILED" }, select: { reasonCode: true }, take: 1 } },
    }),
    db().participant.count({ where }),
  ]);
  // The log says why a patient failed screening, beside the status.
  const items = rows.slice(0, q.limit).map((row) => ({ ...participantView(row), screenFailureReason: row.statusChanges[0]?.reasonCode ?? null }));
  const last = rows.length > q.limit ? items.at(-1)! : null;
  const nextCursor = last ? encodeCursor(q.sort === "-screeningDate" ? [last.screeningDate, last.id] : [last.screeningNumber, last.id]) : null;
  return { items, total, nextCursor };
}

async function _getParticipant(actor: Actor, trialId: string, participantId: string) {
  const access = await trialAccess(actor, trialId);
  const participant = await db().participant.findFirst({
    where: { ...participantScope(access), id: participantId },
    include: {
      ...participantInclude,
      statusChanges: { where: stepsInEffect, orderBy: [{ date: "asc" }, { createdAt: "asc" }], include: { corrects: { select: { date: true } } } },
    },
  });
  if (!participant) throw notFound(msg("errors.participantNotFound"), "participant_not_found");
  return {
    participant: participantView(participant),
    history: participant.statusChanges.map((s) => ({
      id: s.id,
      from: s.fromStatus,
      to: s.toStatus,
      date: fromDbDate(s.date),
      reasonCode: s.reasonCode,
      reason: s.reason,
      cohortId: s.cohortId,
      recordedAt: s.createdAt.toISOString(),
      /** The step was corrected: the date it had before (the audit trail has every value and the reason). */
      corrected: s.corrects ? { date: fromDbDate(s.corrects.date) } : null,
    })),
    can: { edit: canEditAt(access, participant.siteId), transition: canTransitionAt(access, participant.siteId) },
  };
}

/** The participant's audit trail (who, when, what, old and new values, why), for those who may see the record. */
export async function participantAudit(actor: Actor, trialId: string, participantId: string) {
  await getParticipant(actor, trialId, participantId); // not found unless visible
  const rows = await db().auditEvent.findMany({ where: { entityType: "Participant", entityId: participantId }, orderBy: { id: "asc" } });
  const actors = await db().user.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.actorId).filter((x): x is string => !!x))] } },
    select: { id: true, displayName: true, email: true },
  });
  const byId = new Map(actors.map((a) => [a.id, a]));
  return rows.map((r) => ({
    id: String(r.id),
    at: r.at.toISOString(),
    action: r.action,
    actor: r.actorId ? (byId.get(r.actorId)?.displayName ?? r.actorId) : null,
    before: r.before,
    after: r.after,
    reason: r.reason,
  }));
}

export const getParticipant = refusalsAudited("participant.read", _getParticipant);
