// Administering trials: the trial itself (create, edit, close), its cohorts with their subtypes and targets, and its
// participating sites (status, activation date, planned screening rate). Administrators only; every change is
// audited in its own transaction with the old and new values, and changes to existing records need a reason.
import "server-only";
import { assertAdmin } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { criteriaOfSubtypes } from "@/lib/matching/criteria";
import { appendCriteria, auditCriteria, criteriaHistory, criteriaReach, currentCriteria } from "@/lib/matching/store";
import { fromDbDate, todayIn, toDbDate } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/prisma";
import type { TrialSiteStatus, TrialStatus } from "@/lib/db/generated/enums";
import { AppError, notFound } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { jointTallies } from "@/lib/enrolment/joint";
import { holdsPatientsOf, thisNode } from "@/lib/federation/node";
import { diff, invalidField, parse, uniqueOr } from "./common";
import { allocationInput, cohortCreate, cohortUpdate, criteriaPreview, trialCreate, trialSiteCreate, trialSiteUpdate, trialUpdate } from "./schemas";

const NEXT_STATUS: Record<TrialStatus, readonly TrialStatus[]> = { PLANNED: ["RECRUITING", "CLOSED"], RECRUITING: ["CLOSED"], CLOSED: [] };

export async function adminTrials(actor: Actor) {
  await assertAdmin(actor, "trials.list");
  return db().trial.findMany({
    orderBy: { code: "asc" },
    select: {
      id: true,
      code: true,
      title: true,
      phase: true,
      status: true,
      target: true,
      sponsorName: true,
      _count: { select: { cohorts: true, trialSites: true } },
    },
  });
}

export async function adminTrial(actor: Actor, trialId: string) {
  await assertAdmin(actor, "trial.read");
  const trial = await db().trial.findUnique({
    where: { id: trialId },
    include: {
      cohorts: {
        orderBy: { code: "asc" },
        include: { subtypes: { select: { subtype: { select: { key: true } } } }, allocations: { select: { country: true, places: true } } },
      },
      trialSites: { orderBy: { site: { code: "asc" } }, include: { site: { select: { code: true, nameEn: true, nameLocal: true, country: true } } } },
      memberships: {
        where: { revokedAt: null },
        orderBy: [{ role: "asc" }, { createdAt: "asc" }],
        select: { id: true, role: true, user: { select: { id: true, displayName: true, email: true, active: true } }, site: { select: { code: true } } },
      },
    },
  });
  if (!trial) throw notFound(msg("errors.trialNotFound"));
  const histories = new Map(await Promise.all(trial.cohorts.map(async (c) => [c.id, await criteriaHistory(c.id)] as const)));
  const inForce = await currentCriteria(trial.cohorts.map((c) => c.id));
  return {
    ...trial,
    plannedStart: fromDbDate(trial.plannedStart),
    cohorts: trial.cohorts.map((c) => ({
      ...c,
      criteria: inForce.get(c.id)?.criteria ?? null,
      criteriaHistory: histories.get(c.id) ?? [],
      subtypes: c.subtypes.map((s) => s.subtype.key).sort(),
      places: { US: c.allocations.find((a) => a.country === "US")?.places ?? 0, CN: c.allocations.find((a) => a.country === "CN")?.places ?? 0 },
    })),
    trialSites: trial.trialSites.map((ts) => ({
      ...ts,
      activationDate: ts.activationDate ? fromDbDate(ts.activationDate) : null,
      plannedActivationDate: ts.plannedActivationDate ? fromDbDate(ts.plannedActivationDate) : null,
    })),
  };
}

