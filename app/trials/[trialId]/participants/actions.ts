"use server";
// Server actions for the screening log: thin callers of the same use cases as the JSON API.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import type { ActionState } from "@/app/components/ActionForm";
import type { Locale } from "@/lib/i18n/config";
import { parseMessage, renderFields, renderMessage } from "@/lib/i18n/messages";
import { requirePageActor } from "@/lib/auth/page";
import { AppError } from "@/lib/http/errors";
import { correctParticipant, voidParticipant } from "@/lib/participants/correct";
import { registerParticipant } from "@/lib/participants/register";
import { transitionParticipant } from "@/lib/participants/transition";
import { releasePlace, reservePlace } from "@/lib/matching/reserve";

type FormState = ActionState;

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
};
const whole = (form: FormData, name: string) => {
  const value = text(form, name);
  if (value === undefined) return undefined;
  return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value; // a non-number stays text, so validation names it
};
/** The form's result rows (`results.N.subtype|result|method`), in row order. */
const resultsOf = (form: FormData) =>
  [...new Set([...form.keys()].map((k) => /^results\.(\d+)\./.exec(k)?.[1]).filter((x): x is string => !!x))]
    .sort((a, b) => Number(a) - Number(b))
    .map((i) => defined({ subtype: text(form, `results.${i}.subtype`), result: text(form, `results.${i}.result`), method: text(form, `results.${i}.method`) }));
const defined = <T extends object>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));

/** The vocabulary keys an unknown subtype's message suggests, per field, for the form to offer as buttons. */
function suggestionsOf(fields: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(fields)) {
    for (const message of messages) {
      const parsed = parseMessage(message);
      if (parsed?.key === "validation.unknownSubtypeSuggest" && typeof parsed.params?.suggestions === "string") {
        out[field] = parsed.params.suggestions.split(", ").filter(Boolean);
      }
    }
  }
  return out;
}

async function failure(error: unknown): Promise<FormState> {
  const [t, locale] = await Promise.all([getTranslations("participants.errors"), getLocale()]);
  if (error instanceof AppError) {
    const message = renderMessage(error.message, locale as Locale);
    return {
      message: error.code === "invalid" ? t("invalid") : message,
      fieldErrors: renderFields(error.fields, locale as Locale),
      ...(error.fields ? { suggestions: suggestionsOf(error.fields) } : {}),
    };
  }
  console.error("Screening log action failed:", error instanceof Error ? error.name : "unknown");
  return { message: t("generic") };
}

export async function registerAction(trialId: string, _state: FormState, form: FormData): Promise<FormState> {
  const actor = await requirePageActor();
  const input = defined({
    siteId: text(form, "siteId"),
    screeningDate: text(form, "screeningDate"),
    ageAtScreening: whole(form, "ageAtScreening"),
    sex: text(form, "sex"),
    results: resultsOf(form),
  });
  let id: string;
  try {
    const key = text(form, "idempotencyKey");
    const created = await registerParticipant(actor, trialId, input, key ? { idempotencyKey: key } : {});
    id = created.body.id;
  } catch (error) {
    return failure(error);
  }
  revalidatePath(`/trials/${trialId}`, "layout");
  redirect(`/trials/${trialId}/participants/${id}`);
}

export async function transitionAction(trialId: string, participantId: string, _state: FormState, form: FormData): Promise<FormState> {
  const actor = await requirePageActor();
  try {
    await transitionParticipant(
      actor,
      trialId,
      participantId,
      defined({
        to: text(form, "to"),
        date: text(form, "date"),
        cohortId: text(form, "cohortId"),
        reasonCode: text(form, "reasonCode"),
        reason: text(form, "reason"),
        override: form.get("override") === "on" ? true : undefined,
        version: whole(form, "version"),
      }),
    );
  } catch (error) {
    return failure(error);
  }
  revalidatePath(`/trials/${trialId}`, "layout");
  return { ok: true };
}

export async function correctAction(trialId: string, participantId: string, _state: FormState, form: FormData): Promise<FormState> {
  const actor = await requirePageActor();
  try {
    await correctParticipant(
      actor,
      trialId,
      participantId,
      defined({
        version: whole(form, "version"),
        reason: text(form, "reason"),
        ageAtScreening: whole(form, "ageAtScreening"),
        sex: text(form, "sex"),
        screeningDate: text(form, "screeningDate"),
        results: form.has("results.0.subtype") ? resultsOf(form) : undefined,
        step: form.has("step.id")
          ? defined({
              id: text(form, "step.id"),
              date: text(form, "step.date"),
              reasonCode: text(form, "step.reasonCode"),
              note: typeof form.get("step.note") === "string" ? String(form.get("step.note")).trim() : undefined,
            })
          : undefined,
      }),
    );
  } catch (error) {
    return failure(error);
  }
  revalidatePath(`/trials/${trialId}`, "layout");
  return { ok: true };
}

export async function voidAction(trialId: string, participantId: string, _state: FormState, form: FormData): Promise<FormState> {
  const actor = await requirePageActor();
  try {
    await voidParticipant(actor, trialId, participantId, defined({ version: whole(form, "version"), reason: text(form, "reason") }));
  } catch (error) {
    return failure(error);
  }
  revalidatePath(`/trials/${trialId}`, "layout");
  return { ok: true };
}

/** Holds a place in a cohort for this consented patient, or puts them on its waitlist when none is free. */
export async function holdPlaceAction(trialId: string, participantId: string, cohortId: string, _state: FormState, form: FormData): Promise<FormState> {
  const actor = await requirePageActor();
  const t = await getTranslations("places");
  let answer: Awaited<ReturnType<typeof reservePlace>>;
  try {
    answer = await reservePlace(actor, trialId, participantId, defined({ cohortId, days: whole(form, "days") }));
  } catch (error) {
    return failure(error);
  }
  revalidatePath(`/trials/${trialId}`, "layout");
  return { ok: true, message: answer.state === "held" ? t("held") : t("waiting", { position: answer.position }) };
}

/** Releases this patient's held place in the cohort (offered to the next waiting), or takes them off its waitlist. */
export async function releasePlaceAction(trialId: string, participantId: string, cohortId: string): Promise<FormState> {
  const actor = await requirePageActor();
  try {
    await releasePlace(actor, trialId, participantId, { cohortId });
  } catch (error) {
    return failure(error);
  }
  revalidatePath(`/trials/${trialId}`, "layout");
  return { ok: true };
}
