// A trial's alert rules (issue 18): set by its investigators and administrators, audited, never deleted (a rule is
// disabled with a time), and the notifications they have sent to the reader. Checked by ./check.ts.
import "server-only";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { assertMaySetAlerts, trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { notFound } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import type { Tx } from "@/lib/db/prisma";
import { currentCounts } from "@/lib/enrolment/events";
import { ruleOccasions, siteCodes, type RuleShape } from "./check";

export const ROLES = ["COORDINATOR", "INVESTIGATOR", "SPONSOR"] as const;

export const alertRuleInput = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({
      kind: z.literal("COHORT_PERCENT"),
      cohortId: z.string({ error: msg("validation.alertCohort") }).min(1, { error: msg("validation.alertCohort") }),
      percent: z
        .number({ error: msg("validation.alertPercent") })
        .int({ error: msg("validation.alertPercent") })
        .min(1, { error: msg("validation.alertPercent") })
        .max(100, { error: msg("validation.alertPercent") }),
      roles: z.array(z.enum(ROLES), { error: msg("validation.alertRoles") }).min(1, { error: msg("validation.alertRoles") }),
    }),
    z.strictObject({
      kind: z.enum(["SITE_FIRST_SCREENED", "SITE_FIRST_ENROLLED"]),
      roles: z.array(z.enum(ROLES), { error: msg("validation.alertRoles") }).min(1, { error: msg("validation.alertRoles") }),
    }),
  ],
  { error: msg("validation.alertKind") },
);

/** The occasions a new rule is already true of (its baseline, never told), from the counts an event would carry. */
async function occasionsNow(tx: Tx, trialId: string, rule: RuleShape): Promise<string[]> {
  const [counts, codes] = await Promise.all([currentCounts(tx, trialId), siteCodes(tx, trialId)]);
  return ruleOccasions(rule, counts, codes).map((o) => o.occasion);
}

/** The trial's rules, for anyone who may set them. */
export async function listAlertRules(actor: Actor, trialId: string) {
  const access = await trialAccess(actor, trialId);
  assertMaySetAlerts(actor, access);
  return db().alertRule.findMany({
    where: { trialId },
    select: { id: true, kind: true, percent: true, roles: true, createdAt: true, disabledAt: true, cohort: { select: { code: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
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
  return db().$transaction(async (tx) => {
    // What is already true is the rule's baseline, never told: a rule speaks of what happens from now on.
    const rule = { kind: input.kind, percent: input.kind === "COHORT_PERCENT" ? input.percent : null, cohort };
    const baseline = await occasionsNow(tx, trialId, rule);
    const created = await tx.alertRule.create({
      data: { trialId, kind: input.kind, cohortId: cohort?.id ?? null, percent: rule.percent, roles: input.roles, baseline, createdById: actor.id },
      select: { id: true, kind: true, percent: true, roles: true, baseline: true },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "alert.rule.create",
      entityType: "AlertRule",
      entityId: created.id,
      trialId,
      after: { kind: created.kind, cohort: cohort?.code ?? null, percent: created.percent, roles: created.roles, alreadyTrue: baseline.length },
    });
    return created;
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
  return (await db().notification.updateMany({ where, data: { readAt: new Date() } })).count;
}
