// Registering a screened patient: validated, scoped to the coordinator's own sites, numbered per site, with its
// test results, first status, audit row and enrolment event in one transaction (optionally idempotent).
import "server-only";
import { canEditAt, trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { fromDbDate, toDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { appendEnrolmentEvent } from "@/lib/enrolment/events";
import { AppError, notFound } from "@/lib/http/errors";
import { idempotent } from "@/lib/http/idempotency";
import { validationError } from "@/lib/http/validation";
import { resolveResults } from "./results";
import { registerInput } from "./schemas";
import { participantInclude, participantView, sexFromApi, type ParticipantView } from "./view";

export interface RegisterOptions {
  idempotencyKey?: string;
}

export async function registerParticipant(actor: Actor, trialId: string, raw: unknown, options: RegisterOptions = {}) {
  const access = await trialAccess(actor, trialId);
  const parsed = registerInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  if (!canEditAt(access, input.siteId)) throw notFound("Site not found.");

  const trialSite = await db().trialSite.findUnique({
    where: { trialId_siteId: { trialId, siteId: input.siteId } },
    include: { site: { select: { code: true, timeZone: true } } },
  });
  if (!trialSite) throw notFound("Site not found.");
  if (trialSite.status !== "ACTIVE" || !trialSite.activationDate) {
    throw new AppError("invalid", "This site is not open for screening in this trial.", { siteId: ["the site is not active in this trial"] });
  }
  const today = todayIn(trialSite.site.timeZone);
  if (input.screeningDate > today) {
    throw new AppError("invalid", "The screening date is in the future.", { screeningDate: [`must not be after today at the site (${today})`] });
  }
  const activation = fromDbDate(trialSite.activationDate);
  if (input.screeningDate < activation) {
    throw new AppError("invalid", "The screening date is before the site opened.", { screeningDate: [`must not be before the site's activation (${activation})`] });
  }

  const run = () =>
    db().$transaction(
      async (tx) => {
        const create = async () => {
          const results = await resolveResults(tx, input.results);
          const [seq] = await tx.$queryRaw<{ screeningSeq: number }[]>`
            UPDATE "TrialSite" SET "screeningSeq" = "screeningSeq" + 1 WHERE "id" = ${trialSite.id} RETURNING "screeningSeq"`;
          const participant = await tx.participant.create({
            data: {
              trialId, siteId: input.siteId, screeningNumber: `${trialSite.site.code}-${String(seq!.screeningSeq).padStart(4, "0")}`,
              screeningDate: toDbDate(input.screeningDate), ageAtScreening: input.ageAtScreening, sex: sexFromApi(input.sex),
              createdById: actor.id,
              results: { create: results.map((r) => ({ subtypeId: r.subtypeId, result: r.result, method: r.method })) },
              statusChanges: { create: { toStatus: "SCREENED", date: toDbDate(input.screeningDate), actorId: actor.id } },
            },
            include: participantInclude,
          });
          const view = participantView(participant);
          await recordAudit(tx, { actorId: actor.id, action: "participant.create", entityType: "Participant", entityId: participant.id, trialId, after: view });
          await appendEnrolmentEvent(tx, trialId);
          return { status: 201, body: view };
        };
        if (!options.idempotencyKey) return { ...(await create()), replayed: false };
        return idempotent<ParticipantView>(tx, { actorId: actor.id, scope: `participants.create:${trialId}`, key: options.idempotencyKey, body: raw }, create);
      },
      { maxWait: 10_000, timeout: 20_000 },
    );
  return run();
}
