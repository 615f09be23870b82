// What registration, transitions, corrections and voids accept: one set of schemas for the forms and the JSON API.
import { z } from "zod";
import { calendarDate, reasonForChange } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import { SCREEN_FAILURE_REASONS, WITHDRAWAL_REASONS } from "./status";

import { METHODS, RESULTS, SEXES } from "./values";

export { METHODS, RESULTS, SEXES };
export const TARGET_STATUSES = ["ELIGIBLE", "SCREEN_FAILED", "CONSENTED", "ENROLLED", "WITHDRAWN", "COMPLETED"] as const;

const isoDate = calendarDate;
const age = z
  .number({ error: msg("validation.ageNumber") })
  .int({ error: msg("validation.ageWhole") })
  .min(18, { error: msg("validation.ageMin", { min: 18 }) })
  .max(120, { error: msg("validation.ageMax", { max: 120 }) });
const sex = z.enum(SEXES, { error: msg("validation.sex") });
const version = z
  .number({ error: msg("validation.required") })
  .int()
  .min(1);
const reasonText = reasonForChange;

export const testResultInput = z.strictObject({
  subtype: z
    .string({ error: msg("validation.subtypeRequired") })
    .trim()
    .min(1, { error: msg("validation.subtypeRequired") })
    .max(100),
  result: z.enum(RESULTS, { error: msg("validation.result") }),
  method: z.enum(METHODS, { error: msg("validation.method") }),
});

export const registerInput = z.strictObject({
  siteId: z
    .string({ error: msg("validation.siteRequired") })
    .min(1)
    .max(64),
  screeningDate: isoDate,
  ageAtScreening: age,
  sex,
  results: z
    .array(testResultInput, { error: msg("validation.resultsList") })
    .min(1, { error: msg("validation.resultsMin") })
    .max(30, { error: msg("validation.resultsMax", { max: 30 }) }),
});

export const transitionInput = z.strictObject({
  to: z.enum(TARGET_STATUSES, { error: msg("validation.transitionTarget") }),
  date: isoDate,
  cohortId: z.string().min(1).max(64).optional(),
  reasonCode: z.enum([...SCREEN_FAILURE_REASONS, ...WITHDRAWAL_REASONS] as [string, ...string[]], { error: msg("validation.reasonCode") }).optional(),
  reason: z
    .string()
    .trim()
    .max(500, { error: msg("validation.reasonTooLong", { max: 500 }) })
    .optional(),
  /** An investigator's override of a full cohort (needs a reason). */
  override: z.boolean().optional(),
  version,
});

/** A correction of one step of the path (not the first: that is the screening date): its date, reason or note. */
export const stepCorrectionInput = z.strictObject({
  id: z
    .string({ error: msg("validation.required") })
    .min(1)
    .max(64),
  date: isoDate.optional(),
  reasonCode: transitionInput.shape.reasonCode,
  note: transitionInput.shape.reason,
});

export const correctionInput = z
  .strictObject({
    version,
    reason: reasonText,
    screeningDate: isoDate.optional(),
    ageAtScreening: age.optional(),
    sex: sex.optional(),
    results: registerInput.shape.results.optional(),
    step: stepCorrectionInput.optional(),
  })
  .refine((v) => v.screeningDate !== undefined || v.ageAtScreening !== undefined || v.sex !== undefined || v.results !== undefined || v.step !== undefined, {
    error: msg("validation.nothingGiven"),
  });

export const voidInput = z.strictObject({ version, reason: reasonText });

export type RegisterInput = z.infer<typeof registerInput>;
export type TransitionInput = z.infer<typeof transitionInput>;
export type CorrectionInput = z.infer<typeof correctionInput>;
