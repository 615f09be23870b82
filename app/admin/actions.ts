"use server";
// Server actions of the administration pages: thin callers of the use cases in lib/admin (which check that the
// actor is an administrator, validate, and audit). Each returns the form's state in the reader's language.
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { getTranslations } from "next-intl/server";
import type { ActionState } from "@/app/components/ActionForm";
import { addTrialSite, previewCohortCriteria, createCohort, createTrial, setAllocation, updateCohort, updateTrial, updateTrialSite } from "@/lib/admin/trials";
import { createSite, updateSite } from "@/lib/admin/sites";
import { grantMembership, inviteUser, reissueLink, resetSecondFactor, revokeMembership, setUserActive, updateUser } from "@/lib/admin/users";
import { requirePageActor } from "@/lib/auth/page";
import { pairPeer, setExportPaused, setExportPolicy } from "@/lib/federation/admin";
import { serverEnv } from "@/lib/env";
import type { Actor } from "@/lib/auth/session";
import { AppError } from "@/lib/http/errors";
import { refusalState } from "@/lib/http/form-state";

/** The form's filled-in text fields (blank ones left out, so "not given" stays apart from "empty"). */
function filled(form: FormData, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = form.get(name);
    if (typeof value === "string" && value.trim() !== "") out[name] = value.trim();
  }
  return out;
}
const checked = (form: FormData, name: string) => form.get(name) === "on";

async function run(work: (actor: Actor) => Promise<{ link?: string } | void>, done: string): Promise<ActionState> {
  const actor = await requirePageActor();
  const t = await getTranslations("admin");
  try {
    const result = await work(actor);
    revalidatePath("/admin", "layout");
    return { ok: true, message: t(done), ...(result?.link ? { link: result.link } : {}) };
  } catch (error) {
    if (error instanceof AppError) return refusalState(error);
    console.error("Administration action failed:", error instanceof Error ? error.name : "unknown");
    return { message: t("failedGeneric") };
  }
}

/** The app's public address (NEXTAUTH_URL, else the request's host), to turn a link's path into something to send. */
async function origin(): Promise<string> {
  const configured = serverEnv().NEXTAUTH_URL;
  if (configured) return new URL(configured).origin;
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return `${proto}://${host}`;
}

const TRIAL_FIELDS = [
  "code",
  "title",
  "phase",
  "indication",
  "plannedStart",
  "target",
  "plannedEnrolmentMonths",
  "sponsorName",
  "crossBorderApprovalRef",
] as const;

export async function createTrialAction(_: ActionState, form: FormData) {
  return run(
    (actor) => createTrial(actor, { ...filled(form, TRIAL_FIELDS), sponsorListingAllowed: checked(form, "sponsorListingAllowed") }).then(() => {}),
    "trialCreated",
  );
}

export async function updateTrialAction(trialId: string, _: ActionState, form: FormData) {
  const crossBorder = form.get("crossBorderApprovalRef");
  return run(
    (actor) =>
      updateTrial(actor, trialId, {
        ...filled(form, [...TRIAL_FIELDS.filter((f) => f !== "code"), "status", "version", "reason"]),
        ...(typeof crossBorder === "string" ? { crossBorderApprovalRef: crossBorder.trim() } : {}),
        sponsorListingAllowed: checked(form, "sponsorListingAllowed"),
      }),
    "saved",
  );
}

export async function createCohortAction(trialId: string, _: ActionState, form: FormData) {
  return run(
    (actor) => createCohort(actor, trialId, { ...filled(form, ["code", "name", "target"]), subtypes: form.getAll("subtypes").map(String) }).then(() => {}),
    "cohortCreated",
  );
}

export async function updateCohortAction(trialId: string, cohortId: string, _: ActionState, form: FormData) {
  return run(
    (actor) =>
      updateCohort(actor, trialId, cohortId, {
        ...filled(form, ["name", "target", "status", "waitlistOrder", "reason"]),
        siteCap: String(form.get("siteCap") ?? "").trim(),
      }),
    "saved",
  );
}

/** A cohort's criteria: previewed (how many patients they would fit; nothing saved), or saved as a new version. */
export async function cohortCriteriaAction(trialId: string, cohortId: string, _: ActionState, form: FormData): Promise<ActionState> {
  if (form.get("intent") === "preview") {
    const actor = await requirePageActor();
    const t = await getTranslations("admin");
    try {
      const { proposed, current } = await previewCohortCriteria(actor, trialId, cohortId, { criteria: String(form.get("criteria") ?? "") });
      return {
        ok: true,
        keep: true,
        message: t("criteriaPreview", { met: proposed.met, unknown: proposed.unknown, screened: proposed.screened, now: current?.met ?? 0 }),
      };
    } catch (error) {
      if (error instanceof AppError) return refusalState(error);
      throw error;
    }
  }
  return run((actor) => updateCohort(actor, trialId, cohortId, filled(form, ["criteria", "amendment", "reason"])), "criteriaSaved");
}

