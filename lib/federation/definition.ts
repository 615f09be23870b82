// A trial's definition as its owner node signs it for the peer: code, title, phase, indication, sponsor, status,
// planned start and period, target, cohorts (code, name, target, subtypes) and the participating sites (with their
// directory entries, so the peer can show a site it has never seen). A document of its own type with its own strict
// schema (it holds text, which count snapshots never do), carried inside the owner's snapshot as a compact JWS and
// applied by the peer to its copy of the trial. Deterministic: the same definition signs to the same bytes (Ed25519),
// so an unchanged definition does not make a new snapshot.
import { createHash } from "node:crypto";
import { z } from "zod";
import { cohortCriteria, criteriaOfSubtypes } from "@/lib/matching/criteria";
import { appendCriteria, currentCriteria } from "@/lib/matching/store";
import { recordAudit } from "@/lib/audit/record";
import { fromDbDate, toDbDate } from "@/lib/dates/calendar";
import type { Country } from "@/lib/db/generated/enums";
import type { Tx } from "@/lib/db/prisma";
import { sign, verify, type PublicKey } from "@/lib/keys/node-keys";

export const DEFINITION_TYPE = "trialbridge.trial-definition";

const code = z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,31}$/);
const text = (max: number) => z.string().min(1).max(max);
const isoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);

export const definitionSchema = z.strictObject({
  typ: z.literal(DEFINITION_TYPE),
  v: z.literal(1),
  origin: z.string().regex(/^[a-z0-9-]{1,40}$/),
  trial: code,
  version: z.number().int().min(1),
  title: text(300),
  phase: text(50),
  indication: text(300),
  sponsorName: text(200),
  status: z.enum(["PLANNED", "RECRUITING", "CLOSED"]),
  plannedStart: isoDate,
  plannedEnrolmentMonths: z.number().int().min(1).max(600),
  target: z.number().int().min(1).max(1_000_000),
  cohorts: z
    .array(
      z.strictObject({
        code,
        name: text(100),
        target: z.number().int().min(1).max(100_000),
        subtypes: z.array(z.string().regex(/^[A-Za-z0-9]{1,12}:[A-Za-z0-9._-]{1,24}$/)).max(20),
        // Since criteria became data (2026-12-02): the criteria in force, its version, and the cohort's places rules.
        // Optional, so a definition from a node without them still reads (its subtypes are its criteria).
        criteria: cohortCriteria.optional(),
        criteriaVersion: z.number().int().min(1).optional(),
        status: z.enum(["OPEN", "SUSPENDED", "CLOSED"]).optional(),
        siteCap: z.number().int().min(1).max(10_000).nullable().optional(),
        waitlistOrder: z.enum(["FIRST_COME", "ROUND_ROBIN"]).optional(),
      }),
    )
    .max(100),
  sites: z
    .array(z.strictObject({ code, country: z.enum(["US", "CN"]), nameEn: text(200), nameLocal: text(200), city: text(100), timeZone: text(64) }))
    .max(2_000),
});
export type TrialDefinition = z.infer<typeof definitionSchema>;

/** The owner's signed definition of a trial (null if the trial does not exist). */
export async function signedDefinition(tx: Tx, trialId: string, origin: string): Promise<string | null> {
  const trial = await tx.trial.findUnique({
    where: { id: trialId },
    include: {
      cohorts: { orderBy: { code: "asc" }, include: { subtypes: { select: { subtype: { select: { key: true } } } } } },
      trialSites: { include: { site: true }, orderBy: { site: { code: "asc" } } },
    },
  });
  if (!trial) return null;
  const criteria = await currentCriteria(
    trial.cohorts.map((c) => c.id),
    tx,
  );
  const document: TrialDefinition = definitionSchema.parse({
    typ: DEFINITION_TYPE,
    v: 1,
    origin,
    trial: trial.code,
    version: trial.version,
    title: trial.title,
    phase: trial.phase,
    indication: trial.indication,
    sponsorName: trial.sponsorName,
    status: trial.status,
    plannedStart: fromDbDate(trial.plannedStart),
    plannedEnrolmentMonths: trial.plannedEnrolmentMonths,
    target: trial.target,
    cohorts: trial.cohorts.map((c) => ({
      code: c.code,
      name: c.name,
      target: c.target,
      subtypes: c.subtypes.map((s) => s.subtype.key).sort(),
      ...(criteria.get(c.id) ? { criteria: criteria.get(c.id)!.criteria, criteriaVersion: criteria.get(c.id)!.version } : {}),
      status: c.status,
      siteCap: c.siteCap,
      waitlistOrder: c.waitlistOrder,
    })),
    sites: trial.trialSites.map(({ site }) => ({
      code: site.code,
      country: site.country,
      nameEn: site.nameEn,
      nameLocal: site.nameLocal,
      city: site.city,
      timeZone: site.timeZone,
    })),
  });
  return (await sign(document, undefined, "oldest")).jws;
}

