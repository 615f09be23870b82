// Trials to patients: when a cohort opens or its criteria change, the patients of the trial who failed screening
// but whose recorded results fit an open cohort's criteria in force (or would, once a missing test is done) are
// worth a second look. Their site's coordinators see them by screening number; everyone with access to the trial
// sees how many there are per site and country (counts only). A patient enrolled in the trial is never listed.
import "server-only";
import { inScope, type TrialAccess } from "@/lib/auth/access";
import { fromDbDate } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { stepsInEffect } from "@/lib/participants/steps";
import { evaluate, type Outcome } from "./criteria";
import { currentCriteria } from "./store";

const LISTED = 200;

export interface Candidate {
  participantId: string;
  screeningNumber: string;
  siteId: string;
  siteCode: string;
  screeningDate: string;
  reasonCode: string | null;
  cohorts: { cohortId: string; code: string; name: string; outcome: Outcome; criteriaVersion: number }[];
}

export interface Candidates {
  /** Patient rows, for those who may read them at the patient's site (at most 200, newest first). */
  rows: Candidate[];
  bySite: { siteId: string; code: string; country: string; count: number }[];
  byCountry: Record<string, number>;
  total: number;
}

export async function cohortCandidates(access: TrialAccess, trialId: string): Promise<Candidates> {
  const cohorts = await db().cohort.findMany({
    where: { trialId, status: "OPEN" },
    select: { id: true, code: true, name: true, subtypes: { select: { subtypeId: true } } },
    orderBy: { code: "asc" },
  });
  const criteria = await currentCriteria(cohorts.map((c) => c.id));
  const subtypeIds = [...new Set(cohorts.flatMap((c) => c.subtypes.map((s) => s.subtypeId)))];
  if (!subtypeIds.length) return { rows: [], bySite: [], byCountry: {}, total: 0 };
  // Only patients with a detected result a cohort's inclusion names can fit (an index lookup, not a scan of all).
  const patients = await db().participant.findMany({
    where: { trialId, voidedAt: null, status: "SCREEN_FAILED", results: { some: { result: "DETECTED", subtypeId: { in: subtypeIds } } } },
    select: {
      id: true,
      screeningNumber: true,
      siteId: true,
      screeningDate: true,
      ageAtScreening: true,
      trialSite: { select: { site: { select: { code: true, country: true } } } },
      results: { select: { result: true, subtype: { select: { key: true, gene: true, alteration: true } } } },
      statusChanges: { where: { ...stepsInEffect, toStatus: "SCREEN_FAILED" }, select: { reasonCode: true }, orderBy: { createdAt: "desc" }, take: 1 },
    },
    orderBy: [{ screeningDate: "desc" }, { id: "asc" }],
  });
  const found: (Candidate & { country: string })[] = [];
  for (const p of patients) {
    const facts = { age: p.ageAtScreening, results: p.results.map((r) => ({ ...r.subtype, result: r.result.toLowerCase() as "detected" })) };
    const fits = cohorts.flatMap((c) => {
      const version = criteria.get(c.id);
      if (!version) return [];
      const outcome = evaluate(version.criteria, facts).outcome;
      return outcome === "failed" ? [] : [{ cohortId: c.id, code: c.code, name: c.name, outcome, criteriaVersion: version.version }];
    });
    if (!fits.length) continue;
    found.push({
      participantId: p.id,
      screeningNumber: p.screeningNumber,
      siteId: p.siteId,
      siteCode: p.trialSite.site.code,
      country: p.trialSite.site.country,
      screeningDate: fromDbDate(p.screeningDate),
      reasonCode: p.statusChanges[0]?.reasonCode ?? null,
      cohorts: fits,
    });
  }
  const bySite = new Map<string, { siteId: string; code: string; country: string; count: number }>();
  const byCountry: Record<string, number> = {};
  for (const c of found) {
    const site = bySite.get(c.siteId) ?? { siteId: c.siteId, code: c.siteCode, country: c.country, count: 0 };
    site.count++;
    bySite.set(c.siteId, site);
    byCountry[c.country] = (byCountry[c.country] ?? 0) + 1;
  }
  return {
    rows: found
      .filter((c) => inScope(access.patientSites, c.siteId))
      .slice(0, LISTED)
      .map(
        (row): Candidate => ({
          participantId: row.participantId,
          screeningNumber: row.screeningNumber,
          siteId: row.siteId,
          siteCode: row.siteCode,
          screeningDate: row.screeningDate,
          reasonCode: row.reasonCode,
          cohorts: row.cohorts,
        }),
      ),
    bySite: [...bySite.values()].sort((a, b) => a.code.localeCompare(b.code)),
    byCountry,
    total: found.length,
  };
}
