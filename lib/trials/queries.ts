// Trial reads, always scoped through lib/auth/access.
import "server-only";
import { cohortCandidates } from "@/lib/matching/candidates";
import {
  canSeePatientRows,
  mayDownloadListing,
  mayManageWebhooks,
  maySetAlerts,
  participantScope,
  trialAccess,
  visibleTrialsWhere,
  type TrialAccess,
} from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { fromDbDate } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { countsByTrial, type TrialCounts } from "@/lib/enrolment/summary";
import { stepsInEffect } from "@/lib/participants/steps";

export interface TrialListItem extends TrialCounts {
  id: string;
  code: string;
  title: string;
  phase: string;
  target: number;
}

export async function listTrials(actor: Actor): Promise<TrialListItem[]> {
  const trials = await db().trial.findMany({
    where: visibleTrialsWhere(actor),
    select: { id: true, code: true, title: true, phase: true, target: true },
    orderBy: { code: "asc" },
  });
  const counts = await countsByTrial(
    db(),
    trials.map((t) => t.id),
  );
  return trials.map((trial) => ({ ...trial, ...counts.get(trial.id)! }));
}

export async function trialOverview(actor: Actor, trialId: string) {
  const access = await trialAccess(actor, trialId);
  const trial = await db().trial.findUniqueOrThrow({
    where: { id: trialId },
    include: {
      trialSites: {
        select: { status: true, site: { select: { id: true, code: true, nameEn: true, nameLocal: true, country: true } } },
        orderBy: { site: { code: "asc" } },
      },
      cohorts: { select: { id: true, code: true, name: true }, orderBy: { code: "asc" } },
    },
  });
  const [counts, recent, awaiting, memberships, candidates] = await Promise.all([
    countsByTrial(db(), [trialId]),
    recentScreenings(access),
    awaitingStep(access),
    db().membership.findMany({
      where: { userId: actor.id, trialId, revokedAt: null },
      select: { role: true, site: { select: { nameEn: true, nameLocal: true } } },
    }),
    cohortCandidates(access, trialId),
  ]);
  return {
    access,
    memberships,
    /** May set the trial's alert rules (lib/alerts): the page links to them only then. */
    maySetAlerts: maySetAlerts(actor, access),
    mayManageWebhooks: mayManageWebhooks(actor, access),
    trial: {
      id: trial.id,
      code: trial.code,
      title: trial.title,
      phase: trial.phase,
      indication: trial.indication,
      sponsorName: trial.sponsorName,
      target: trial.target,
      status: trial.status,
      activeSites: trial.trialSites.filter((s) => s.status === "ACTIVE").length,
      totalSites: trial.trialSites.length,
    },
    counts: counts.get(trialId)!,
    recent,
    awaiting,
    /** Patients who failed screening but fit an open cohort now (lib/matching/candidates.ts). */
    candidates,
    /** What the report filters offer: the trial's sites and cohorts (counts, which every member sees). */
    reportChoices: { sites: trial.trialSites.map((ts) => ts.site), cohorts: trial.cohorts },
    listing: mayDownloadListing(access, trial),
  };
}

/**
 * A coordinator's work list: their sites' patients still on the way to a decision (screened, eligible, consented),
 * the longest in screening first, with the date of their last step. Null for anyone who registers nobody.
 */
async function awaitingStep(access: TrialAccess) {
  if (access.editSites.length === 0) return null;
  const rows = await db().participant.findMany({
    where: { ...participantScope(access), siteId: { in: [...access.editSites] }, voidedAt: null, status: { in: ["SCREENED", "ELIGIBLE", "CONSENTED"] } },
    orderBy: [{ screeningDate: "asc" }, { screeningNumber: "asc" }],
    take: 20,
    select: {
      id: true,
      screeningNumber: true,
      status: true,
      statusChanges: { where: stepsInEffect, orderBy: [{ date: "desc" }, { createdAt: "desc" }], take: 1, select: { date: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    screeningNumber: r.screeningNumber,
    status: r.status,
    since: r.statusChanges[0] ? fromDbDate(r.statusChanges[0].date) : null,
  }));
}

async function recentScreenings(access: TrialAccess) {
  if (!canSeePatientRows(access)) return null;
  const rows = await db().participant.findMany({
    where: { ...participantScope(access), voidedAt: null },
    orderBy: [{ screeningDate: "desc" }, { screeningNumber: "desc" }],
    take: 10,
    select: { id: true, screeningNumber: true, screeningDate: true, status: true, siteId: true },
  });
  const sites = await db().site.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.siteId))] } },
    select: { id: true, nameEn: true, nameLocal: true },
  });
  const siteById = new Map(sites.map((s) => [s.id, s]));
  return rows.map((r) => ({ ...r, screeningDate: fromDbDate(r.screeningDate), site: siteById.get(r.siteId)! }));
}
