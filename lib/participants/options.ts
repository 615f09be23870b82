// What the registration and participant pages offer: the actor's own sites (with today's date there), the cohorts,
// and the subtype vocabulary for suggestions.
import "server-only";
import { trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { todayIn } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";

export async function registrationOptions(actor: Actor, trialId: string) {
  const access = await trialAccess(actor, trialId);
  const [sites, subtypes, cohorts, trial] = await Promise.all([
    db().trialSite.findMany({
      where: { trialId, siteId: { in: [...access.editSites] }, status: "ACTIVE" },
      select: { site: { select: { id: true, code: true, nameEn: true, nameLocal: true, timeZone: true } } },
      orderBy: { site: { code: "asc" } },
    }),
    db().subtype.findMany({ where: { active: true }, select: { key: true, label: true, synonyms: true }, orderBy: { key: "asc" } }),
    db().cohort.findMany({ where: { trialId }, select: { id: true, code: true, name: true, target: true }, orderBy: { code: "asc" } }),
    db().trial.findUniqueOrThrow({ where: { id: trialId }, select: { code: true } }),
  ]);
  return {
    access,
    trialCode: trial.code,
    sites: sites.map(({ site }) => ({ ...site, today: todayIn(site.timeZone) })),
    subtypes,
    cohorts,
  };
}
