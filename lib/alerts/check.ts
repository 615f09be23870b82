// Checks a trial's alert rules against its new counts, in the transaction that appends the trial's enrolment event
// (lib/enrolment/events.ts: after every fold of this node's changes and every snapshot applied from the peer), so a
// crossing is seen once whichever instance folds, and never for counts that were rolled back. Each person hears a rule
// once per occasion: the unique (rule, person, occasion) key turns a second check (another instance, a retry after a
// crash) into nothing. Notifications carry codes and counts only, never patient-level data.
import type { Tx } from "@/lib/db/prisma";
import type { EnrolmentCounts } from "@/lib/enrolment/events";
import { TIMED_KINDS } from "./kinds";
import { tell, type Occasion } from "./tell";

export async function checkAlertRules(tx: Tx, trialId: string, counts: EnrolmentCounts): Promise<number> {
  const rules = await tx.alertRule.findMany({
    where: { trialId, disabledAt: null, kind: { notIn: [...TIMED_KINDS] } }, // the job queue's (./schedule.ts)
    select: { id: true, kind: true, percent: true, roles: true, baseline: true, cohort: { select: { id: true, code: true, target: true } } },
  });
  if (!rules.length) return 0;
  const siteCode = await siteCodes(tx, trialId);
  let sent = 0;
  for (const rule of rules) sent += await tell(tx, trialId, rule, ruleOccasions(rule, counts, siteCode));
  return sent;
}

/** Each of the trial's sites' code, by site id. */
export async function siteCodes(tx: Tx, trialId: string): Promise<Map<string, string>> {
  const sites = await tx.trialSite.findMany({ where: { trialId }, select: { siteId: true, site: { select: { code: true } } } });
  return new Map(sites.map((s) => [s.siteId, s.site.code]));
}

export type RuleShape = { kind: string; percent: number | null; cohort: { id: string; code: string; target: number } | null };

/** What a rule is true of now: the occasions it would tell of. */
export function ruleOccasions(rule: RuleShape, counts: Pick<EnrolmentCounts, "byCohort" | "bySite">, siteCode: ReadonlyMap<string, string>): Occasion[] {
  const occasions: Occasion[] = [];
  if (rule.kind === "COHORT_PERCENT" && rule.cohort && rule.percent) {
    const byCountry = counts.byCohort[rule.cohort.id] ?? { US: 0, CN: 0 };
    const enrolled = byCountry.US + byCountry.CN;
    if (enrolled * 100 >= rule.percent * rule.cohort.target)
      occasions.push({
        occasion: "reached",
        siteId: null,
        params: { cohort: rule.cohort.code, percent: rule.percent, enrolled, target: rule.cohort.target },
      });
  } else if (rule.kind === "SITE_FIRST_SCREENED" || rule.kind === "SITE_FIRST_ENROLLED") {
    const metric = rule.kind === "SITE_FIRST_SCREENED" ? "screened" : "enrolled";
    for (const [siteId, c] of Object.entries(counts.bySite)) {
      if ((c[metric] ?? 0) > 0 && siteCode.has(siteId)) occasions.push({ occasion: `site:${siteId}`, siteId, params: { site: siteCode.get(siteId)! } });
    }
  }
  return occasions;
}
