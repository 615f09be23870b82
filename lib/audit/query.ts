// Reading the audit trail: administrators see all of it; a trial-wide investigator sees the rows of their trials.
// Filtered by action, entity, actor, trial, site and date; paged by id; exported as CSV (the export is itself audited).
import "server-only";
import { z } from "zod";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";
import { csvFile } from "@/lib/http/csv";
import { calendarDate, validationError } from "@/lib/http/validation";
import { assertCheckpointAccess, auditReadScope } from "@/lib/auth/access";
import { checkpointNow, listCheckpoints } from "./checkpoints";
import { recordAudit } from "./record";

export const auditQuery = z.strictObject({
  action: z.string().max(60).optional(),
  entityType: z.string().max(40).optional(),
  entityId: z.string().max(64).optional(),
  actor: z.string().max(254).optional(),
  trialId: z.string().max(64).optional(),
  siteId: z.string().max(64).optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  before: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The rows the actor may read (lib/auth/access decides), or not found when they may read none. */
async function scope(actor: Actor): Promise<Prisma.AuditEventWhereInput> {
  const trials = await auditReadScope(actor);
  return trials === "all" ? {} : { trialId: { in: trials } };
}

/** What the actor may filter by: the trials whose rows they may read, and those trials' sites (codes for the page). */
export async function auditChoices(actor: Actor): Promise<{ trials: { id: string; code: string }[]; sites: { id: string; code: string }[] }> {
  const trials = await auditReadScope(actor);
  const [trialRows, sites] = await Promise.all([
    db().trial.findMany({ where: trials === "all" ? {} : { id: { in: trials } }, select: { id: true, code: true }, orderBy: { code: "asc" } }),
    db().site.findMany({
      where: trials === "all" ? {} : { trialSites: { some: { trialId: { in: trials } } } },
      select: { id: true, code: true },
      orderBy: { code: "asc" },
    }),
  ]);
  return { trials: trialRows, sites };
}

export async function mayReadAudit(actor: Actor): Promise<boolean> {
  return scope(actor).then(
    () => true,
    () => false,
  );
}

async function where(actor: Actor, raw: Record<string, string>) {
  const parsed = auditQuery.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const q = parsed.data;
  const filters: Prisma.AuditEventWhereInput[] = [await scope(actor)];
  if (q.action) filters.push({ action: { startsWith: q.action } });
  if (q.entityType) filters.push({ entityType: q.entityType });
  if (q.entityId) {
    // A monitor knows a record by its screening number (US-BOS1-0042), trial or site code, not by its id.
    const named = await recordsNamed(q.entityId.trim());
    filters.push({ entityId: { in: [q.entityId.trim(), ...named] } });
  }
  if (q.trialId) filters.push({ trialId: q.trialId });
  if (q.siteId) filters.push({ entityId: { in: await recordsAtSite(q.siteId) } });
  if (q.from) filters.push({ at: { gte: new Date(`${q.from}T00:00:00Z`) } });
  if (q.to) filters.push({ at: { lt: new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) } });
  if (q.actor) {
    const users = await db().user.findMany({ where: { email: { contains: q.actor.toLowerCase() } }, select: { id: true } });
    filters.push({ actorId: { in: users.map((u) => u.id) } });
  }
  return { q, where: { AND: filters } satisfies Prisma.AuditEventWhereInput };
}

/** The records that belong to a site: the site itself, its place in each trial, and its patients. */
async function recordsAtSite(siteId: string): Promise<string[]> {
  const [trialSites, participants] = await Promise.all([
    db().trialSite.findMany({ where: { siteId }, select: { id: true } }),
    db().participant.findMany({ where: { siteId }, select: { id: true } }),
  ]);
  return [siteId, ...trialSites.map((r) => r.id), ...participants.map((r) => r.id)];
}

/** The ids of records a person would name by `text`: a participant's screening number, a trial's or site's code. */
async function recordsNamed(text: string): Promise<string[]> {
  const [participants, trials, sites] = await Promise.all([
    db().participant.findMany({ where: { screeningNumber: { equals: text, mode: "insensitive" } }, select: { id: true } }),
    db().trial.findMany({ where: { code: { equals: text, mode: "insensitive" } }, select: { id: true } }),
    db().site.findMany({ where: { code: { equals: text, mode: "insensitive" } }, select: { id: true } }),
  ]);
  return [...participants, ...trials, ...sites].map((r) => r.id);
}

/** What each row's record is called: a participant's screening number, a trial's or site's code, a user's email. */
async function recordNames(rows: { entityType: string; entityId: string | null }[]): Promise<Map<string, string>> {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.entityType === type && r.entityId).map((r) => r.entityId!))];
  const [participants, trials, sites, users, cohorts] = await Promise.all([
    db().participant.findMany({ where: { id: { in: ids("Participant") } }, select: { id: true, screeningNumber: true } }),
    db().trial.findMany({ where: { id: { in: ids("Trial") } }, select: { id: true, code: true } }),
    db().site.findMany({ where: { id: { in: ids("Site") } }, select: { id: true, code: true } }),
    db().user.findMany({ where: { id: { in: ids("User") } }, select: { id: true, email: true } }),
    db().cohort.findMany({ where: { id: { in: ids("Cohort") } }, select: { id: true, code: true, trial: { select: { code: true } } } }),
  ]);
  return new Map<string, string>([
    ...participants.map((p) => [p.id, p.screeningNumber] as [string, string]),
    ...trials.map((t) => [t.id, t.code] as [string, string]),
    ...sites.map((s) => [s.id, s.code] as [string, string]),
    ...users.map((u) => [u.id, u.email] as [string, string]),
    ...cohorts.map((c) => [c.id, `${c.trial.code} ${c.code}`] as [string, string]),
  ]);
}

