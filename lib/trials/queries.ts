// Trial reads, always scoped through lib/auth/access.
import "server-only";
import { canSeePatientRows, mayDownloadListing, participantScope, trialAccess, visibleTrialsWhere, type TrialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { fromDbDate } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { countsByTrial, type TrialCounts } from "@/lib/enrolment/summary";

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
  const [counts, recent, memberships] = await Promise.all([
    countsByTrial(db(), [trialId]),
    recentScreenings(access),
    db().membership.findMany({
      where: { userId: actor.id, trialId, revokedAt: null },
      select: { role: true, site: { select: { nameEn: true, nameLocal: true } } },
    }),
  ]);
  return {
    access,
    memberships,
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
    /** What the report filters offer: the trial's sites and cohorts (counts, which every member sees). */
    reportChoices: { sites: trial.trialSites.map((ts) => ts.site), cohorts: trial.cohorts },
    listing: mayDownloadListing(access, trial),
  };
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
