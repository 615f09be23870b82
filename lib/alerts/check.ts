// Checks a trial's alert rules against its new counts, in the transaction that appends the trial's enrolment event
// (lib/enrolment/events.ts: after every fold of this node's changes and every snapshot applied from the peer), so a
// crossing is seen once whichever instance folds, and never for counts that were rolled back. Each person hears a rule
// once per occasion: the unique (rule, person, occasion) key turns a second check (another instance, a retry after a
// crash) into nothing. Notifications carry codes and counts only, never patient-level data.
import type { Tx } from "@/lib/db/prisma";
import type { EnrolmentCounts } from "@/lib/enrolment/events";

interface Audience {
  userId: string;
  role: string;
  siteId: string | null;
}

interface Occasion {
  occasion: string;
  /** The site it is about: coordinators hear it only for their own sites. */
  siteId: string | null;
  params: Record<string, string | number>;
}

export async function checkAlertRules(tx: Tx, trialId: string, counts: EnrolmentCounts): Promise<number> {
  const rules = await tx.alertRule.findMany({
    where: { trialId, disabledAt: null },
    select: { id: true, kind: true, percent: true, roles: true, baseline: true, cohort: { select: { id: true, code: true, target: true } } },
  });
  if (!rules.length) return 0;
  const [members, siteCode] = await Promise.all([
    tx.membership.findMany({ where: { trialId, revokedAt: null }, select: { userId: true, role: true, siteId: true } }),
    siteCodes(tx, trialId),
  ]);
  let sent = 0;
  for (const rule of rules) {
    const candidates = ruleOccasions(rule, counts, siteCode).filter((o) => !rule.baseline.includes(o.occasion));
    if (!candidates.length) continue;
    // Occasions already told are passed over (the trial's fold lock keeps two checks of one trial from interleaving;
    // the unique key guards the rest), so a rule about every site's first patient costs one read per check.
    const told = new Set(
      (await tx.notification.findMany({ where: { ruleId: rule.id }, distinct: ["occasion"], select: { occasion: true } })).map((n) => n.occasion),
    );
    const occasions = candidates.filter((o) => !told.has(o.occasion));
    if (!occasions.length) continue;
    const hears = (m: Audience, o: Occasion) =>
      rule.roles.includes(m.role as never) && (m.role !== "COORDINATOR" || o.siteId === null || m.siteId === o.siteId);
    const rows = occasions.flatMap((o) =>
      [...new Set(members.filter((m) => hears(m, o)).map((m) => m.userId))].map((userId) => ({
        userId,
        trialId,
        ruleId: rule.id,
        occasion: o.occasion,
        params: o.params,
      })),
    );
    if (rows.length) sent += (await tx.notification.createMany({ data: rows, skipDuplicates: true })).count;
  }
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
