// Places in a cohort: its target (on one of two nodes, this node's country's allocation), a cap per site, and
// places held for consented patients. A held place counts against all three until it is used by the enrolment,
// released, or expires; then the next patient waiting (by the cohort's order) is offered it as a held place.
// Every function here runs inside the caller's transaction, after the cohort's row is locked (FOR NO KEY UPDATE), so
// two coordinators taking the last place at once are served one after the other: one gets it, the other waits.
import "server-only";
import type { Tx } from "@/lib/db/prisma";
import { recordAudit } from "@/lib/audit/record";
import { wakeFold } from "@/lib/enrolment/tally";
import { thisNode } from "@/lib/federation/node";
import { AppError } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { EVER_ENROLLED } from "@/lib/participants/status";
import { evaluate } from "./criteria";
import { currentCriteria, patientFacts } from "./store";

export const HOLD_DAYS = { default: 7, max: 30 } as const;

export interface CohortPlaces {
  id: string;
  trialId: string;
  target: number;
  siteCap: number | null;
  waitlistOrder: "FIRST_COME" | "ROUND_ROBIN";
}

/** Locks the cohort's row (the order every writer of its places follows) and reads what its places depend on. */
export async function lockCohort(tx: Tx, trialId: string, cohortId: string) {
  await tx.$queryRaw`SELECT "id" FROM "Cohort" WHERE "id" = ${cohortId} AND "trialId" = ${trialId} FOR NO KEY UPDATE`;
  return tx.cohort.findFirst({
    where: { id: cohortId, trialId },
    select: { id: true, trialId: true, code: true, target: true, status: true, siteCap: true, waitlistOrder: true },
  });
}

const refusedCohort = (message: string) => new AppError("invalid", msg("errors.invalid"), { cohortId: [message] });

/**
 * The cohort a patient is to take a place in, locked: it must be of the trial, open, and its criteria in force met
 * by what is recorded of the patient (every criterion, none unknown). Enrolment and holding a place both ask this.
 */
export async function lockCohortFitting(tx: Tx, trialId: string, cohortId: string, participantId: string) {
  const cohort = await lockCohort(tx, trialId, cohortId);
  if (!cohort) throw refusedCohort(msg("validation.cohortNotInTrial"));
  if (cohort.status !== "OPEN") throw refusedCohort(msg(cohort.status === "SUSPENDED" ? "validation.cohortSuspended" : "validation.cohortClosed"));
  const criteria = (await currentCriteria([cohort.id], tx)).get(cohort.id);
  const facts = (await patientFacts([participantId], tx)).get(participantId)!;
  if (!criteria || evaluate(criteria.criteria, facts).outcome !== "met") throw refusedCohort(msg("validation.cohortNoMatch"));
  return cohort;
}

/** The places this node may fill: the target, or on one of two nodes its country's allocation. */
async function placesHere(tx: Tx, cohort: CohortPlaces): Promise<number> {
  const node = thisNode();
  if (!node) return cohort.target;
  return (await tx.cohortAllocation.findUnique({ where: { cohortId_country: { cohortId: cohort.id, country: node.country } } }))?.places ?? 0;
}

export interface Taken {
  places: number;
  enrolled: number;
  held: number;
  atSite: number;
}

/** Places taken now: enrolments, and holds not yet expired (other patients' only, when one is named). */
export async function taken(tx: Tx, cohort: CohortPlaces, siteId: string, exceptParticipant?: string): Promise<Taken> {
  const now = new Date();
  const heldWhere = {
    cohortId: cohort.id,
    state: "HELD" as const,
    expiresAt: { gt: now },
    ...(exceptParticipant ? { participantId: { not: exceptParticipant } } : {}),
  };
  const enrolledWhere = { cohortId: cohort.id, voidedAt: null, status: { in: [...EVER_ENROLLED] } };
  const [places, enrolled, held, enrolledAtSite, heldAtSite] = await Promise.all([
    placesHere(tx, cohort),
    tx.participant.count({ where: enrolledWhere }),
    tx.placeReservation.count({ where: heldWhere }),
    tx.participant.count({ where: { ...enrolledWhere, siteId } }),
    tx.placeReservation.count({ where: { ...heldWhere, siteId } }),
  ]);
  return { places, enrolled, held, atSite: enrolledAtSite + heldAtSite };
}

/** Why a patient at the site cannot have a place now, or null when one is free. */
export function noPlace(cohort: CohortPlaces, t: Taken): string | null {
  const node = thisNode();
  if (t.enrolled + t.held >= t.places) {
    return node
      ? msg("errors.allocationFull", { enrolled: t.enrolled + t.held, places: t.places })
      : msg("errors.cohortFull", { enrolled: t.enrolled + t.held, target: cohort.target });
  }
  if (cohort.siteCap !== null && t.atSite >= cohort.siteCap) return msg("errors.siteCapReached", { cap: cohort.siteCap });
  return null;
}

