// The one place that decides who may see what. Every page, route handler and server action asks here; a trial or
// site the actor may not see is reported as "not found", never as its data.
//
//   coordinator   patient-level rows of their own site(s), which they register and edit
//   investigator  counts of every site; patient-level rows of their own site(s), or of every site if trial-wide lead
//   sponsor       counts and reports only, never patient-level rows
//   admin         administers every trial; sees counts, but patient-level rows only through a membership
//   peer node     (not a user) the paired node of a partnership: its federation link only, counts never rows
import "server-only";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";
import type { Role } from "@/lib/db/generated/enums";
import type { Db } from "@/lib/db/prisma";
import { thisNode } from "@/lib/federation/node";
import { AppError, notFound } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import type { Actor } from "./session";

export type SiteScope = "all" | readonly string[];

export interface TrialAccess {
  trialId: string;
  roles: ReadonlySet<Role>;
  isAdmin: boolean;
  /** Sites whose patient-level rows the actor may read. */
  patientSites: SiteScope;
  /** Sites where the actor may register and change participants (coordinators). */
  editSites: readonly string[];
  /** Sites where the actor is an investigator (may move patients along their path, and override a full cohort). */
  investigatorSites: SiteScope;
}

/** Records a refused access in the audit trail (who asked for what); nothing about the refused data itself. */
export async function recordRefusal(actor: Actor, what: { entityType: string; entityId?: string | null; trialId?: string | null; action: string }) {
  await db().$transaction((tx) =>
    recordAudit(tx, {
      actorId: actor.id,
      action: "access.refused",
      entityType: what.entityType,
      entityId: what.entityId?.slice(0, 64) ?? null,
      trialId: what.trialId ?? null,
      after: { attempted: what.action },
    }),
  );
}

/**
 * Wraps a use case on one participant `(actor, trialId, participantId, ...)`: when it answers "not found" for a
 * record that exists (another site's patient), the attempt is audited as a refused access. The answer is unchanged.
 */
export function refusalsAudited<A extends [Actor, string, string, ...unknown[]], R>(
  action: string,
  run: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    // Ids come from URLs and form posts: anything but a plausible id is simply not found.
    if (!isId(args[1]) || !isId(args[2])) throw notFound(msg("errors.participantNotFound"), "participant_not_found");
    try {
      return await run(...args);
    } catch (error) {
      const [actor, trialId, participantId] = args;
      if (
        error instanceof AppError &&
        error.reason === "participant_not_found" &&
        (await db().participant.count({ where: { id: participantId, trialId } })) > 0
      ) {
        await recordRefusal(actor, { entityType: "Participant", entityId: participantId, trialId, action });
      }
      throw error;
    }
  };
}

/** Administration is for administrators signed in with a session (not a read-only token); a refusal is audited. */
export async function assertAdmin(actor: Actor, action: string): Promise<void> {
  if (actor.isAdmin && !actor.viaToken) return;
  await recordRefusal(actor, { entityType: "Administration", action });
  throw new AppError("forbidden", msg("errors.adminOnly"));
}

/**
 * The audit trail's signed checkpoints (sequence numbers, hashes and times: no record content) are for
 * administrators, signed in or with a read-only API token (an auditor's copy); asking for a new one needs a session.
 */
export async function assertCheckpointAccess(actor: Actor, write: boolean): Promise<void> {
  if (actor.isAdmin && !(write && actor.viaToken)) return;
  await recordRefusal(actor, { entityType: "AuditCheckpoint", action: write ? "audit.checkpoint" : "audit.checkpoints.read" });
  throw new AppError("forbidden", msg("errors.adminOnly"));
}

/**
 * Whether a live stream opened earlier may go on: the user is still active, their session not ended, and they still
 * see the trial. Asked on every heartbeat, so deactivation, sign-out and a role taken away end open streams too.
 */
/** A live stream's standing: its user, the session it was opened in (none for a token), and its trial. */
export interface Watch {
  userId: string;
  sessionId: string | null;
  /** Null: a stream of the user's own (their notifications), not of a trial. */
  trialId: string | null;
}

export function watchOf(actor: Actor, trialId: string | null): Watch {
  return { userId: actor.id, sessionId: actor.sessionId ?? null, trialId };
}

/**
 * Whether each open stream may go on: its user still active, its session not revoked, and still a member of its
 * trial (administrators of every trial; a stream of the user's own needs no trial). One query for all of an instance's streams, whatever their number.
 */
export async function stillWatching(watches: readonly Watch[]): Promise<boolean[]> {
  if (watches.length === 0) return [];
  const allowed = await db().$queryRaw<{ i: bigint }[]>`
    SELECT w.i
    FROM unnest(${watches.map((w) => w.userId)}::text[], ${watches.map((w) => w.sessionId)}::text[], ${watches.map((w) => w.trialId)}::text[])
      WITH ORDINALITY AS w("userId", "sessionId", "trialId", i)
    JOIN "User" u ON u."id" = w."userId" AND u."active"
    WHERE (w."sessionId" IS NULL OR EXISTS (SELECT 1 FROM "Session" s WHERE s."id" = w."sessionId" AND s."revokedAt" IS NULL))
      AND (w."trialId" IS NULL OR u."isAdmin" OR EXISTS (
        SELECT 1 FROM "Membership" m WHERE m."userId" = w."userId" AND m."trialId" = w."trialId" AND m."revokedAt" IS NULL))`;
  const yes = new Set(allowed.map((row) => Number(row.i) - 1));
  return watches.map((_, index) => yes.has(index));
}

