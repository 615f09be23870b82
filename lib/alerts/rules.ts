// A trial's alert rules (issue 18): set by its investigators and administrators, audited, never deleted (a rule is
// disabled with a time), and the notifications they have sent to the reader. Checked by ./check.ts.
import "server-only";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { assertMayReadAlertRules, assertMaySetAlerts, trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { AppError, notFound } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import type { Tx } from "@/lib/db/prisma";
import { currentCounts } from "@/lib/enrolment/events";
import { ruleOccasions, siteCodes, type RuleShape } from "./check";
import { isTimed } from "./kinds";
import { NOTIFICATION_CHANNEL } from "./tell";

export const ROLES = ["COORDINATOR", "INVESTIGATOR", "SPONSOR"] as const;

const roles = z.array(z.enum(ROLES), { error: msg("validation.alertRoles") }).min(1, { error: msg("validation.alertRoles") });
const percent = z
  .number({ error: msg("validation.alertPercent") })
  .int({ error: msg("validation.alertPercent") })
  .min(1, { error: msg("validation.alertPercent") })
  .max(100, { error: msg("validation.alertPercent") });
const days = z
  .number({ error: msg("validation.alertDays") })
  .int({ error: msg("validation.alertDays") })
  .min(1, { error: msg("validation.alertDays") })
  .max(365, { error: msg("validation.alertDays") });
const chance = z
  .number({ error: msg("validation.alertChance") })
  .int({ error: msg("validation.alertChance") })
  .min(50, { error: msg("validation.alertChance") })
  .max(99, { error: msg("validation.alertChance") });
const cohort = z.string({ error: msg("validation.alertCohort") }).min(1, { error: msg("validation.alertCohort") });
const otherKinds = [
  z.strictObject({ kind: z.enum(["SITE_FIRST_SCREENED", "SITE_FIRST_ENROLLED", "PEER_STALE"]), roles }),
  z.strictObject({ kind: z.literal("SITE_SILENT"), days, roles }),
  // The chance (%) of missing its share of plan from which a site is told of (lib/performance/behind.ts).
  z.strictObject({ kind: z.literal("SITE_BEHIND_PLAN"), percent: chance, roles }),
] as const;

/** A rule as the page sets it (its cohort by id). */
export const alertRuleInput = z.discriminatedUnion(
  "kind",
  [z.strictObject({ kind: z.literal("COHORT_PERCENT"), cohortId: cohort, percent, roles }), ...otherKinds],
  {
    error: msg("validation.alertKind"),
  },
);
/** A rule in a rules file (its cohort by code, so the file fits another trial with the same cohorts). */
const portableRule = z.discriminatedUnion("kind", [z.strictObject({ kind: z.literal("COHORT_PERCENT"), cohort, percent, roles }), ...otherKinds], {
  error: msg("validation.alertKind"),
});

/** A trial's rules as a file, to set the same rules on another trial (cohorts by code). */
export const RULES_FORMAT = "trialbridge.alert-rules/1";
export const rulesFile = z.strictObject(
  {
    format: z.literal(RULES_FORMAT, { error: msg("validation.alertRulesFormat") }),
    trial: z.string().optional(),
    rules: z
      .array(portableRule, { error: msg("validation.alertRulesList") })
      .min(1, { error: msg("validation.alertRulesList") })
      .max(100, { error: msg("validation.alertRulesList") }),
  },
  { error: msg("validation.alertRulesFormat") },
);

/** The rules file as GET answers it: the trial's code, and its rules in force (none, too). */
export const alertRulesAnswer = rulesFile.extend({ trial: z.string(), rules: z.array(portableRule) });

type Input = z.infer<typeof alertRuleInput>;
type Cohort = { id: string; code: string; target: number };

/** The occasions a new rule is already true of (its baseline, never told), from the counts an event would carry. */
async function occasionsNow(tx: Tx, trialId: string, rule: RuleShape): Promise<string[]> {
  const [counts, codes] = await Promise.all([currentCounts(tx, trialId), siteCodes(tx, trialId)]);
  return ruleOccasions(rule, counts, codes).map((o) => o.occasion);
}

/** The trial's rules, for anyone who may set them. */
export async function listAlertRules(actor: Actor, trialId: string) {
  assertMayReadAlertRules(await trialAccess(actor, trialId));
  return db().alertRule.findMany({
    where: { trialId },
    select: {
      id: true,
      kind: true,
      percent: true,
      days: true,
      roles: true,
      createdAt: true,
      disabledAt: true,
      cohort: { select: { code: true, name: true } },
    },
    orderBy: { createdAt: "asc" },
  });
}

/** Makes one rule in a transaction: its baseline (what is already true is never told) and its audit record. */
async function makeRule(tx: Tx, actor: Actor, trialId: string, input: Input, cohort: Cohort | null) {
  // A time-based rule is told at its first check: a site silent or behind already, a peer stale already, is what the
  // rule is for.
  const rule = { kind: input.kind, percent: "percent" in input ? input.percent : null, cohort };
  const baseline = isTimed(input.kind) ? [] : await occasionsNow(tx, trialId, rule);
  const created = await tx.alertRule.create({
    data: {
      trialId,
      kind: input.kind,
      cohortId: cohort?.id ?? null,
      percent: rule.percent,
      days: input.kind === "SITE_SILENT" ? input.days : null,
      roles: input.roles,
      baseline,
      createdById: actor.id,
    },
    select: { id: true, kind: true, percent: true, days: true, roles: true, baseline: true },
  });
  await recordAudit(tx, {
    actorId: actor.id,
    action: "alert.rule.create",
    entityType: "AlertRule",
    entityId: created.id,
    trialId,
    after: {
      kind: created.kind,
      cohort: cohort?.code ?? null,
      percent: created.percent,
      days: created.days,
      roles: created.roles,
      alreadyTrue: baseline.length,
    },
  });
  return created;
}

export async function createAlertRule(actor: Actor, trialId: string, raw: unknown) {
  const access = await trialAccess(actor, trialId);
  assertMaySetAlerts(actor, access);
  const parsed = alertRuleInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  const cohort =
    input.kind === "COHORT_PERCENT"
      ? await db().cohort.findFirst({ where: { id: input.cohortId, trialId }, select: { id: true, code: true, target: true } })
      : null;
  if (input.kind === "COHORT_PERCENT" && !cohort) throw notFound(msg("errors.cohortNotFound"));
  return db().$transaction((tx) => makeRule(tx, actor, trialId, input, cohort));
}

/** The trial's rules in force, as a rules file. */
export async function exportAlertRules(actor: Actor, trialId: string): Promise<z.output<typeof alertRulesAnswer>> {
  const [rules, trial] = await Promise.all([listAlertRules(actor, trialId), db().trial.findUniqueOrThrow({ where: { id: trialId }, select: { code: true } })]);
  return {
    format: RULES_FORMAT,
    trial: trial.code,
    rules: rules
      .filter((r) => !r.disabledAt)
      .map((r) =>
        r.kind === "COHORT_PERCENT"
          ? { kind: r.kind, cohort: r.cohort?.code ?? "", percent: r.percent ?? 100, roles: r.roles as (typeof ROLES)[number][] }
          : r.kind === "SITE_SILENT"
            ? { kind: r.kind, days: r.days ?? 1, roles: r.roles as (typeof ROLES)[number][] }
            : r.kind === "SITE_BEHIND_PLAN"
              ? { kind: r.kind, percent: r.percent ?? 90, roles: r.roles as (typeof ROLES)[number][] }
              : { kind: r.kind as "SITE_FIRST_SCREENED" | "SITE_FIRST_ENROLLED" | "PEER_STALE", roles: r.roles as (typeof ROLES)[number][] },
      ),
  };
}

/**
 * Sets the rules of a rules file on a trial, all or none: every cohort must be one of the trial's (by code). A rule
 * the trial already has in force is passed over. Returns how many were made and passed over.
 */
export async function importAlertRules(actor: Actor, trialId: string, raw: unknown): Promise<{ created: number; skipped: number }> {
  const access = await trialAccess(actor, trialId);
  assertMaySetAlerts(actor, access);
  const parsed = rulesFile.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const cohorts = await db().cohort.findMany({ where: { trialId }, select: { id: true, code: true, target: true } });
  const byCode = new Map(cohorts.map((c) => [c.code, c]));
  const unknown = parsed.data.rules.flatMap((r, i) => (r.kind === "COHORT_PERCENT" && !byCode.has(r.cohort) ? [[`rules.${i}.cohort`, r.cohort] as const] : []));
  if (unknown.length)
    throw new AppError(
      "invalid",
      msg("errors.invalid"),
      Object.fromEntries(unknown.map(([path, code]) => [path, [msg("validation.alertRulesCohort", { cohort: code })]])),
    );
  return db().$transaction(async (tx) => {
    const existing = await tx.alertRule.findMany({
      where: { trialId, disabledAt: null },
      select: { kind: true, cohortId: true, percent: true, days: true, roles: true },
    });
    const key = (r: { kind: string; cohortId: string | null; percent: number | null; days: number | null; roles: readonly string[] }) =>
      JSON.stringify([r.kind, r.cohortId, r.percent, r.days, [...r.roles].sort()]);
    const have = new Set(existing.map(key));
    let created = 0;
    let skipped = 0;
    for (const r of parsed.data.rules) {
      const cohort = r.kind === "COHORT_PERCENT" ? byCode.get(r.cohort)! : null;
      const input: Input = r.kind === "COHORT_PERCENT" ? { kind: r.kind, cohortId: cohort!.id, percent: r.percent, roles: r.roles } : r;
      const k = key({
        kind: input.kind,
        cohortId: cohort?.id ?? null,
        percent: "percent" in input ? input.percent : null,
        days: input.kind === "SITE_SILENT" ? input.days : null,
        roles: input.roles,
      });
      if (have.has(k)) {
        skipped++;
        continue;
      }
      have.add(k);
      await makeRule(tx, actor, trialId, input, cohort);
      created++;
    }
    return { created, skipped };
  });
}

export async function disableAlertRule(actor: Actor, trialId: string, ruleId: string) {
  const access = await trialAccess(actor, trialId);
  assertMaySetAlerts(actor, access);
  return db().$transaction(async (tx) => {
    const rule = await tx.alertRule.findFirst({ where: { id: ruleId, trialId }, select: { id: true, disabledAt: true } });
    if (!rule) throw notFound(msg("errors.alertRuleNotFound"));
    if (rule.disabledAt) return rule;
    const disabled = await tx.alertRule.update({ where: { id: ruleId }, data: { disabledAt: new Date() }, select: { id: true, disabledAt: true } });
    await recordAudit(tx, { actorId: actor.id, action: "alert.rule.disable", entityType: "AlertRule", entityId: ruleId, trialId });
    return disabled;
  });
}

/** The reader's notifications, newest first, with the trial they concern. */
export async function listNotifications(actor: Actor, take = 50) {
  return db().notification.findMany({
    where: { userId: actor.id },
    orderBy: { id: "desc" },
    take,
    select: {
      id: true,
      occasion: true,
      params: true,
      createdAt: true,
      readAt: true,
      trialId: true,
      trial: { select: { code: true } },
      rule: { select: { kind: true } },
    },
  });
}

export async function unreadCount(actor: Actor): Promise<number> {
  return db().notification.count({ where: { userId: actor.id, readAt: null } });
}

/** Marks the reader's unread notifications up to `upTo` (an id) read; without it, all (nothing else changes). */
export async function markAllRead(actor: Actor, upTo?: bigint): Promise<number> {
  const where = { userId: actor.id, readAt: null, ...(upTo !== undefined ? { id: { lte: upTo } } : {}) };
  const marked = (await db().notification.updateMany({ where, data: { readAt: new Date() } })).count;
  // The reader's open pages (any instance) take the new count.
  if (marked) await db().$executeRaw`SELECT pg_notify(${NOTIFICATION_CHANNEL}, ${actor.id})`;
  return marked;
}
