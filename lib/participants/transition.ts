// Moving a participant along the path screened -> eligible | screen failure -> consented -> enrolled into a cohort
// -> withdrawn | completed. Dates are the site's calendar dates, in order and never in the future at the site.
// Enrolment needs consent and a cohort that accepts one of the patient's detected subtypes; a full cohort refuses
// unless an investigator overrides it with a reason. Optimistic locking: a stale version is a conflict.
import "server-only";
import { canTransitionAt, inScope, participantScope, trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { fromDbDate, toDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import type { ParticipantStatus } from "@/lib/db/generated/enums";
import { appendEnrolmentEvent } from "@/lib/enrolment/events";
import { applyChange, snapshot } from "@/lib/enrolment/tally";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { AppError, notFound } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { transitionInput } from "./schemas";
import { EVER_ENROLLED, SCREEN_FAILURE_REASONS, WITHDRAWAL_REASONS } from "./status";
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

const invalid = (field: string, message: string) => new AppError("invalid", message, { [field]: [message] });

export async function transitionParticipant(actor: Actor, trialId: string, participantId: string, raw: unknown) {
  const access = await trialAccess(actor, trialId);
  await enforce(LIMITS.participantWrites(actor.id));
  const parsed = transitionInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;

  return db().$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Participant" WHERE "id" = ${participantId} AND "trialId" = ${trialId} FOR UPDATE`;
      const participant = locked.length
        ? await tx.participant.findFirst({
            where: { ...participantScope(access), id: participantId },
            include: { ...participantInclude, statusChanges: { orderBy: [{ date: "desc" }, { createdAt: "desc" }], take: 1 } },
          })
        : null;
      if (!participant || !canTransitionAt(access, participant.siteId)) throw notFound("Participant not found.");
      if (participant.voidedAt) throw new AppError("conflict", "This record has been voided and can no longer change.");
      if (participant.version !== input.version) {
        throw new AppError("conflict", "Someone else changed this record since you opened it. Reload it to see their change, then try again.");
      }
      if (!NEXT[participant.status].includes(input.to)) {
        throw invalid("to", `A participant who is ${participant.status} cannot become ${input.to}.`);
      }
      const site = await tx.site.findUniqueOrThrow({ where: { id: participant.siteId }, select: { timeZone: true } });
      const today = todayIn(site.timeZone);
      const last = participant.statusChanges[0] ? fromDbDate(participant.statusChanges[0].date) : fromDbDate(participant.screeningDate);
      if (input.date > today) throw invalid("date", `The date must not be after today at the site (${today}).`);
      if (input.date < last) throw invalid("date", `The date must not be before the previous step (${last}).`);

      let reasonCode: string | null = null;
      let cohortId: string | null = participant.cohortId;
      if (input.to === "SCREEN_FAILED" || input.to === "WITHDRAWN") {
        const allowed: readonly string[] = input.to === "SCREEN_FAILED" ? SCREEN_FAILURE_REASONS : WITHDRAWAL_REASONS;
        if (!input.reasonCode || !allowed.includes(input.reasonCode)) throw invalid("reasonCode", `Choose a reason: ${allowed.join(", ")}.`);
        if (input.reasonCode === "OTHER" && !input.reason) throw invalid("reason", "Describe the reason when it is OTHER.");
        reasonCode = input.reasonCode;
      } else if (input.reasonCode) {
        throw invalid("reasonCode", `A reason code is not used for ${input.to}.`);
      }

      let overridden = false;
      if (input.to === "ENROLLED") {
        if (!input.cohortId) throw invalid("cohortId", "Choose the cohort to enrol into.");
        await tx.$queryRaw`SELECT "id" FROM "Cohort" WHERE "id" = ${input.cohortId} FOR UPDATE`; // one enrolment at a time per cohort
        const cohort = await tx.cohort.findFirst({ where: { id: input.cohortId, trialId }, include: { subtypes: { select: { subtypeId: true } } } });
        if (!cohort) throw invalid("cohortId", "This cohort is not part of the trial.");
        const detected = await tx.participantResult.findMany({ where: { participantId, result: "DETECTED" }, select: { subtypeId: true } });
        if (!cohort.subtypes.some((s) => detected.some((d) => d.subtypeId === s.subtypeId))) {
          throw invalid("cohortId", "This cohort does not accept any subtype detected in this patient.");
        }
        const enrolled = await tx.participant.count({ where: { cohortId: cohort.id, voidedAt: null, status: { in: [...EVER_ENROLLED] } } });
        if (enrolled >= cohort.target) {
          if (!input.override) throw new AppError("conflict", `The cohort is full (${enrolled} of ${cohort.target}). An investigator may override this with a reason.`);
          if (!inScope(access.investigatorSites, participant.siteId)) throw new AppError("forbidden", "Only an investigator may enrol into a full cohort.");
          if (!input.reason) throw invalid("reason", "Give the reason for enrolling beyond the cohort's target.");
          overridden = true;
        }
        cohortId = cohort.id;
      } else if (input.override) {
        throw invalid("override", "An override applies only to enrolment into a full cohort.");
      }

      const before = await snapshot(tx, participantId);
      const updated = await tx.participant.update({
        where: { id: participantId, version: input.version },
        data: { status: input.to, cohortId, version: { increment: 1 } },
        include: participantInclude,
      });
      await tx.statusChange.create({
        data: {
          participantId, fromStatus: participant.status, toStatus: input.to, date: toDbDate(input.date),
          reasonCode, reason: input.reason ?? null, cohortId: input.to === "ENROLLED" ? cohortId : null, actorId: actor.id,
        },
      });
      await applyChange(tx, trialId, before, await snapshot(tx, participantId));
      const view = participantView(updated);
      await recordAudit(tx, {
        actorId: actor.id, action: overridden ? "participant.transition.override" : "participant.transition", entityType: "Participant",
        entityId: participantId, trialId,
        before: { status: participant.status, cohortId: participant.cohortId, version: participant.version },
        after: { status: input.to, date: input.date, cohortId, reasonCode, version: updated.version },
        reason: input.reason ?? null,
      });
      await appendEnrolmentEvent(tx, trialId);
      return view;
    },
    { maxWait: 10_000, timeout: 20_000 },
  );
}