export async function createTrial(actor: Actor, raw: unknown) {
  await assertAdmin(actor, "trial.create");
  const input = parse(trialCreate, raw);
  return uniqueOr("code", msg("validation.codeTaken"), () =>
    db().$transaction(async (tx) => {
      if (await tx.trial.findUnique({ where: { code: input.code }, select: { id: true } }))
        throw new AppError("conflict", msg("errors.invalid"), { code: [msg("validation.codeTaken")] });
      const trial = await tx.trial.create({
        data: { ...input, crossBorderApprovalRef: input.crossBorderApprovalRef ?? null, plannedStart: toDbDate(input.plannedStart) },
      });
      await recordAudit(tx, { actorId: actor.id, action: "trial.create", entityType: "Trial", entityId: trial.id, trialId: trial.id, after: input });
      return trial;
    }),
  );
}

/** Edits a trial (optimistic lock on its version). Closing it also closes every site's participation. */
export async function updateTrial(actor: Actor, trialId: string, raw: unknown) {
  await assertAdmin(actor, "trial.update");
  const { version, reason, ...proposed } = parse(trialUpdate, raw);
  return db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "Trial" WHERE "id" = ${trialId} FOR NO KEY UPDATE`; // lock order: the trial first
    const trial = await tx.trial.findUnique({ where: { id: trialId } });
    if (!trial) throw notFound(msg("errors.trialNotFound"));
    await assertDefinedHere(tx, trialId);
    if (trial.version !== version) throw new AppError("conflict", msg("errors.stale"));
    const current = { ...trial, plannedStart: fromDbDate(trial.plannedStart), crossBorderApprovalRef: trial.crossBorderApprovalRef ?? "" };
    const { before, after } = diff(current, proposed);
    if (after.status && !NEXT_STATUS[trial.status].includes(after.status))
      throw invalidField("status", msg("validation.trialStatusStep", { from: trial.status, to: after.status }));
    await tx.trial.update({
      where: { id: trialId },
      data: {
        ...after,
        ...(after.plannedStart ? { plannedStart: toDbDate(after.plannedStart) } : {}),
        ...(after.crossBorderApprovalRef !== undefined ? { crossBorderApprovalRef: after.crossBorderApprovalRef || null } : {}),
        version: { increment: 1 },
      },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: after.status === "CLOSED" ? "trial.close" : "trial.update",
      entityType: "Trial",
      entityId: trialId,
      trialId,
      before,
      after,
      reason,
    });
    if (after.status === "CLOSED") {
      // then its sites' rows, in id order, as registrations and imports take them (docs/decisions/010-lock-order.md)
      const open = await tx.trialSite.findMany({ where: { trialId, status: { not: "CLOSED" } }, select: { id: true, status: true }, orderBy: { id: "asc" } });
      for (const ts of open) {
        await tx.trialSite.update({ where: { id: ts.id }, data: { status: "CLOSED" } });
        await recordAudit(tx, {
          actorId: actor.id,
          action: "trialSite.update",
          entityType: "TrialSite",
          entityId: ts.id,
          trialId,
          before: { status: ts.status },
          after: { status: "CLOSED" },
          reason,
        });
      }
    }
  });
}

async function subtypeIds(tx: Tx, keys: readonly string[]) {
  const unique = [...new Set(keys)];
  const found = await tx.subtype.findMany({ where: { key: { in: unique }, active: true }, select: { id: true, key: true } });
  const missing = unique.filter((k) => !found.some((s) => s.key === k));
  if (missing.length) throw invalidField("subtypes", msg("validation.unknownSubtype", { input: missing.join(", ") }));
  return found.map((s) => s.id);
}

async function trialOrNotFound(trialId: string) {
  const trial = await db().trial.findUnique({ where: { id: trialId }, select: { id: true, status: true } });
  if (!trial) throw notFound(msg("errors.trialNotFound"));
  return trial;
}

export async function createCohort(actor: Actor, trialId: string, raw: unknown) {
  await assertAdmin(actor, "cohort.create");
  const input = parse(cohortCreate, raw);
  await trialOrNotFound(trialId);
  return uniqueOr("code", msg("validation.codeTaken"), () =>
    db().$transaction(async (tx) => {
      await assertDefinedHere(tx, trialId);
      if (await tx.cohort.findUnique({ where: { trialId_code: { trialId, code: input.code } }, select: { id: true } }))
        throw new AppError("conflict", msg("errors.invalid"), { code: [msg("validation.codeTaken")] });
      await subtypeIds(tx, input.subtypes);
      const cohort = await tx.cohort.create({ data: { trialId, code: input.code, name: input.name, target: input.target } });
      // A cohort defined by subtypes has the criteria "one of them detected" (its first version).
      const criteria = criteriaOfSubtypes([...new Set(input.subtypes)]);
      await appendCriteria(tx, cohort.id, criteria, { actorId: actor.id, reason: "Cohort created" });
      await recordAudit(tx, {
        actorId: actor.id,
        action: "cohort.create",
        entityType: "Cohort",
        entityId: cohort.id,
        trialId,
        after: { ...input, subtypes: [...new Set(input.subtypes)].sort(), criteria },
      });
      return cohort;
    }),
  );
}

export async function updateCohort(actor: Actor, trialId: string, cohortId: string, raw: unknown) {
  await assertAdmin(actor, "cohort.update");
  const { reason, ...proposed } = parse(cohortUpdate, raw);
  await db().$transaction(async (tx) => {
    // The cohort's row is locked before its enrolments are counted, as an enrolment locks it before counting: a target
    // lowered while someone enrols is checked against every enrolment committed before it.
    await tx.$queryRaw`SELECT "id" FROM "Cohort" WHERE "id" = ${cohortId} AND "trialId" = ${trialId} FOR NO KEY UPDATE`;
    await assertDefinedHere(tx, trialId);
    const cohort = await tx.cohort.findFirst({ where: { id: cohortId, trialId } });
    if (!cohort) throw notFound(msg("errors.cohortNotFound"));
    const { criteria: proposedCriteria, amendment, subtypes, ...fields } = proposed;
    const current = { name: cohort.name, target: cohort.target, status: cohort.status, siteCap: cohort.siteCap, waitlistOrder: cohort.waitlistOrder };
    // With new criteria, the cohort's own fields may stay as they are; with nothing new at all, diff says so.
    const criteriaGiven = proposedCriteria !== undefined || subtypes !== undefined;
    const { before, after } =
      criteriaGiven && Object.values(fields).every((v) => v === undefined) ? { before: {}, after: {} as typeof fields } : diff(current, fields);
    if (after.target !== undefined) {
      const enrolled = await tx.participant.count({ where: { cohortId, voidedAt: null, status: { in: ["ENROLLED", "COMPLETED", "WITHDRAWN"] } } });
      if (after.target < enrolled) throw invalidField("target", msg("validation.targetBelowEnrolled", { enrolled }));
    }
    // Subtypes are the simple form of criteria: "one of these detected".
    if (subtypes) await subtypeIds(tx, subtypes);
    const criteria = proposedCriteria ?? (subtypes ? criteriaOfSubtypes([...new Set(subtypes)]) : undefined);
    if (criteria) {
      const appended = await appendCriteria(tx, cohortId, criteria, { actorId: actor.id, reason, amendment });
      if (appended.changed)
        await auditCriteria(
          tx,
          actor.id,
          { id: cohortId, trialId },
          { before: appended.before, after: criteria, version: appended.version, reason, amendment },
        );
      else if (!Object.keys(after).length) throw new AppError("invalid", msg("errors.nothingToChange"));
    }
    if (Object.keys(after).length) {
      await tx.cohort.update({ where: { id: cohortId }, data: after });
      await recordAudit(tx, { actorId: actor.id, action: "cohort.update", entityType: "Cohort", entityId: cohortId, trialId, before, after, reason });
    }
  });
}

/**
 * What criteria typed on the admin page would do, before they are saved: how many of the trial's patients still to be
 * placed (screened, eligible, consented, or failed at screening) they fit, beside the criteria in force. Writes nothing.
 */
export async function previewCohortCriteria(actor: Actor, trialId: string, cohortId: string, raw: unknown) {
  await assertAdmin(actor, "cohort.update");
  const { criteria } = parse(criteriaPreview, raw);
  const cohort = await db().cohort.findFirst({ where: { id: cohortId, trialId }, select: { id: true } });
  if (!cohort) throw notFound(msg("errors.cohortNotFound"));
  const inForce = (await currentCriteria([cohortId])).get(cohortId);
  const [proposed, current] = await criteriaReach(trialId, inForce ? [criteria, inForce.criteria] : [criteria]);
  return { proposed: proposed!, current: current ?? null };
}

function checkActivation(status: TrialSiteStatus, activationDate: string | undefined | null, timeZone: string) {
  if (status === "ACTIVE" && !activationDate) throw invalidField("activationDate", msg("validation.activationNeeded"));
  if (activationDate && activationDate > todayIn(timeZone)) throw invalidField("activationDate", msg("validation.futureDate", { today: todayIn(timeZone) }));
}

export async function addTrialSite(actor: Actor, trialId: string, raw: unknown) {
  await assertAdmin(actor, "trialSite.create");
  const input = parse(trialSiteCreate, raw);
  const trial = await trialOrNotFound(trialId);
  if (trial.status === "CLOSED") throw new AppError("invalid", msg("errors.trialClosed"));
  const site = await db().site.findUnique({ where: { id: input.siteId }, select: { id: true, timeZone: true } });
  if (!site) throw invalidField("siteId", msg("errors.siteNotFound"));
  checkActivation(input.status, input.activationDate, site.timeZone);
  return uniqueOr("siteId", msg("validation.siteAlreadyInTrial"), () =>
    db().$transaction(async (tx) => {
      await assertDefinedHere(tx, trialId);
      if (await tx.trialSite.findUnique({ where: { trialId_siteId: { trialId, siteId: site.id } }, select: { id: true } }))
        throw invalidField("siteId", msg("validation.siteAlreadyInTrial"));
      const created = await tx.trialSite.create({
        data: {
          trialId,
          siteId: site.id,
          status: input.status,
          plannedScreeningRate: input.plannedScreeningRate,
          activationDate: input.activationDate ? toDbDate(input.activationDate) : null,
          plannedActivationDate: input.plannedActivationDate ? toDbDate(input.plannedActivationDate) : null,
        },
      });
      await recordAudit(tx, { actorId: actor.id, action: "trialSite.create", entityType: "TrialSite", entityId: created.id, trialId, after: input });
      return created;
    }),
  );
}

export async function updateTrialSite(actor: Actor, trialId: string, trialSiteId: string, raw: unknown) {
  await assertAdmin(actor, "trialSite.update");
  const { reason, ...proposed } = parse(trialSiteUpdate, raw);
  await db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "TrialSite" WHERE "id" = ${trialSiteId} AND "trialId" = ${trialId} FOR NO KEY UPDATE`; // as registrations lock it
    const ts = await tx.trialSite.findFirst({
      where: { id: trialSiteId, trialId },
      include: { site: { select: { timeZone: true, country: true } }, trial: { select: { status: true } } },
    });
    if (!ts) throw notFound(msg("errors.siteNotFound"));
    if (!holdsPatientsOf(ts.site.country)) throw new AppError("forbidden", msg("errors.siteOnPeerNode"));
    const current = {
      status: ts.status,
      plannedScreeningRate: ts.plannedScreeningRate,
      activationDate: ts.activationDate ? fromDbDate(ts.activationDate) : undefined,
      plannedActivationDate: ts.plannedActivationDate ? fromDbDate(ts.plannedActivationDate) : undefined,
    };
    const { before, after } = diff(current, proposed);
    const next = { ...current, ...after };
    if (ts.trial.status === "CLOSED" && next.status !== "CLOSED") throw new AppError("invalid", msg("errors.trialClosed"));
    checkActivation(next.status, next.activationDate, ts.site.timeZone);
    if (after.activationDate) {
      const earlier = await tx.participant.count({ where: { trialId, siteId: ts.siteId, screeningDate: { lt: toDbDate(after.activationDate) } } });
      if (earlier > 0) throw invalidField("activationDate", msg("validation.activationAfterScreening", { count: earlier }));
    }
    await tx.trialSite.update({
      where: { id: trialSiteId },
      data: {
        ...(after.status ? { status: after.status } : {}),
        ...(after.plannedScreeningRate !== undefined ? { plannedScreeningRate: after.plannedScreeningRate } : {}),
        ...(after.activationDate ? { activationDate: toDbDate(after.activationDate) } : {}),
        ...(after.plannedActivationDate ? { plannedActivationDate: toDbDate(after.plannedActivationDate) } : {}),
      },
    });
    await recordAudit(tx, { actorId: actor.id, action: "trialSite.update", entityType: "TrialSite", entityId: trialSiteId, trialId, before, after, reason });
  });
}

