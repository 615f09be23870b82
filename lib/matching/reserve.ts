// Holding a place in a cohort for a consented patient, or joining its waitlist when none is free; releasing it.
// Each runs in one transaction under the cohort's row lock (lib/matching/places.ts), so the last place goes to one
// patient only, on every path; each is audited.
import "server-only";
import { z } from "zod";
import { canTransitionAt, participantScope, refusalsAudited, trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { AppError, notFound } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import { wakeFold } from "@/lib/enrolment/tally";
import { heldFor, HOLD_DAYS, lockCohort, lockCohortFitting, noPlace, offerFreedPlaces, taken } from "./places";

export const reserveInput = z.strictObject({
  cohortId: z
    .string({ error: msg("validation.chooseCohort") })
    .min(1, { error: msg("validation.chooseCohort") })
    .max(64),
  days: z.coerce
    .number({ error: msg("validation.holdDays", { max: HOLD_DAYS.max }) })
    .int({ error: msg("validation.holdDays", { max: HOLD_DAYS.max }) })
    .min(1, { error: msg("validation.holdDays", { max: HOLD_DAYS.max }) })
    .max(HOLD_DAYS.max, { error: msg("validation.holdDays", { max: HOLD_DAYS.max }) })
    .default(HOLD_DAYS.default),
});

export const releaseQuery = z.strictObject({ cohortId: reserveInput.shape.cohortId });

export type ReserveAnswer = { state: "held"; reservationId: string; expiresAt: string } | { state: "waiting"; entryId: string; position: number };

async function _reservePlace(actor: Actor, trialId: string, participantId: string, raw: unknown): Promise<ReserveAnswer> {
  const access = await trialAccess(actor, trialId);
  await enforce(LIMITS.participantWrites(actor.id));
  const parsed = reserveInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  return db().$transaction(
    async (tx) => {
      const participant = await tx.participant.findFirst({
        where: { ...participantScope(access), id: participantId },
        select: { id: true, siteId: true, status: true, voidedAt: true },
      });
      if (!participant || !canTransitionAt(access, participant.siteId)) throw notFound(msg("errors.participantNotFound"), "participant_not_found");
      if (participant.voidedAt) throw new AppError("conflict", msg("errors.voided"));
      if (participant.status !== "CONSENTED") throw new AppError("invalid", msg("errors.invalid"), { cohortId: [msg("validation.holdNeedsConsent")] });
      const cohort = await lockCohortFitting(tx, trialId, input.cohortId, participantId);
      if (await heldFor(tx, cohort.id, participantId)) throw new AppError("conflict", msg("errors.alreadyHeld"));
      const waiting = await tx.waitlistEntry.findFirst({ where: { cohortId: cohort.id, participantId, state: "WAITING" } });
      if (waiting) throw new AppError("conflict", msg("errors.alreadyWaiting"));

      if (!noPlace(cohort, await taken(tx, cohort, participant.siteId, participantId))) {
        const expiresAt = new Date(Date.now() + input.days * 86_400_000);
        const hold = await tx.placeReservation.create({
          data: { cohortId: cohort.id, siteId: participant.siteId, participantId, expiresAt, createdById: actor.id },
        });
        await recordAudit(tx, {
          actorId: actor.id,
          action: "place.hold",
          entityType: "Participant",
          entityId: participantId,
          trialId,
          after: { cohortId: cohort.id, reservationId: hold.id, expiresAt: expiresAt.toISOString() },
        });
        await wakeFold(tx, trialId); // open dashboards show the held place
        return { state: "held" as const, reservationId: hold.id, expiresAt: expiresAt.toISOString() };
      }
      const entry = await tx.waitlistEntry.create({ data: { cohortId: cohort.id, siteId: participant.siteId, participantId, createdById: actor.id } });
      const position = await tx.waitlistEntry.count({
        where: { cohortId: cohort.id, state: "WAITING", OR: [{ createdAt: { lt: entry.createdAt } }, { createdAt: entry.createdAt, id: { lte: entry.id } }] },
      });
      await recordAudit(tx, {
        actorId: actor.id,
        action: "place.wait",
        entityType: "Participant",
        entityId: participantId,
        trialId,
        after: { cohortId: cohort.id, entryId: entry.id, position },
      });
      return { state: "waiting" as const, entryId: entry.id, position };
    },
    { maxWait: 10_000, timeout: 20_000 },
  );
}

async function _releasePlace(actor: Actor, trialId: string, participantId: string, raw: unknown): Promise<{ released: "hold" | "waitlist"; offered: number }> {
  const access = await trialAccess(actor, trialId);
  await enforce(LIMITS.participantWrites(actor.id));
  const parsed = releaseQuery.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  return db().$transaction(async (tx) => {
    const participant = await tx.participant.findFirst({ where: { ...participantScope(access), id: participantId }, select: { id: true, siteId: true } });
    if (!participant || !canTransitionAt(access, participant.siteId)) throw notFound(msg("errors.participantNotFound"), "participant_not_found");
    const cohort = await lockCohort(tx, trialId, parsed.data.cohortId);
    if (!cohort) throw new AppError("invalid", msg("errors.invalid"), { cohortId: [msg("validation.cohortNotInTrial")] });
    const now = new Date();
    const hold = await heldFor(tx, cohort.id, participantId);
    if (hold) {
      await tx.placeReservation.update({ where: { id: hold.id }, data: { state: "RELEASED", endedAt: now } });
      await recordAudit(tx, {
        actorId: actor.id,
        action: "place.release",
        entityType: "Participant",
        entityId: participantId,
        trialId,
        after: { cohortId: cohort.id, reservationId: hold.id },
      });
      const offered = await offerFreedPlaces(tx, cohort, actor.id);
      await wakeFold(tx, trialId);
      return { released: "hold" as const, offered };
    }
    const left = await tx.waitlistEntry.updateMany({ where: { cohortId: cohort.id, participantId, state: "WAITING" }, data: { state: "LEFT", endedAt: now } });
    if (!left.count) throw notFound(msg("errors.noPlaceHeld"));
    await recordAudit(tx, {
      actorId: actor.id,
      action: "place.leave",
      entityType: "Participant",
      entityId: participantId,
      trialId,
      after: { cohortId: cohort.id },
    });
    return { released: "waitlist" as const, offered: 0 };
  });
}

export const reservePlace = refusalsAudited("place.hold", _reservePlace);
export const releasePlace = refusalsAudited("place.release", _releasePlace);