/**
 * Who reads the audit trail: administrators all of it, a trial-wide investigator (an investigator with no site) the
 * rows of their trials; anyone else is told "not found".
 */
export async function auditReadScope(actor: Actor): Promise<"all" | string[]> {
  if (actor.isAdmin) return "all";
  const leads = await db().membership.findMany({ where: { userId: actor.id, role: "INVESTIGATOR", siteId: null, revokedAt: null }, select: { trialId: true } });
  if (leads.length === 0) throw notFound();
  return leads.map((l) => l.trialId);
}

/** Whether the de-identified listing is offered at all (the page's link); listingSites decides and audits. */
export function mayDownloadListing(access: TrialAccess, trial: { sponsorListingAllowed: boolean }): boolean {
  return access.roles.has("INVESTIGATOR") || (access.roles.has("SPONSOR") && trial.sponsorListingAllowed);
}

/**
 * The de-identified participant listing: investigators (of the sites they see) and sponsors where the trial allows
 * it (every site). A refusal is audited. Returns the sites it covers.
 */
export async function listingSites(actor: Actor, access: TrialAccess, trial: { sponsorListingAllowed: boolean }): Promise<SiteScope> {
  const sponsor = access.roles.has("SPONSOR") && trial.sponsorListingAllowed;
  if (!mayDownloadListing(access, trial)) {
    await recordRefusal(actor, { entityType: "Trial", entityId: access.trialId, trialId: access.trialId, action: "listing.download" });
    throw new AppError("forbidden", msg("errors.listingNotAllowed"));
  }
  return sponsor ? "all" : access.investigatorSites;
}

/**
 * Personal API tokens, created and revoked in a signed-in session only: "read" tokens for sponsors and
 * investigators, "audit-checkpoints" tokens (for an auditor to fetch the signed checkpoints) for administrators.
 * Without a scope: whether the actor may have any token at all.
 */
export async function assertMayManageTokens(actor: Actor, creating: boolean, scope?: "read" | "audit-checkpoints"): Promise<void> {
  if (actor.viaToken) throw new AppError("forbidden", msg("errors.tokenReadOnly"));
  if (!creating) return;
  const readers = await db().membership.count({ where: { userId: actor.id, revokedAt: null, role: { in: ["SPONSOR", "INVESTIGATOR"] } } });
  const allowed = scope === undefined ? readers > 0 || actor.isAdmin : scope === "audit-checkpoints" ? actor.isAdmin : readers > 0;
  if (!allowed) throw new AppError("forbidden", msg("errors.tokensNotAllowed"));
}

/** What a token may do: a checkpoints token reads the audit trail's signed checkpoints and nothing else. */
export function assertTokenScope(actor: Actor, path: string): void {
  if (actor.tokenScope === "audit-checkpoints" && path !== "/api/v1/audit/checkpoints") throw new AppError("forbidden", msg("errors.tokenScope"));
}

/** Trials the actor may see at all. */
export function visibleTrialsWhere(actor: Actor): Prisma.TrialWhereInput {
  if (actor.isAdmin) return {};
  return { memberships: { some: { userId: actor.id, revokedAt: null } } };
}

/**
 * Where the actor may pre-screen a patient (lib/matching/match.ts): every trial they may see, with the sites they
 * work at in it (a site-bound membership's site) and whether they register patients there (coordinators). Nothing
 * patient-level is read: pre-screening is of the caller's own patient, against cohorts and counts.
 */
export async function prescreenScope(actor: Actor): Promise<{ trialId: string; mySites: string[]; registerSites: string[] }[]> {
  const trials = await db().trial.findMany({ where: visibleTrialsWhere(actor), select: { id: true } });
  const memberships = await db().membership.findMany({ where: { userId: actor.id, revokedAt: null }, select: { trialId: true, role: true, siteId: true } });
  return trials.map(({ id }) => {
    const mine = memberships.filter((m) => m.trialId === id && m.siteId);
    return {
      trialId: id,
      mySites: [...new Set(mine.map((m) => m.siteId!))],
      registerSites: actor.viaToken ? [] : [...new Set(mine.filter((m) => m.role === "COORDINATOR").map((m) => m.siteId!))],
    };
  });
}

function union(scopes: SiteScope[]): SiteScope {
  if (scopes.includes("all")) return "all";
  return [...new Set(scopes.flatMap((s) => s as readonly string[]))];
}

/** Ids are letters, digits, '_' and '-' (cuids, hex): anything else (a NUL byte, a path) names nothing. */
export const isId = (value: unknown): value is string => typeof value === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(value);

