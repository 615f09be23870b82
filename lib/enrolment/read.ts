// The enrolment summary as callers see it, scoped through lib/auth/access (any member of the trial sees counts).
import "server-only";
import { trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { enrolmentSummary } from "./summary";

/** The summary and the id of the last event it includes (a live client resumes from there). */
export async function readEnrolment(actor: Actor, trialId: string) {
  await trialAccess(actor, trialId);
  // The event id is read first: counts are absolute, so an event replayed on top of a newer summary changes nothing.
  const last = await db().enrolmentEvent.findFirst({ where: { trialId }, orderBy: { id: "desc" }, select: { id: true } });
  const summary = await enrolmentSummary(db(), trialId);
  return { ...summary, lastEventId: last ? String(last.id) : "0" };
}
