// Corrections and voids, as a regulated system makes them: a reason for every change; the old and new values, who,
// when and why in the audit trail, in the same transaction; a stale version is a conflict and nothing is written;
// nothing is deleted (a mistaken record is voided with a reason and leaves the counts).
import "server-only";
import { canEditAt, participantScope, refusalsAudited, trialAccess, type TrialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { fromDbDate, toDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/prisma";
import { nudgeFold } from "@/lib/enrolment/folder";
import { applyChange, snapshot } from "@/lib/enrolment/tally";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { AppError, notFound } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import { loadVocabulary, resolveResults } from "./results";
import { correctionInput, voidInput } from "./schemas";
import { participantInclude, participantView, sexFromApi } from "./view";

const STALE = msg("errors.stale");

/** Access and rate limit are checked before the transaction: inside it, only `tx` may be used (pool deadlock). */
async function admit(actor: Actor, trialId: string): Promise<TrialAccess> {
  const access = await trialAccess(actor, trialId);
  await enforce(LIMITS.participantWrites(actor.id));
  return access;
}

async function lockEditable(tx: Tx, access: TrialAccess, trialId: string, participantId: string) {
  await tx.$queryRaw`SELECT "id" FROM "Participant" WHERE "id" = ${participantId} AND "trialId" = ${trialId} FOR NO KEY UPDATE`;
  const participant = await tx.participant.findFirst({
    where: { ...participantScope(access), id: participantId },
    include: { ...participantInclude, statusChanges: { orderBy: { date: "asc" }, select: { date: true, toStatus: true } } },
  });
  if (!participant || !canEditAt(access, participant.siteId)) throw notFound(msg("errors.participantNotFound"), "participant_not_found");
  return participant;
}

async function _correctParticipant(actor: Actor, trialId: string, participantId: string, raw: unknown) {
  const parsed = correctionInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  const access = await admit(actor, trialId);
  return db()
    .$transaction(
      async (tx) => {
        const participant = await lockEditable(tx, access, trialId, participantId);
        if (participant.voidedAt) throw new AppError("conflict", msg("errors.voided"));
        if (participant.version !== input.version) throw new AppError("conflict", STALE);
        const countedBefore = await snapshot(tx, participantId);
        const before = participantView(participant);
        const data: Parameters<typeof tx.participant.update>[0]["data"] = {};
        const changed: string[] = [];

        if (input.screeningDate !== undefined && input.screeningDate !== before.screeningDate) {
          const site = await tx.site.findUniqueOrThrow({ where: { id: participant.siteId }, select: { timeZone: true } });
          const today = todayIn(site.timeZone);
          if (input.screeningDate > today) throw new AppError("invalid", msg("errors.invalid"), { screeningDate: [msg("validation.futureDate", { today })] });
          const nextStep = participant.statusChanges.find((s) => s.toStatus !== "SCREENED");
          if (nextStep && input.screeningDate > fromDbDate(nextStep.date)) {
            throw new AppError("invalid", msg("errors.invalid"), { screeningDate: [msg("validation.afterLaterStep", { date: fromDbDate(nextStep.date) })] });
          }
          data.screeningDate = toDbDate(input.screeningDate);
          changed.push("screeningDate");
        }
        if (input.ageAtScreening !== undefined && input.ageAtScreening !== before.ageAtScreening) {
          data.ageAtScreening = input.ageAtScreening;
          changed.push("ageAtScreening");
        }
        if (input.sex !== undefined && input.sex !== before.sex) {
          data.sex = sexFromApi(input.sex);
          changed.push("sex");
        }
        if (input.results !== undefined) {
          const results = resolveResults(await loadVocabulary(tx), input.results);
          const next = results
            .map((r) => `${r.key}|${r.result}|${r.method}`)
            .sort()
            .join(",");
          const current = before.results
            .map((r) => `${r.subtype}|${r.result.toUpperCase()}|${r.method}`)
            .sort()
            .join(",");
          if (next !== current) {
            if (participant.cohortId) {
              const cohortSubtypes = await tx.cohortSubtype.findMany({ where: { cohortId: participant.cohortId }, select: { subtypeId: true } });
              if (!results.some((r) => r.result === "DETECTED" && cohortSubtypes.some((c) => c.subtypeId === r.subtypeId))) {
                throw new AppError("invalid", msg("errors.invalid"), { results: [msg("validation.resultsCohortMismatch")] });
              }
            }
            await tx.participantResult.deleteMany({ where: { participantId } });
            await tx.participantResult.createMany({
              data: results.map((r) => ({ participantId, subtypeId: r.subtypeId, result: r.result, method: r.method })),
            });
            changed.push("results");
          }
        }
        if (changed.length === 0) throw new AppError("invalid", msg("errors.nothingToChange"));

        const updated = await tx.participant.update({
          where: { id: participantId, version: input.version },
          data: { ...data, version: { increment: 1 } },
          include: participantInclude,
        });
        await applyChange(tx, trialId, countedBefore, await snapshot(tx, participantId));
        const after = participantView(updated);
        const pick = (view: typeof before) => Object.fromEntries(changed.map((k) => [k, view[k as keyof typeof view]]));
        await recordAudit(tx, {
          actorId: actor.id,
          action: "participant.correct",
          entityType: "Participant",
          entityId: participantId,
          trialId,
          before: { ...pick(before), version: before.version },
          after: { ...pick(after), version: after.version },
          reason: input.reason,
        });
        return after;
      },
      { maxWait: 10_000, timeout: 20_000 },
    )
    .then((after) => {
      nudgeFold(trialId);
      return after;
    });
}

async function _voidParticipant(actor: Actor, trialId: string, participantId: string, raw: unknown) {
  const parsed = voidInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  const access = await admit(actor, trialId);
  return db()
    .$transaction(
      async (tx) => {
        const participant = await lockEditable(tx, access, trialId, participantId);
        if (participant.voidedAt) throw new AppError("conflict", msg("errors.alreadyVoided"));
        if (participant.version !== input.version) throw new AppError("conflict", STALE);
        const before = await snapshot(tx, participantId);
        const updated = await tx.participant.update({
          where: { id: participantId, version: input.version },
          data: { voidedAt: new Date(), voidReason: input.reason, version: { increment: 1 } },
          include: participantInclude,
        });
        await applyChange(tx, trialId, before, null);
        await recordAudit(tx, {
          actorId: actor.id,
          action: "participant.void",
          entityType: "Participant",
          entityId: participantId,
          trialId,
          before: { voided: false, version: participant.version },
          after: { voided: true, version: updated.version },
          reason: input.reason,
        });
        return participantView(updated);
      },
      { maxWait: 10_000, timeout: 20_000 },
    )
    .then((view) => {
      nudgeFold(trialId);
      return view;
    });
}

export const correctParticipant = refusalsAudited("participant.correct", _correctParticipant);

export const voidParticipant = refusalsAudited("participant.void", _voidParticipant);
