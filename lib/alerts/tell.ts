// Telling of what a rule is true of: one notification per person who hears the rule and per occasion (the unique
// (rule, person, occasion) key makes a second telling nothing), a webhook delivery per endpoint of the trial for each
// occasion told for the first time (sent by the job queue after commit, lib/webhooks/deliver.ts), and a NOTIFY per
// person so open pages update live (delivered at commit, never for a telling rolled back). Codes and counts only.
import { randomUUID } from "node:crypto";
import type { Tx } from "@/lib/db/prisma";

export const NOTIFICATION_CHANNEL = "notification";
/** The webhook event type of an alert (Standard Webhooks payload: { type, timestamp, data }). */
export const ALERT_EVENT = "alert.triggered";

export interface Occasion {
  occasion: string;
  /** The site it is about: coordinators hear it only for their own sites. */
  siteId: string | null;
  params: Record<string, string | number>;
}

export interface ToldRule {
  id: string;
  kind: string;
  roles: readonly string[];
  /** Occasions already true when the rule was made: never told. */
  baseline: readonly string[];
}

/** Tells the rule's new occasions; returns the notifications made. */
export async function tell(tx: Tx, trialId: string, rule: ToldRule, candidates: readonly Occasion[]): Promise<number> {
  const fresh = candidates.filter((o) => !rule.baseline.includes(o.occasion));
  if (!fresh.length) return 0;
  // Occasions already told are passed over (the trial's fold lock, or the check's own lock, keeps two tellings of one
  // rule from interleaving; the unique key guards the rest), so a rule about every site costs one read per check.
  const told = new Set(
    (await tx.notification.findMany({ where: { ruleId: rule.id }, distinct: ["occasion"], select: { occasion: true } })).map((n) => n.occasion),
  );
  const occasions = fresh.filter((o) => !told.has(o.occasion));
  if (!occasions.length) return 0;
  const members = await tx.membership.findMany({ where: { trialId, revokedAt: null }, select: { userId: true, role: true, siteId: true } });
  const hears = (m: (typeof members)[number], o: Occasion) =>
    rule.roles.includes(m.role) && (m.role !== "COORDINATOR" || o.siteId === null || m.siteId === o.siteId);
  const rows = occasions.flatMap((o) =>
    [...new Set(members.filter((m) => hears(m, o)).map((m) => m.userId))].map((userId) => ({
      userId,
      trialId,
      ruleId: rule.id,
      occasion: o.occasion,
      params: o.params,
    })),
  );
  const sent = rows.length ? (await tx.notification.createMany({ data: rows, skipDuplicates: true })).count : 0;
  const endpoints = await tx.webhookEndpoint.findMany({ where: { trialId, disabledAt: null }, select: { id: true } });
  if (endpoints.length) {
    const trial = await tx.trial.findUniqueOrThrow({ where: { id: trialId }, select: { code: true } });
    const timestamp = new Date().toISOString();
    await tx.webhookDelivery.createMany({
      data: endpoints.flatMap((e) =>
        occasions.map((o) => ({
          id: `msg_${randomUUID().replaceAll("-", "")}`,
          endpointId: e.id,
          type: ALERT_EVENT,
          payload: { type: ALERT_EVENT, timestamp, data: { trial: trial.code, rule: { id: rule.id, kind: rule.kind }, occasion: o.occasion, ...o.params } },
        })),
      ),
    });
  }
  const users = [...new Set(rows.map((r) => r.userId))];
  if (users.length) await tx.$executeRaw`SELECT pg_notify(${NOTIFICATION_CHANNEL}, u) FROM unnest(${users}::text[]) AS u`;
  return sent;
}
