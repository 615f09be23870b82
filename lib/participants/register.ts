// Registering a screened patient: validated, scoped to the coordinator's own sites, numbered per site, with its
// test results, first status, audit row and counter deltas in one transaction (optionally idempotent); the live event
// follows from the folder just after commit (docs/decisions/011).
// Split in two so the CSV import can check every row before writing any: checkRegistration reads only;
// insertRegistrations writes any number of checked registrations inside the caller's transaction, in a fixed handful
// of statements (one registration or an import's five thousand), in the documented lock order
// (docs/decisions/010-lock-order.md): the sites' numbering rows in id order, and no other lock.
import "server-only";
import { randomUUID } from "node:crypto";
import { canEditAt, trialAccess, type TrialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { auditRowsInsert } from "@/lib/audit/record";
import { fromDbDate, toDbDate, todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { holdsPatientsOf } from "@/lib/federation/node";
import type { Tx } from "@/lib/db/prisma";
import { nudgeFold } from "@/lib/enrolment/folder";
import { applyChanges, type ParticipantSnapshot } from "@/lib/enrolment/tally";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { AppError, notFound } from "@/lib/http/errors";
import { idempotent } from "@/lib/http/idempotency";
import { msg } from "@/lib/i18n/messages";
import { validationError } from "@/lib/http/validation";
import { loadVocabulary, resolveResults } from "./results";
import { registerInput, type RegisterInput } from "./schemas";
import type { Country } from "@/lib/db/generated/enums";
import { participantView, sexFromApi, type ParticipantView } from "./view";

const WRITE_CHUNK = 250;
/** Ids made here for bulk inserts: 32 lower-case hex digits (like the database's other ids, letters and digits only). */
const newId = () => randomUUID().replace(/-/g, "");

export interface CheckedRegistration {
  input: RegisterInput;
  trialSiteId: string;
  siteCode: string;
  country: Country;
  results: Awaited<ReturnType<typeof resolveResults>>;
}

type SiteRow = { id: string; status: string; activationDate: Date | null; site: { code: string; timeZone: string; country: Country } } | null;

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
        select: { id: true, status: true, activationDate: true, site: { select: { code: true, timeZone: true, country: true } } },
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
  // On one of two nodes, a site of the other country keeps its patients on its own node (lib/federation).
  if (!holdsPatientsOf(trialSite.site.country)) throw new AppError("invalid", msg("errors.invalid"), { siteId: [msg("validation.siteOnPeerNode")] });
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
  return { input, trialSiteId: trialSite.id, siteCode: trialSite.site.code, country: trialSite.site.country, results };
}

/**
 * Writes checked registrations inside the caller's transaction: numbers, participants, results, first steps and one
 * audit row each (the counter deltas are countRegistrations'). Each site's numbering row is locked in id order and
 * re-checked there, so a site closed (or its trial) after the checks but before this commit refuses the write.
 */
export async function insertRegistrations(
  tx: Tx,
  actor: Actor,
  trialId: string,
  checked: readonly CheckedRegistration[],
  auditReason?: string,
): Promise<ParticipantView[]> {
  const bySite = new Map<string, CheckedRegistration[]>();
  for (const c of checked) {
    const list = bySite.get(c.trialSiteId);
    if (list) list.push(c);
    else bySite.set(c.trialSiteId, [c]);
  }
  const numbers = new Map<CheckedRegistration, string>();
  for (const trialSiteId of [...bySite.keys()].sort()) {
    const rows = bySite.get(trialSiteId)!;
    const earliest = rows.reduce((min, r) => (r.input.screeningDate < min ? r.input.screeningDate : min), rows[0]!.input.screeningDate);
    const [seq] = await tx.$queryRaw<{ screeningSeq: number }[]>`
      UPDATE "TrialSite" SET "screeningSeq" = "screeningSeq" + ${rows.length}
       WHERE "id" = ${trialSiteId} AND "status" = 'ACTIVE' AND "activationDate" <= ${toDbDate(earliest)}
      RETURNING "screeningSeq"`;
    if (!seq) throw new AppError("invalid", msg("errors.invalid"), { siteId: [msg("validation.siteNotActive")] });
    rows.forEach((r, i) => numbers.set(r, `${r.siteCode}-${String(seq.screeningSeq - rows.length + 1 + i).padStart(4, "0")}`));
  }
  const rows = checked.map((c) => ({ c, id: newId(), screeningDate: toDbDate(c.input.screeningDate), screeningNumber: numbers.get(c)! }));
  const views: ParticipantView[] = [];
  // Multi-row INSERTs from arrays (one parameter per column): an import's 5,000 participants take a few dozen
  // statements, in chunks that let the server answer other requests in between.
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
    if (i > 0) await new Promise((r) => setImmediate(r));
    const chunk = rows.slice(i, i + WRITE_CHUNK);
    const ids = chunk.map((r) => r.id);
    const dates = chunk.map((r) => r.screeningDate);
    const results = chunk.flatMap((r) => r.c.results.map((x) => ({ participantId: r.id, ...x })));
    const chunkViews = chunk.map(({ c, id, screeningDate, screeningNumber }) =>
      participantView({
        id,
        trialId,
        siteId: c.input.siteId,
        screeningNumber,
        screeningDate,
        ageAtScreening: c.input.ageAtScreening,
        sex: sexFromApi(c.input.sex),
        status: "SCREENED",
        cohortId: null,
        version: 1,
        voidedAt: null,
        voidReason: null,
        results: [...c.results]
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
          .map((r) => ({ result: r.result, method: r.method, subtype: { key: r.key } })),
      }),
    );
    const audit = auditRowsInsert(
      chunkViews.map((view) => ({
        actorId: actor.id,
        action: "participant.create",
        entityType: "Participant",
        entityId: view.id,
        trialId,
        after: view,
        reason: auditReason ?? null,
      })),
    );
    // The participants, their results, first steps and audit rows in one statement (one round trip); the keys between
    // them are checked at its end.
    await tx.$executeRaw`
      WITH p AS (
        INSERT INTO "Participant" ("id", "trialId", "siteId", "screeningNumber", "screeningDate", "ageAtScreening", "sex", "createdById", "updatedAt")
        SELECT t.id, ${trialId}, t.site, t.num, t.date, t.age, t.sex::"Sex", ${actor.id}, now()
          FROM unnest(${ids}::text[], ${chunk.map((r) => r.c.input.siteId)}::text[], ${chunk.map((r) => r.screeningNumber)}::text[], ${dates}::date[],
                      ${chunk.map((r) => r.c.input.ageAtScreening)}::int[], ${chunk.map((r) => sexFromApi(r.c.input.sex))}::text[]) AS t(id, site, num, date, age, sex)),
      r AS (
        INSERT INTO "ParticipantResult" ("id", "participantId", "subtypeId", "result", "method")
        SELECT gen_random_uuid()::text, t.p, t.s, t.r::"TestResult", t.m::"TestMethod"
          FROM unnest(${results.map((x) => x.participantId)}::text[], ${results.map((x) => x.subtypeId)}::text[], ${results.map((x) => x.result)}::text[], ${results.map((x) => x.method)}::text[]) AS t(p, s, r, m)),
      s AS (
        INSERT INTO "StatusChange" ("id", "participantId", "toStatus", "date", "actorId")
        SELECT gen_random_uuid()::text, t.p, 'SCREENED', t.d, ${actor.id} FROM unnest(${ids}::text[], ${dates}::date[]) AS t(p, d)),
      a AS (${audit})
      SELECT 1`;
    views.push(...chunkViews);
  }
  return views;
}