/** The patient's own place held in this cohort (not expired), if any. */
export function heldFor(tx: Tx, cohortId: string, participantId: string) {
  return tx.placeReservation.findFirst({ where: { cohortId, participantId, state: "HELD", expiresAt: { gt: new Date() } } });
}

/** At enrolment: the patient's held place, if any, is used. */
export async function useHeldPlace(tx: Tx, cohortId: string, participantId: string) {
  // A hold that ran out is not used by this enrolment (the expiry pass marks it expired).
  await tx.placeReservation.updateMany({
    where: { cohortId, participantId, state: "HELD", expiresAt: { gt: new Date() } },
    data: { state: "USED", endedAt: new Date() },
  });
  await tx.waitlistEntry.updateMany({ where: { cohortId, participantId, state: "WAITING" }, data: { state: "LEFT", endedAt: new Date() } });
}

/**
 * Offers freed places to those waiting, one at a time, while places are free: each offer is a held place for the
 * next entry (first come; or, in turn, the waiting site that was offered a place least recently). Audited.
 */
export async function offerFreedPlaces(tx: Tx, cohort: CohortPlaces, actorId: string | null): Promise<number> {
  let offered = 0;
  for (;;) {
    const waiting = await tx.waitlistEntry.findMany({ where: { cohortId: cohort.id, state: "WAITING" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    if (!waiting.length) return offered;
    let next = waiting[0]!;
    if (cohort.waitlistOrder === "ROUND_ROBIN") {
      const lastOffer = new Map<string, number>();
      for (const e of await tx.waitlistEntry.findMany({ where: { cohortId: cohort.id, state: "OFFERED" }, select: { siteId: true, endedAt: true } }))
        lastOffer.set(e.siteId, Math.max(lastOffer.get(e.siteId) ?? 0, e.endedAt?.getTime() ?? 0));
      next = [...waiting].sort((a, b) => (lastOffer.get(a.siteId) ?? 0) - (lastOffer.get(b.siteId) ?? 0) || a.createdAt.getTime() - b.createdAt.getTime())[0]!;
    }
    if (noPlace(cohort, await taken(tx, cohort, next.siteId))) {
      // A site at its cap cannot take the place: with first come, the place waits; in turn, another site may.
      const others = waiting.filter((e) => e.siteId !== next.siteId);
      let placed = false;
      if (cohort.waitlistOrder === "ROUND_ROBIN") {
        for (const other of others) {
          if (!noPlace(cohort, await taken(tx, cohort, other.siteId))) {
            next = other;
            placed = true;
            break;
          }
        }
      }
      if (!placed) return offered;
    }
    const expiresAt = new Date(Date.now() + HOLD_DAYS.default * 86_400_000);
    const hold = await tx.placeReservation.create({
      data: { cohortId: cohort.id, siteId: next.siteId, participantId: next.participantId, expiresAt, createdById: actorId },
    });
    await tx.waitlistEntry.update({ where: { id: next.id }, data: { state: "OFFERED", endedAt: new Date(), reservationId: hold.id } });
    await recordAudit(tx, {
      actorId,
      action: "place.offer",
      entityType: "Participant",
      entityId: next.participantId,
      trialId: cohort.trialId,
      after: { cohortId: cohort.id, reservationId: hold.id, expiresAt: expiresAt.toISOString(), order: cohort.waitlistOrder },
    });
    offered++;
  }
}

/** Holds that ran out are marked expired, and their places offered to those waiting. Run by the background work. */
export async function expireHolds(tx: Tx): Promise<number> {
  const expired = await tx.placeReservation.findMany({
    where: { state: "HELD", expiresAt: { lte: new Date() } },
    select: { id: true, cohortId: true, participantId: true },
  });
  if (!expired.length) return 0;
  const cohorts = [...new Set(expired.map((e) => e.cohortId))].sort(); // one lock order for every writer
  for (const cohortId of cohorts) {
    const trialId = (await tx.cohort.findUniqueOrThrow({ where: { id: cohortId }, select: { trialId: true } })).trialId;
    const cohort = await lockCohort(tx, trialId, cohortId);
    const ended = await tx.placeReservation.updateMany({
      where: { cohortId, state: "HELD", expiresAt: { lte: new Date() } },
      data: { state: "EXPIRED", endedAt: new Date() },
    });
    for (const e of expired.filter((x) => x.cohortId === cohortId)) {
      await recordAudit(tx, {
        actorId: null,
        action: "place.expire",
        entityType: "Participant",
        entityId: e.participantId,
        trialId,
        after: { cohortId, reservationId: e.id },
      });
    }
    if (ended.count && cohort) await offerFreedPlaces(tx, cohort, null);
    await wakeFold(tx, trialId);
  }
  return expired.length;
}

export const placeRefused = (message: string) => new AppError("conflict", message);
