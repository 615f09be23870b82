// Registering a screened patient: validated, scoped to the coordinator's own sites, numbered per site, with its
// test results, first status, audit row and enrolment event in one transaction (optionally idempotent).
// Split in two so the CSV import can check every row before writing any: checkRegistration reads only;
// insertRegistration writes inside the caller's transaction.
import "server-only";
import { canEditAt, trialAccess, type TrialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { fromDbDate, toDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/prisma";
import { appendEnrolmentEvent } from "@/lib/enrolment/events";
import { applyChange, snapshot } from "@/lib/enrolment/tally";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { AppError, notFound } from "@/lib/http/errors";
import { idempotent } from "@/lib/http/idempotency";
import { msg } from "@/lib/i18n/messages";
import { validationError } from "@/lib/http/validation";
import { loadVocabulary, resolveResults } from "./results";
import { registerInput, type RegisterInput } from "./schemas";
import { participantInclude, participantView, sexFromApi, type ParticipantView } from "./view";

export interface CheckedRegistration {
  input: RegisterInput;
  trialSiteId: string;
  siteCode: string;
  results: Awaited<ReturnType<typeof resolveResults>>;
}

type SiteRow = { id: string; status: string; activationDate: Date | null; site: { code: string; timeZone: string } } | null;

/** Lookups shared by the checks of one request or import (sites, vocabulary). */
export class RegistrationContext {
  private readonly sites = new Map<string, Promise<SiteRow>>();
  private vocabulary: ReturnType<typeof loadVocabulary> | undefined;
  constructor(readonly access: TrialAccess) {}
  site(siteId: string) {
    let found = this.sites.get(siteId);
    if (!found) {
      found = db().trialSite.findUnique({
        where: { trialId_siteId: { trialId: this.access.trialId, siteId } },
        select: { id: true, status: true, activationDate: true, site: { select: { code: true, timeZone: true } } },
      });
      this.sites.set(siteId, found);
    }
    return found;
  }
  subtypes() {
    this.vocabulary ??= loadVocabulary();
    return this.vocabulary;
  }
}

/** Validates one registration without writing anything; throws a 4xx AppError naming the fields. */
export async function checkRegistration(access: TrialAccess, raw: unknown, context = new RegistrationContext(access)): Promise<CheckedRegistration> {
  const parsed = registerInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  if (!canEditAt(access, input.siteId)) throw notFound(msg("errors.siteNotFound"));
  const trialSite = await context.site(input.siteId);
  if (!trialSite) throw notFound(msg("errors.siteNotFound"));
  if (trialSite.status !== "ACTIVE" || !trialSite.activationDate) {
    throw new AppError("invalid", msg("errors.invalid"), { siteId: [msg("validation.siteNotActive")] });
  }
  const today = todayIn(trialSite.site.timeZone);
  if (input.screeningDate > today) {
    throw new AppError("invalid", msg("errors.invalid"), { screeningDate: [msg("validation.futureDate", { today })] });
  }
  const activation = fromDbDate(trialSite.activationDate);
  if (input.screeningDate < activation) {
    throw new AppError("invalid", msg("errors.invalid"), { screeningDate: [msg("validation.beforeActivation", { date: activation })] });
  }
  const results = resolveResults(await context.subtypes(), input.results);
  return { input, trialSiteId: trialSite.id, siteCode: trialSite.site.code, results };
}

/** Writes a checked registration inside the caller's transaction: number, participant, results, history, audit. */
export async function insertRegistration(tx: Tx, actor: Actor, trialId: string, checked: CheckedRegistration, auditReason?: string): Promise<ParticipantView> {
  const { input, results } = checked;
  const [seq] = await tx.$queryRaw<{ screeningSeq: number }[]>`
    UPDATE "TrialSite" SET "screeningSeq" = "screeningSeq" + 1 WHERE "id" = ${checked.trialSiteId} RETURNING "screeningSeq"`;
  const participant = await tx.participant.create({
    data: {
      trialId, siteId: input.siteId, screeningNumber: `${checked.siteCode}-${String(seq!.screeningSeq).padStart(4, "0")}`,
      screeningDate: toDbDate(input.screeningDate), ageAtScreening: input.ageAtScreening, sex: sexFromApi(input.sex),
      createdById: actor.id,
      results: { create: results.map((r) => ({ subtypeId: r.subtypeId, result: r.result, method: r.method })) },
      statusChanges: { create: { toStatus: "SCREENED", date: toDbDate(input.screeningDate), actorId: actor.id } },
    },
    include: participantInclude,
  });
  await applyChange(tx, trialId, null, await snapshot(tx, participant.id));
  const view = participantView(participant);
  await recordAudit(tx, { actorId: actor.id, action: "participant.create", entityType: "Participant", entityId: participant.id, trialId, after: view, reason: auditReason ?? null });
  return view;
}

export interface RegisterOptions {
  idempotencyKey?: string;
}

export async function registerParticipant(actor: Actor, trialId: string, raw: unknown, options: RegisterOptions = {}) {
  const access = await trialAccess(actor, trialId);
  await enforce(LIMITS.participantWrites(actor.id));
  const checked = await checkRegistration(access, raw);
  return db().$transaction(
    async (tx) => {
      const create = async () => {
        const view = await insertRegistration(tx, actor, trialId, checked);
        await appendEnrolmentEvent(tx, trialId);
        return { status: 201, body: view };
      };
      if (!options.idempotencyKey) return { ...(await create()), replayed: false };
      return idempotent<ParticipantView>(tx, { actorId: actor.id, scope: `participants.create:${trialId}`, key: options.idempotencyKey, body: raw }, create);
    },
    { maxWait: 10_000, timeout: 20_000 },
  );
}