async function withActors<T extends { actorId: string | null }>(rows: T[]) {
  const users = await db().user.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.actorId).filter((x): x is string => !!x))] } },
    select: { id: true, email: true },
  });
  const email = new Map(users.map((u) => [u.id, u.email]));
  return rows.map((r) => ({ ...r, actorEmail: r.actorId ? (email.get(r.actorId) ?? r.actorId) : null }));
}

export async function searchAudit(actor: Actor, raw: Record<string, string>) {
  const { q, where: base } = await where(actor, raw);
  const rows = await db().auditEvent.findMany({
    where: q.before ? { AND: [base, { id: { lt: BigInt(q.before) } }] } : base,
    orderBy: { id: "desc" },
    take: q.limit + 1,
  });
  const page = await withActors(rows.slice(0, q.limit));
  const names = await recordNames(page);
  return {
    items: page.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      actor: r.actorEmail,
      action: r.action,
      entityType: r.entityType,
      entityId: r.entityId,
      /** What a person calls the record (screening number, code, email), where it has such a name. */
      entityName: r.entityId ? (names.get(r.entityId) ?? null) : null,
      trialId: r.trialId,
      before: r.before,
      after: r.after,
      reason: r.reason,
    })),
    next: rows.length > q.limit ? String(page.at(-1)!.id) : null,
  };
}

/** The whole filtered trail as CSV (UTF-8 with BOM). The export is recorded in the trail first. */
export async function exportAudit(actor: Actor, raw: Record<string, string>): Promise<string> {
  const { where: base } = await where(actor, { ...raw, limit: "1" });
  await db().$transaction((tx) => recordAudit(tx, { actorId: actor.id, action: "audit.export", entityType: "AuditEvent", after: { filters: raw } }));
  const rows = await withActors(await db().auditEvent.findMany({ where: base, orderBy: { id: "asc" }, take: 200_000 }));
  const data = rows.map((r) => [
    String(r.id),
    r.at.toISOString(),
    r.actorEmail ?? "",
    r.action,
    r.entityType,
    r.entityId ?? "",
    r.trialId ?? "",
    JSON.stringify(r.before ?? null),
    JSON.stringify(r.after ?? null),
    r.reason ?? "",
    r.ip ?? "",
    r.hash ?? "",
  ]);
  return csvFile(["id", "at_utc", "actor", "action", "entity_type", "entity_id", "trial_id", "old_value", "new_value", "reason", "ip", "hash"], data);
}

export const checkpointQuery = z.strictObject({
  /** Only checkpoints after this seq (to fetch what is new since the last copy). */
  after: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(1_000),
});

/** The signed checkpoints with the public keys that signed them (administrators; auditors' read-only tokens). */
export async function readCheckpoints(actor: Actor, raw: Record<string, string>) {
  await assertCheckpointAccess(actor, false);
  const parsed = checkpointQuery.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  return listCheckpoints(db(), BigInt(parsed.data.after ?? "0"), parsed.data.limit);
}

/** Seals what is committed and signs a checkpoint of the head now (administrators); the request is audited. */
export async function requestCheckpoint(actor: Actor) {
  await assertCheckpointAccess(actor, true);
  await db().$transaction((tx) => recordAudit(tx, { actorId: actor.id, action: "audit.checkpoint", entityType: "AuditCheckpoint" }));
  return checkpointNow(db());
}