/**
 * Adds checked registrations to the trial's counters (pending deltas: no lock, docs/decisions/010-lock-order.md).
 */
export async function countRegistrations(tx: Tx, trialId: string, checked: readonly CheckedRegistration[]) {
  const snapshots = checked.map(
    (c): ParticipantSnapshot => ({
      siteId: c.input.siteId,
      country: c.country,
      cohortId: null,
      screeningDate: c.input.screeningDate,
      voided: false,
      steps: [{ to: "SCREENED", date: c.input.screeningDate, reasonCode: null }],
      results: c.results.map((r) => ({ key: r.key, result: r.result })),
    }),
  );
  await applyChanges(
    tx,
    trialId,
    snapshots.map((after) => ({ before: null, after })),
  );
}

export interface RegisterOptions {
  idempotencyKey?: string;
}

export async function registerParticipant(actor: Actor, trialId: string, raw: unknown, options: RegisterOptions = {}) {
  const access = await trialAccess(actor, trialId);
  await enforce(LIMITS.participantWrites(actor.id));
  const checked = await checkRegistration(access, raw);
  const registered = await db().$transaction(
    async (tx) => {
      const create = async () => ({ status: 201, body: (await insertRegistrations(tx, actor, trialId, [checked]))[0]! });
      const result = options.idempotencyKey
        ? await idempotent<ParticipantView>(tx, { actorId: actor.id, scope: `participants.create:${trialId}`, key: options.idempotencyKey, body: raw }, create)
        : { ...(await create()), replayed: false };
      if (!result.replayed) await countRegistrations(tx, trialId, [checked]);
      return result;
    },
    { maxWait: 10_000, timeout: 20_000 },
  );
  nudgeFold(trialId);
  return registered;
}
