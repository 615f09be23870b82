// What registration, transitions, corrections and voids accept: one set of schemas for the forms and the JSON API.
import { z } from "zod";
import { isIsoDate } from "@/lib/dates/calendar";
import { SCREEN_FAILURE_REASONS, WITHDRAWAL_REASONS } from "./status";

export const SEXES = ["female", "male", "unknown"] as const;
export const RESULTS = ["detected", "not_detected", "failed"] as const;
export const METHODS = ["NGS_TISSUE", "NGS_PLASMA", "PCR", "FISH", "IHC"] as const;
export const TARGET_STATUSES = ["ELIGIBLE", "SCREEN_FAILED", "CONSENTED", "ENROLLED", "WITHDRAWN", "COMPLETED"] as const;

const isoDate = z.string({ error: "a date is required (YYYY-MM-DD)" }).refine(isIsoDate, { error: "not a calendar date in YYYY-MM-DD form" });
const age = z.number({ error: "age must be a number" }).int({ error: "age must be a whole number of years" }).min(18, { error: "age must be at least 18" }).max(120, { error: "age must be at most 120" });
const sex = z.enum(SEXES, { error: "sex must be female, male or unknown" });
const version = z.number({ error: "version is required" }).int().min(1);
const reasonText = z.string().trim().min(1, { error: "a reason is required" }).max(500, { error: "the reason must be at most 500 characters" });

export const testResultInput = z.strictObject({
  subtype: z.string({ error: "subtype is required" }).trim().min(1, { error: "subtype is required" }).max(100),
  result: z.enum(RESULTS, { error: "result must be detected, not_detected or failed" }),
  method: z.enum(METHODS, { error: "method must be one of NGS_TISSUE, NGS_PLASMA, PCR, FISH, IHC" }),
});

export const registerInput = z.strictObject({
  siteId: z.string({ error: "siteId is required" }).min(1).max(64),
  screeningDate: isoDate,
  ageAtScreening: age,
  sex,
  results: z.array(testResultInput, { error: "results must be a list" }).min(1, { error: "record at least one molecular test result" }).max(30, { error: "at most 30 results" }),
});

export const transitionInput = z.strictObject({
  to: z.enum(TARGET_STATUSES, { error: `to must be one of ${TARGET_STATUSES.join(", ")}` }),
  date: isoDate,
  cohortId: z.string().min(1).max(64).optional(),
  reasonCode: z.enum([...SCREEN_FAILURE_REASONS, ...WITHDRAWAL_REASONS] as [string, ...string[]], { error: "unknown reason code" }).optional(),
  reason: z.string().trim().max(500, { error: "the reason must be at most 500 characters" }).optional(),
  /** An investigator's override of a full cohort (needs a reason). */
  override: z.boolean().optional(),
  version,
});

export const correctionInput = z
  .strictObject({
    version,
    reason: reasonText,
    screeningDate: isoDate.optional(),
    ageAtScreening: age.optional(),
    sex: sex.optional(),
    results: registerInput.shape.results.optional(),
  })
  .refine((v) => v.screeningDate !== undefined || v.ageAtScreening !== undefined || v.sex !== undefined || v.results !== undefined, {
    error: "change at least one of screeningDate, ageAtScreening, sex or results",
  });

export const voidInput = z.strictObject({ version, reason: reasonText });

export type RegisterInput = z.infer<typeof registerInput>;
export type TransitionInput = z.infer<typeof transitionInput>;
export type CorrectionInput = z.infer<typeof correctionInput>;
