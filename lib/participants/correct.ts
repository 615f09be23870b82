// Corrections and voids, as a regulated system makes them: a reason for every change; the old and new values, who,
// when and why in the audit trail, in the same transaction; a stale version is a conflict and nothing is written;
// nothing is deleted (a mistaken record is voided with a reason and leaves the counts).
import "server-only";
import { evaluate } from "@/lib/matching/criteria";
import { currentCriteria } from "@/lib/matching/store";
import { canEditAt, participantScope, refusalsAudited, trialAccess, type TrialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { fromDbDate, toDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import type { ParticipantStatus } from "@/lib/db/generated/enums";
import type { Tx } from "@/lib/db/prisma";
import { nudgeFold } from "@/lib/enrolment/folder";
import { applyChange, snapshot } from "@/lib/enrolment/tally";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { AppError, notFound } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import { loadVocabulary, resolveResults } from "./results";
import { correctionInput, voidInput, type CorrectionInput } from "./schemas";
import { SCREEN_FAILURE_REASONS, WITHDRAWAL_REASONS } from "./status";
import { stepsInEffect } from "./steps";
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
    include: { ...participantInclude, statusChanges: { where: stepsInEffect, orderBy: [{ date: "asc" }, { createdAt: "asc" }] } },
  });
  if (!participant || !canEditAt(access, participant.siteId)) throw notFound(msg("errors.participantNotFound"), "participant_not_found");
  return participant;
}

interface Step {
  id: string;
  participantId: string;
  fromStatus: ParticipantStatus | null;
  toStatus: ParticipantStatus;
  date: Date;
  reasonCode: string | null;
  reason: string | null;
  cohortId: string | null;
}

/** What the audit trail shows of a step. */
interface StepFacts {
  step: ParticipantStatus;
  date: string;
  reasonCode: string | null;
  note: string | null;
}

const factsOf = (s: { toStatus: ParticipantStatus; date: string; reasonCode: string | null; reason: string | null }): StepFacts => ({
  step: s.toStatus,
  date: s.date,
  reasonCode: s.reasonCode,
  note: s.reason,
});

/** Appends a row that corrects `step` (the step itself stays, append-only); returns the new row's id. */
async function appendCorrection(tx: Tx, actor: Actor, step: Step, change: { date?: string; reasonCode?: string | null; reason?: string | null }) {
  const row = await tx.statusChange.create({
    data: {
      participantId: step.participantId,
      fromStatus: step.fromStatus,
      toStatus: step.toStatus,
      date: change.date !== undefined ? toDbDate(change.date) : step.date,
      reasonCode: change.reasonCode !== undefined ? change.reasonCode : step.reasonCode,
      reason: change.reason !== undefined ? change.reason : step.reason,
      cohortId: step.cohortId,
      actorId: actor.id,
      correctsId: step.id,
    },
  });
  return row.id;
}

/**
 * A later step's date, reason or note corrected: the date stays between the steps before and after it and not in
 * the future at the site; a reason only where the step takes one, from its list. Null when nothing differs.
 */