/** Verifies a definition signed by the peer (its keys as this node knows them); null if it does not verify. */
export async function verifiedDefinition(jws: string, keys: readonly PublicKey[], origin: string): Promise<TrialDefinition | null> {
  try {
    const { payload } = await verify(jws, keys);
    const parsed = definitionSchema.safeParse(payload);
    return parsed.success && parsed.data.origin === origin ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Applies the owner's definition to this node's copy of the trial (created if this node has none yet), inside the
 * receiving transaction: the trial's fields, its cohorts (by code; a cohort is never removed, as nothing is), the
 * participating sites (a site new to this node is added to its directory; a new participation starts PLANNED, its
 * facts then come from the node of the site's country). Audited as the system. Returns whether anything changed.
 */
export async function applyDefinition(tx: Tx, jws: string, d: TrialDefinition, owner: Country, own: Country): Promise<boolean> {
  const hash = createHash("sha256").update(jws).digest("hex");
  const existing = await tx.trial.findUnique({ where: { code: d.trial }, select: { id: true, ownerCountry: true, definitionHash: true, status: true } });
  if (existing && existing.ownerCountry !== owner) return false; // not the owner's to define
  if (existing?.definitionHash === hash) return false; // applied already
  const fields = {
    title: d.title,
    phase: d.phase,
    indication: d.indication,
    sponsorName: d.sponsorName,
    status: d.status,
    plannedStart: toDbDate(d.plannedStart),
    plannedEnrolmentMonths: d.plannedEnrolmentMonths,
    target: d.target,
    definitionHash: hash,
  };
  if (existing) await tx.$queryRaw`SELECT "id" FROM "Trial" WHERE "id" = ${existing.id} FOR NO KEY UPDATE`; // lock order: the trial first
  const trial = existing
    ? await tx.trial.update({ where: { id: existing.id }, data: fields })
    : await tx.trial.create({ data: { code: d.trial, ownerCountry: owner, ...fields } });
  if (d.status === "CLOSED" && existing?.status !== "CLOSED") {
    // Closed by its owner: this node's own sites stop screening too (in id order, as a close takes them here).
    await tx.$executeRaw`
      UPDATE "TrialSite" ts SET "status" = 'CLOSED' FROM "Site" s
       WHERE ts."siteId" = s."id" AND ts."trialId" = ${trial.id} AND s."country" = ${own}::"Country" AND ts."status" <> 'CLOSED'`;
  }
  for (const s of d.sites) {
    const site = await tx.site.upsert({ where: { code: s.code }, update: {}, create: s });
    await tx.trialSite.upsert({
      where: { trialId_siteId: { trialId: trial.id, siteId: site.id } },
      update: {},
      create: { trialId: trial.id, siteId: site.id, status: "PLANNED", plannedScreeningRate: 1 },
    });
  }
  const subtypes = new Map((await tx.subtype.findMany({ select: { id: true, key: true } })).map((s) => [s.key, s.id]));
  for (const c of d.cohorts) {
    const rules = {
      ...(c.status ? { status: c.status } : {}),
      ...(c.siteCap !== undefined ? { siteCap: c.siteCap } : {}),
      ...(c.waitlistOrder ? { waitlistOrder: c.waitlistOrder } : {}),
    };
    const cohort = await tx.cohort.upsert({
      where: { trialId_code: { trialId: trial.id, code: c.code } },
      update: { name: c.name, target: c.target, ...rules },
      create: { trialId: trial.id, code: c.code, name: c.name, target: c.target, ...rules },
    });
    // The owner's criteria in force become this node's too (a new version here when they changed); a definition
    // without criteria (an older node) defines the cohort by its subtypes, as before.
    const criteria = c.criteria ?? criteriaOfSubtypes(c.subtypes.filter((key) => subtypes.has(key)));
    await appendCriteria(tx, cohort.id, criteria, {
      actorId: null,
      reason: `From the trial's owner node (${d.origin}), its version ${c.criteriaVersion ?? 1}`,
      checkKeys: false,
    });
  }
  await recordAudit(tx, {
    actorId: null,
    action: "federation.definition",
    entityType: "Trial",
    entityId: trial.id,
    trialId: trial.id,
    after: { trial: d.trial, version: d.version, from: d.origin },
  });
  return true;
}
