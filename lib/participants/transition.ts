// Moving a participant along the path screened -> eligible | screen failure -> consented -> enrolled into a cohort
// -> withdrawn | completed. Dates are the site's calendar dates, in order and never in the future at the site.
// Enrolment needs consent, an open cohort whose criteria in force the patient's recorded results meet, and a place
// (lib/matching/places.ts: the patient's own held place, or a free one within target, allocation and site cap); a
// full cohort refuses unless an investigator overrides it with a reason. Optimistic locking: a stale version is a conflict.
import "server-only";
import { canTransitionAt, inScope, participantScope, refusalsAudited, trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { fromDbDate, toDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import type { ParticipantStatus } from "@/lib/db/generated/enums";
import { nudgeFold } from "@/lib/enrolment/folder";
import { applyChange, snapshot } from "@/lib/enrolment/tally";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { AppError, notFound } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import { heldFor, lockCohortFitting, noPlace, taken, useHeldPlace } from "@/lib/matching/places";
import { transitionInput } from "./schemas";
import { SCREEN_FAILURE_REASONS, WITHDRAWAL_REASONS } from "./status";
import { stepsInEffect } from "./steps";
import { participantInclude, participantView } from "./view";

export const NEXT: Record<ParticipantStatus, readonly ParticipantStatus[]> = {
  SCREENED: ["ELIGIBLE", "SCREEN_FAILED"],
  ELIGIBLE: ["CONSENTED", "SCREEN_FAILED"],
  CONSENTED: ["ENROLLED", "SCREEN_FAILED"],
  ENROLLED: ["WITHDRAWN", "COMPLETED"],
  SCREEN_FAILED: [],
  WITHDRAWN: [],
  COMPLETED: [],
};

const invalid = (field: string, message: string) => new AppError("invalid", msg("errors.invalid"), { [field]: [message] });

async function _transitionParticipant(actor: Actor, trialId: string, participantId: string, raw: unknown) {
  const access = await trialAccess(actor, trialId);
  await enforce(LIMITS.participantWrites(actor.id));
  const parsed = transitionInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;

  return db()
    .$transaction(
      async (tx) => {
        const locked = await tx.$queryRaw<
          { id: string }[]
        >`SELECT "id" FROM "Participant" WHERE "id" = ${participantId} AND "trialId" = ${trialId} FOR NO KEY UPDATE`;
        const participant = locked.length
          ? await tx.participant.findFirst({
              where: { ...participantScope(access), id: participantId },
              include: { ...participantInclude, statusChanges: { where: stepsInEffect, orderBy: [{ date: "desc" }, { createdAt: "desc" }], take: 1 } },
            })
          : null;
        if (!participant || !canTransitionAt(access, participant.siteId)) throw notFound(msg("errors.participantNotFound"), "participant_not_found");
        if (participant.voidedAt) throw new AppError("conflict", msg("errors.voided"));
        if (participant.version !== input.version) {
          throw new AppError("conflict", msg("errors.stale"));
        }
        if (!NEXT[participant.status].includes(input.to)) {
          throw invalid("to", msg("validation.transitionNotAllowed", { from: participant.status, to: input.to }));
        }
        const site = await tx.site.findUniqueOrThrow({ where: { id: participant.siteId }, select: { timeZone: true } });
        const today = todayIn(site.timeZone);
        const last = participant.statusChanges[0] ? fromDbDate(participant.statusChanges[0].date) : fromDbDate(participant.screeningDate);
        if (input.date > today) throw invalid("date", msg("validation.futureDate", { today }));
        if (input.date < last) throw invalid("date", msg("validation.beforePreviousStep", { date: last }));

        let reasonCode: string | null = null;
        let cohortId: string | null = participant.cohortId;
        if (input.to === "SCREEN_FAILED" || input.to === "WITHDRAWN") {
          const allowed: readonly string[] = input.to === "SCREEN_FAILED" ? SCREEN_FAILURE_REASONS : WITHDRAWAL_REASONS;
          if (!input.reasonCode || !allowed.includes(input.reasonCode))
            throw invalid("reasonCode", msg("validation.chooseReason", { reasons: allowed.join(", ") }));
          if (input.reasonCode === "OTHER" && !input.reason) throw invalid("reason", msg("validation.otherNeedsText"));
          reasonCode = input.reasonCode;
        } else if (input.reasonCode) {
          throw invalid("reasonCode", msg("validation.reasonCodeNotUsed", { to: input.to }));
        }

        let overridden = false;
        if (input.to === "ENROLLED") {
          if (!input.cohortId) throw invalid("cohortId", msg("validation.chooseCohort"));
          // Locked (one change of a cohort's places at a time), open, and its criteria in force met by the patient.
          const cohort = await lockCohortFitting(tx, trialId, input.cohortId, participantId);
          // A place: the patient's own held place, or a free one (held places of others count as taken).
          const own = await heldFor(tx, cohort.id, participantId);
          const full = own ? null : noPlace(cohort, await taken(tx, cohort, participant.siteId, participantId));
          if (full) {
            if (!input.override) throw new AppError("conflict", full);
            if (!inScope(access.investigatorSites, participant.siteId)) throw new AppError("forbidden", msg("errors.overrideInvestigatorOnly"));
            if (!input.reason) throw invalid("reason", msg("validation.overrideReason"));
            overridden = true;
          }
          await useHeldPlace(tx, cohort.id, participantId);
          cohortId = cohort.id;
        } else if (input.override) {
          throw invalid("override", msg("validation.overrideOnlyFull"));
        }

        const before = await snapshot(tx, participantId);
        const updated = await tx.participant.update({
          where: { id: participantId, version: input.version },
          data: { status: input.to, cohortId, version: { increment: 1 } },
          include: participantInclude,
        });
        await tx.statusChange.create({
          data: {
            participantId,
            fromStatus: participant.status,
            toStatus: input.to,
            date: toDbDate(input.date),
            reasonCode,
            reason: input.reason ?? null,
            cohortId: input.to === "ENROLLED" ? cohortId : null,
            actorId: actor.id,
          },
        });
        await applyChange(tx, trialId, before, await snapshot(tx, participantId));
        const view = participantView(updated);
        await recordAudit(tx, {
          actorId: actor.id,
          action: overridden ? "participant.transition.override" : "participant.transition",
          entityType: "Participant",
          entityId: participantId,
          trialId,
          before: { status: participant.status, cohortId: participant.cohortId, version: participant.version },
          after: { status: input.to, date: input.date, cohortId, reasonCode, version: updated.version },
          reason: input.reason ?? null,
        });
        return view;
      },
      { maxWait: 10_000, timeout: 20_000 },
    )
    .then((view) => {
      nudgeFold(trialId);
      return view;
    });
}

export const transitionParticipant = refusalsAudited("participant.transition", _transitionParticipant);
