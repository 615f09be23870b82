// Administering hospitals (sites). A site's code and country never change (screening numbers and the by-country
// counts rest on them); names, city and time zone can, with a reason. Sites are never deleted.
import "server-only";
import { assertAdmin } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import { AppError, notFound } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { diff, parse, uniqueOr } from "./common";
import { siteCreate, siteUpdate } from "./schemas";

export async function adminSites(actor: Actor) {
  await assertAdmin(actor, "sites.list");
  return db().site.findMany({
    orderBy: [{ country: "asc" }, { code: "asc" }],
    select: { id: true, code: true, nameEn: true, nameLocal: true, country: true, city: true, timeZone: true, _count: { select: { trialSites: true } } },
  });
}

export async function adminSite(actor: Actor, siteId: string) {
  await assertAdmin(actor, "site.read");
  const site = await db().site.findUnique({
    where: { id: siteId },
    include: { trialSites: { select: { id: true, status: true, trial: { select: { id: true, code: true } } } } },
  });
  if (!site) throw notFound(msg("errors.siteNotFound"));
  return site;
}

export async function createSite(actor: Actor, raw: unknown) {
  await assertAdmin(actor, "site.create");
  const input = parse(siteCreate, raw);
  if (!input.code.startsWith(`${input.country}-`))
    throw new AppError("invalid", msg("errors.invalid"), { code: [msg("validation.siteCodeCountry", { country: input.country })] });
  return uniqueOr("code", msg("validation.codeTaken"), () =>
    db().$transaction(async (tx) => {
      if (await tx.site.findUnique({ where: { code: input.code }, select: { id: true } }))
        throw new AppError("conflict", msg("errors.invalid"), { code: [msg("validation.codeTaken")] });
      const site = await tx.site.create({ data: input });
      await recordAudit(tx, { actorId: actor.id, action: "site.create", entityType: "Site", entityId: site.id, after: input });
      return site;
    }),
  );
}

export async function updateSite(actor: Actor, siteId: string, raw: unknown) {
  await assertAdmin(actor, "site.update");
  const { reason, ...proposed } = parse(siteUpdate, raw);
  await db().$transaction(async (tx) => {
    const site = await tx.site.findUnique({ where: { id: siteId } });
    if (!site) throw notFound(msg("errors.siteNotFound"));
    const { before, after } = diff({ nameEn: site.nameEn, nameLocal: site.nameLocal, city: site.city, timeZone: site.timeZone }, proposed);
    await tx.site.update({ where: { id: siteId }, data: after });
    await recordAudit(tx, { actorId: actor.id, action: "site.update", entityType: "Site", entityId: siteId, before, after, reason });
  });
}