const TRIAL_SITE_FIELDS = ["status", "plannedActivationDate", "activationDate", "plannedScreeningRate"] as const;

export async function addTrialSiteAction(trialId: string, _: ActionState, form: FormData) {
  return run((actor) => addTrialSite(actor, trialId, filled(form, ["siteId", ...TRIAL_SITE_FIELDS])).then(() => {}), "siteAdded");
}

export async function updateTrialSiteAction(trialId: string, trialSiteId: string, _: ActionState, form: FormData) {
  return run((actor) => updateTrialSite(actor, trialId, trialSiteId, filled(form, [...TRIAL_SITE_FIELDS, "reason"])), "saved");
}

export async function createSiteAction(_: ActionState, form: FormData) {
  return run((actor) => createSite(actor, filled(form, ["code", "nameEn", "nameLocal", "country", "city", "timeZone"])).then(() => {}), "siteCreated");
}

export async function updateSiteAction(siteId: string, _: ActionState, form: FormData) {
  return run((actor) => updateSite(actor, siteId, filled(form, ["nameEn", "nameLocal", "city", "timeZone", "reason"])), "saved");
}

export async function inviteUserAction(_: ActionState, form: FormData) {
  const base = await origin();
  return run(async (actor) => {
    const invite = await inviteUser(actor, { ...filled(form, ["email", "displayName"]), isAdmin: checked(form, "isAdmin") });
    return { link: `${base}${invite.path}` };
  }, "invited");
}

export async function reissueLinkAction(userId: string, _: ActionState, form: FormData) {
  const base = await origin();
  return run(async (actor) => ({ link: `${base}${(await reissueLink(actor, userId, filled(form, ["reason"]))).path}` }), "linkIssued");
}

export async function updateUserAction(userId: string, _: ActionState, form: FormData) {
  return run((actor) => updateUser(actor, userId, { ...filled(form, ["displayName", "reason"]), isAdmin: checked(form, "isAdmin") }), "saved");
}

export async function setUserActiveAction(userId: string, active: boolean, _: ActionState, form: FormData) {
  return run((actor) => setUserActive(actor, userId, active, filled(form, ["reason"])), active ? "reactivated" : "deactivated");
}

export async function resetSecondFactorAction(userId: string, _: ActionState, form: FormData) {
  return run((actor) => resetSecondFactor(actor, userId, filled(form, ["reason"])), "secondFactorReset");
}

export async function grantMembershipAction(userId: string, _: ActionState, form: FormData) {
  const [trialId, siteId] = String(form.get("trialSite") ?? "").split("/");
  return run(
    (actor) => grantMembership(actor, { userId, ...filled(form, ["role"]), ...(trialId ? { trialId } : {}), ...(siteId ? { siteId } : {}) }).then(() => {}),
    "membershipGranted",
  );
}

export async function revokeMembershipAction(membershipId: string, _: ActionState, form: FormData) {
  return run((actor) => revokeMembership(actor, membershipId, filled(form, ["reason"])), "membershipRevoked");
}

export async function pairPeerAction(_: ActionState, form: FormData) {
  return run(
    (actor) =>
      pairPeer(actor, { identity: String(form.get("identity") ?? ""), url: String(form.get("url") ?? ""), connect: checked(form, "connect") }).then(() => {}),
    "federation.paired",
  );
}

export async function setExportPausedAction(paused: boolean, _: ActionState, form: FormData) {
  return run((actor) => setExportPaused(actor, { paused, reason: String(form.get("reason") ?? "") }).then(() => {}), "saved");
}

export async function setExportPolicyAction(_: ActionState, form: FormData) {
  return run(
    (actor) =>
      setExportPolicy(actor, {
        policy: String(form.get("policy") ?? ""),
        minCell: String(form.get("minCell") ?? ""),
        shareYield: checked(form, "shareYield"),
        reason: String(form.get("reason") ?? ""),
      }).then(() => {}),
    "saved",
  );
}

export async function setAllocationAction(trialId: string, cohortId: string, _: ActionState, form: FormData) {
  return run((actor) => setAllocation(actor, trialId, cohortId, filled(form, ["US", "CN", "reason"])).then(() => {}), "saved");
}
