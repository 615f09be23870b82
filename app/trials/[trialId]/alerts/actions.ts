"use server";
// Server actions of a trial's alert rules: thin callers of lib/alerts/rules.ts (which checks who may set them,
// validates and audits).
import { revalidatePath } from "next/cache";
import { getTranslations } from "next-intl/server";
import type { ActionState } from "@/app/components/ActionForm";
import { createAlertRule, disableAlertRule, importAlertRules } from "@/lib/alerts/rules";
import { requirePageActor } from "@/lib/auth/page";
import type { Actor } from "@/lib/auth/session";
import { AppError } from "@/lib/http/errors";
import { refusalState } from "@/lib/http/form-state";

async function run<T>(trialId: string, work: (actor: Actor) => Promise<T>, done: string | ((result: T) => string)): Promise<ActionState> {
  const actor = await requirePageActor();
  const t = await getTranslations("alerts");
  try {
    const result = await work(actor);
    revalidatePath(`/trials/${trialId}/alerts`);
    return { ok: true, message: typeof done === "string" ? t(done) : done(result) };
  } catch (error) {
    if (error instanceof AppError) return refusalState(error);
    console.error("Alert rule action failed:", error instanceof Error ? error.name : "unknown");
    return { message: t("failed") };
  }
}

export async function createAlertRuleAction(trialId: string, _: ActionState, form: FormData) {
  const kind = String(form.get("kind") ?? "");
  const percent = String(form.get("percent") ?? "").trim();
  const days = String(form.get("days") ?? "").trim();
  const chance = String(form.get("chance") ?? "").trim();
  const input = {
    kind,
    roles: form.getAll("roles").map(String),
    ...(kind === "COHORT_PERCENT"
      ? { cohortId: String(form.get("cohortId") ?? ""), percent: /^\d+$/.test(percent) ? Number(percent) : percent === "" ? undefined : percent }
      : kind === "SITE_SILENT"
        ? { days: /^\d+$/.test(days) ? Number(days) : days === "" ? undefined : days }
        : kind === "SITE_BEHIND_PLAN"
          ? { percent: /^\d+$/.test(chance) ? Number(chance) : chance === "" ? undefined : chance }
          : {}),
  };
  return run(trialId, (actor) => createAlertRule(actor, trialId, input), "created");
}

export async function disableAlertRuleAction(trialId: string, ruleId: string): Promise<ActionState> {
  return run(trialId, (actor) => disableAlertRule(actor, trialId, ruleId), "disabled");
}

export async function importAlertRulesAction(trialId: string, _: ActionState, form: FormData): Promise<ActionState> {
  const t = await getTranslations("alerts");
  let file: unknown;
  try {
    file = JSON.parse(String(form.get("file") ?? ""));
  } catch {
    return { message: t("importNotJson"), fieldErrors: { file: [t("importNotJson")] } };
  }
  return run(
    trialId,
    (actor) => importAlertRules(actor, trialId, file),
    (r) => t("imported", { created: r.created, skipped: r.skipped }),
  );
}