const COUNTRIES = ["US", "CN"] as const;

/** On one of two nodes, a trial's definition is edited on its owner's node only (its signed definition then travels). */
async function assertDefinedHere(tx: Tx, trialId: string) {
  const node = thisNode();
  if (!node) return;
  const trial = await tx.trial.findUnique({ where: { id: trialId }, select: { ownerCountry: true } });
  if (trial && trial.ownerCountry !== node.country) throw new AppError("forbidden", msg("errors.definitionOnOwner"));
}

/**
 * Moves a cohort's places between countries (administrators; on two nodes, on the trial's owner node only: its
 * snapshots carry the allocation to the peer, which applies it). Never below what a country has enrolled (the
 * peer's as of its last verified counts; places are not taken from a peer whose counts are not live), and their sum
 * never above the target. Lock order: the cohort's row, as an enrolment takes it (docs/decisions/010-lock-order.md).
 */
export async function setAllocation(actor: Actor, trialId: string, cohortId: string, raw: unknown) {
  await assertAdmin(actor, "cohort.allocation");
  const { reason, ...places } = parse(allocationInput, raw);
  const node = thisNode();
  return db().$transaction(async (tx) => {
    const trial = await tx.trial.findUnique({ where: { id: trialId }, select: { ownerCountry: true } });
    if (!trial) throw notFound(msg("errors.trialNotFound"));
    if (node && trial.ownerCountry !== node.country) throw new AppError("forbidden", msg("errors.allocationOnOwner"));
    await tx.$queryRaw`SELECT "id" FROM "Cohort" WHERE "id" = ${cohortId} AND "trialId" = ${trialId} FOR NO KEY UPDATE`;
    const cohort = await tx.cohort.findFirst({ where: { id: cohortId, trialId }, include: { allocations: true } });
    if (!cohort) throw notFound(msg("errors.cohortNotFound"));
    if (places.US + places.CN > cohort.target) throw invalidField("US", msg("validation.allocationOverTarget", { target: cohort.target }));
    const { tallies, federation } = await jointTallies(tx, trialId);
    const before = Object.fromEntries(COUNTRIES.map((c) => [c, cohort.allocations.find((a) => a.country === c)?.places ?? 0])) as Record<string, number>;
    for (const country of COUNTRIES) {
      const enrolled = tallies.find((t) => t.dimension === "cohort" && t.key === `${cohortId}:${country}`)?.value ?? 0;
      if (places[country] < enrolled) throw invalidField(country, msg("validation.allocationBelowEnrolled", { enrolled }));
      if (federation && country === federation.country && federation.state !== "live" && places[country] < before[country]!)
        throw new AppError("conflict", msg("errors.allocationPeerNotLive"));
    }
    for (const country of COUNTRIES)
      await tx.cohortAllocation.upsert({
        where: { cohortId_country: { cohortId, country } },
        update: { places: places[country] },
        create: { cohortId, country, places: places[country] },
      });
    await recordAudit(tx, { actorId: actor.id, action: "cohort.allocation", entityType: "Cohort", entityId: cohortId, trialId, before, after: places, reason });
    return places;
  });
}