/** The actor's access to one trial, or a not-found error when they have none. */
export async function trialAccess(actor: Actor, trialId: string): Promise<TrialAccess> {
  if (!isId(trialId)) throw notFound(msg("errors.trialNotFound"));
  const memberships = await db().membership.findMany({
    where: { userId: actor.id, trialId, revokedAt: null },
    select: { role: true, siteId: true },
  });
  if (memberships.length === 0 && !actor.isAdmin) {
    // A real trial that is not theirs is audited; an id that names no trial is simply not found (no audit row, so
    // nobody can grow the trail by asking for made-up ids).
    if (await db().trial.findUnique({ where: { id: trialId }, select: { id: true } })) {
      await recordRefusal(actor, { entityType: "Trial", entityId: trialId, action: "trial.access" });
    }
    throw notFound(msg("errors.trialNotFound"));
  }
  if (actor.isAdmin && !(await db().trial.findUnique({ where: { id: trialId }, select: { id: true } }))) {
    throw notFound(msg("errors.trialNotFound"));
  }
  const patientScopes: SiteScope[] = [];
  const investigatorScopes: SiteScope[] = [];
  const editSites: string[] = [];
  for (const m of memberships) {
    if (m.role === "SPONSOR") continue;
    if (m.role === "COORDINATOR") {
      if (!m.siteId) continue; // a coordinator without a site sees no rows (the admin pages never create one)
      patientScopes.push([m.siteId]);
      editSites.push(m.siteId);
    } else {
      patientScopes.push(m.siteId ? [m.siteId] : "all");
      investigatorScopes.push(m.siteId ? [m.siteId] : "all");
    }
  }
  return {
    trialId,
    roles: new Set(memberships.map((m) => m.role)),
    isAdmin: actor.isAdmin,
    patientSites: union(patientScopes),
    editSites: [...new Set(editSites)],
    investigatorSites: union(investigatorScopes),
  };
}

export function inScope(scope: SiteScope, siteId: string): boolean {
  return scope === "all" || scope.includes(siteId);
}

/** May register, correct and void participants at this site. */
export function canEditAt(access: TrialAccess, siteId: string): boolean {
  return access.editSites.includes(siteId);
}

/** May move participants at this site along their path. */
export function canTransitionAt(access: TrialAccess, siteId: string): boolean {
  return canEditAt(access, siteId) || inScope(access.investigatorSites, siteId);
}

export function canSeePatientRows(access: TrialAccess): boolean {
  return access.patientSites === "all" || access.patientSites.length > 0;
}

/** The `where` that limits participant queries to what the actor may read (nothing, if they may read none). */
export function participantScope(access: TrialAccess): Prisma.ParticipantWhereInput {
  const sites = access.patientSites;
  if (sites === "all") return { trialId: access.trialId };
  return { trialId: access.trialId, siteId: { in: [...sites] } };
}

/**
 * The federation link's way in (app/api/federation): not a user but the paired peer node. A poll must be signed with
 * the peer's key (lib/federation/transport.ts verifyPollRequest); a push (`poll` null) carries snapshots that
 * receiveSnapshots verifies with the peer's keys, so here it needs only that this node is paired at all.
 */
export async function peerNodeRequest(database: Db, poll: { authorization: string | null; after: number } | null) {
  const { verifyPollRequest } = await import("@/lib/federation/transport");
  if (poll) return verifyPollRequest(database, poll.authorization, poll.after);
  const peer = thisNode() ? await database.federationPeer.findFirst() : null;
  if (!peer) throw new AppError("not_found", msg("errors.federation.unpaired"));
  return peer;
}

/** Sets and disables a trial's alert rules (lib/alerts): its investigators and administrators, never through a token. */
/** Whose a trial's alert rules are: its investigators and administrators. */
function alertRulesAreTheirs(access: TrialAccess): boolean {
  return access.isAdmin || access.roles.has("INVESTIGATOR");
}

export function maySetAlerts(actor: Actor, access: TrialAccess): boolean {
  return !actor.viaToken && alertRulesAreTheirs(access);
}

/** Reading a trial's rules (the page, the rules file): as setting them, a read-only token of such a person included. */
export function assertMayReadAlertRules(access: TrialAccess): void {
  if (!alertRulesAreTheirs(access)) throw new AppError("forbidden", msg("errors.alertsNotAllowed"));
}

export function assertMaySetAlerts(actor: Actor, access: TrialAccess): void {
  if (actor.viaToken) throw new AppError("forbidden", msg("errors.tokenReadOnly"));
  if (!maySetAlerts(actor, access)) throw new AppError("forbidden", msg("errors.alertsNotAllowed"));
}

/** Webhook endpoints (issue 18): a trial's investigators, its sponsors (for their own systems) and administrators. */
export function mayManageWebhooks(actor: Actor, access: TrialAccess): boolean {
  return !actor.viaToken && (access.isAdmin || access.roles.has("INVESTIGATOR") || access.roles.has("SPONSOR"));
}

export function assertMayManageWebhooks(actor: Actor, access: TrialAccess): void {
  if (actor.viaToken) throw new AppError("forbidden", msg("errors.tokenReadOnly"));
  if (!mayManageWebhooks(actor, access)) throw new AppError("forbidden", msg("errors.webhooksNotAllowed"));
}