async function correctStep(
  tx: Tx,
  actor: Actor,
  steps: Step[],
  input: NonNullable<CorrectionInput["step"]>,
  today: string,
): Promise<{ before: StepFacts; after: StepFacts } | null> {
  const index = steps.findIndex((s) => s.id === input.id);
  const step = steps[index];
  const refuse = (field: string, message: string) => new AppError("invalid", msg("errors.invalid"), { [`step.${field}`]: [message] });
  if (!step) throw refuse("id", msg("validation.stepNotInEffect"));
  if (step.toStatus === "SCREENED") throw refuse("id", msg("validation.firstStepIsScreeningDate"));
  const current = { toStatus: step.toStatus, date: fromDbDate(step.date), reasonCode: step.reasonCode, reason: step.reason };
  const next = {
    ...current,
    ...(input.date !== undefined ? { date: input.date } : {}),
    ...(input.reasonCode !== undefined ? { reasonCode: input.reasonCode } : {}),
    ...(input.note !== undefined ? { reason: input.note === "" ? null : input.note } : {}),
  };
  const previous = steps[index - 1];
  const following = steps[index + 1];
  if (next.date > today) throw refuse("date", msg("validation.futureDate", { today }));
  if (previous && next.date < fromDbDate(previous.date)) throw refuse("date", msg("validation.beforePreviousStep", { date: fromDbDate(previous.date) }));
  if (following && next.date > fromDbDate(following.date)) throw refuse("date", msg("validation.afterLaterStep", { date: fromDbDate(following.date) }));
  const reasons: readonly string[] | null =
    step.toStatus === "SCREEN_FAILED" ? SCREEN_FAILURE_REASONS : step.toStatus === "WITHDRAWN" ? WITHDRAWAL_REASONS : null;
  if (reasons === null && input.reasonCode !== undefined) throw refuse("reasonCode", msg("validation.reasonCodeNotUsed", { to: step.toStatus }));
  if (reasons !== null && (!next.reasonCode || !reasons.includes(next.reasonCode))) {
    throw refuse("reasonCode", msg("validation.chooseReason", { reasons: reasons.join(", ") }));
  }
  if (next.reasonCode === "OTHER" && !next.reason) throw refuse("note", msg("validation.otherNeedsText"));
  if (next.date === current.date && next.reasonCode === current.reasonCode && next.reason === current.reason) return null;
  await appendCorrection(tx, actor, step, { date: next.date, reasonCode: next.reasonCode, reason: next.reason });
  return { before: factsOf(current), after: factsOf(next) };
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
        let todayAtSite: string | undefined; // read once, for the checks that need it
        const siteToday = async () =>
          (todayAtSite ??= todayIn((await tx.site.findUniqueOrThrow({ where: { id: participant.siteId }, select: { timeZone: true } })).timeZone));
        const before = participantView(participant);
        const data: Parameters<typeof tx.participant.update>[0]["data"] = {};
        const changed: string[] = [];

        if (input.screeningDate !== undefined && input.screeningDate !== before.screeningDate) {
          const today = await siteToday();
          if (input.screeningDate > today) throw new AppError("invalid", msg("errors.invalid"), { screeningDate: [msg("validation.futureDate", { today })] });
          const nextStep = participant.statusChanges.find((s) => s.toStatus !== "SCREENED");
          if (nextStep && input.screeningDate > fromDbDate(nextStep.date)) {
            throw new AppError("invalid", msg("errors.invalid"), { screeningDate: [msg("validation.afterLaterStep", { date: fromDbDate(nextStep.date) })] });
          }
          data.screeningDate = toDbDate(input.screeningDate);
          changed.push("screeningDate");
          const screened = participant.statusChanges.find((s) => s.toStatus === "SCREENED");
          if (screened) {
            await appendCorrection(tx, actor, screened, { date: input.screeningDate }); // the path shows the new date too
            screened.date = data.screeningDate;
          }
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
              // An enrolled patient's corrected results must still meet the criteria of the cohort they are in.
              const criteria = (await currentCriteria([participant.cohortId], tx)).get(participant.cohortId);
              const subtypes = new Map(
                (
                  await tx.subtype.findMany({
                    where: { id: { in: results.map((r) => r.subtypeId) } },
                    select: { id: true, key: true, gene: true, alteration: true },
                  })
                ).map((x) => [x.id, x]),
              );
              const facts = {
                age: input.ageAtScreening ?? before.ageAtScreening,
                results: results.map((r) => ({ ...subtypes.get(r.subtypeId)!, result: r.result.toLowerCase() as "detected" | "not_detected" | "failed" })),
              };
              if (!criteria || evaluate(criteria.criteria, facts).outcome !== "met") {
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
        let step: { before: StepFacts; after: StepFacts } | null = null;
        if (input.step !== undefined) {
          step = await correctStep(tx, actor, participant.statusChanges, input.step, await siteToday());
          if (step) changed.push("step");
        }
        if (changed.length === 0) throw new AppError("invalid", msg("errors.nothingToChange"));

        const updated = await tx.participant.update({
          where: { id: participantId, version: input.version },
          data: { ...data, version: { increment: 1 } },
          include: participantInclude,
        });
        await applyChange(tx, trialId, countedBefore, await snapshot(tx, participantId));
        const after = participantView(updated);
        const pick = (view: typeof before) => Object.fromEntries(changed.filter((k) => k !== "step").map((k) => [k, view[k as keyof typeof view]]));
        await recordAudit(tx, {
          actorId: actor.id,
          action: "participant.correct",
          entityType: "Participant",
          entityId: participantId,
          trialId,
          before: { ...pick(before), ...(step ? { step: step.before } : {}), version: before.version },
          after: { ...pick(after), ...(step ? { step: step.after } : {}), version: after.version },
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
