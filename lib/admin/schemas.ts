// What the administration pages accept: one schema per entity, shared by the forms (strings from FormData are
// coerced) and any other caller. Changes to data that already exists carry a reason and the record's version.
import { z } from "zod";
import { CohortStatus, Country, Role, TrialSiteStatus, TrialStatus, WaitlistOrder } from "@/lib/db/generated/enums";
import { cohortCriteria } from "@/lib/matching/criteria";
import { calendarDate, reasonForChange } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";

const text = (min: number, max: number) =>
  z
    .string({ error: msg("validation.required") })
    .trim()
    .min(min, { error: msg(min <= 1 ? "validation.required" : "validation.tooSmall", { minimum: min }) })
    .max(max, { error: msg("validation.tooBig", { maximum: max }) });
const whole = (min: number, max: number) =>
  z.coerce
    .number({ error: msg("validation.wholeNumber", { min, max }) })
    .int({ error: msg("validation.wholeNumber", { min, max }) })
    .min(min, { error: msg("validation.wholeNumber", { min, max }) })
    .max(max, { error: msg("validation.wholeNumber", { min, max }) });
const isoDate = calendarDate;
const code = z
  .string({ error: msg("validation.required") })
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{1,29}$/, { error: msg("validation.codeFormat") });
const enumOf = <T extends Record<string, string>>(values: T) =>
  z.enum(Object.values(values) as [T[keyof T], ...T[keyof T][]], { error: msg("validation.invalidValue") });

export const reason = reasonForChange;
export const version = z.coerce
  .number({ error: msg("validation.required") })
  .int()
  .min(1);
export const change = z.strictObject({ reason });

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return value.includes("/");
  } catch {
    return false;
  }
}

export const trialCreate = z.strictObject({
  code,
  title: text(3, 200),
  phase: text(1, 20),
  indication: text(2, 200),
  plannedStart: isoDate,
  target: whole(1, 100_000),
  plannedEnrolmentMonths: whole(1, 240),
  sponsorName: text(2, 200),
  sponsorListingAllowed: z.boolean().default(false),
  crossBorderApprovalRef: text(1, 100).optional(),
});

export const trialUpdate = trialCreate
  .omit({ code: true })
  .partial()
  .extend({ status: enumOf(TrialStatus).optional(), crossBorderApprovalRef: z.string().trim().max(100).optional(), version, reason });

export const cohortCreate = z.strictObject({
  code,
  name: text(2, 100),
  target: whole(1, 10_000),
  subtypes: z
    .array(z.string().trim().min(1).max(60), { error: msg("validation.cohortSubtypes") })
    .min(1, { error: msg("validation.cohortSubtypes") })
    .max(20),
});

/** A cohort's places per country (their sum at most the target). */
export const allocationInput = z.strictObject({ US: whole(0, 10_000), CN: whole(0, 10_000), reason });

/** Criteria as typed in the admin form's text area (JSON), or as an object from any other caller. */
const criteriaField = z.unknown().transform((value, ctx) => {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: msg("validation.criteria.json", { detail: (error as Error).message }) });
      return z.NEVER;
    }
  }
  const checked = cohortCriteria.safeParse(parsed);
  if (!checked.success) {
    for (const issue of checked.error.issues)
      ctx.addIssue({ code: "custom", message: issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message });
    return z.NEVER;
  }
  return checked.data;
});

export const cohortUpdate = cohortCreate
  .omit({ code: true })
  .partial()
  .extend({
    criteria: criteriaField.optional(),
    amendment: text(1, 100).optional(),
    status: enumOf(CohortStatus).optional(),
    siteCap: z.union([z.literal("").transform(() => null), z.null(), whole(1, 10_000)]).optional(),
    waitlistOrder: enumOf(WaitlistOrder).optional(),
    reason,
  })
  .refine((c) => !(c.criteria && c.subtypes), { error: msg("validation.criteriaOrSubtypes"), path: ["criteria"] });

/** Criteria to preview before saving: which screened patients of the trial they would match. */
export const criteriaPreview = z.strictObject({ criteria: criteriaField });

export const siteCreate = z.strictObject({
  code: z
    .string({ error: msg("validation.required") })
    .trim()
    .regex(/^(US|CN)-[A-Z0-9]{2,10}$/, { error: msg("validation.siteCode") }),
  nameEn: text(2, 200),
  nameLocal: text(1, 200),
  country: enumOf(Country),
  city: text(1, 100),
  timeZone: z
    .string({ error: msg("validation.required") })
    .trim()
    .refine(isTimeZone, { error: msg("validation.timeZone") }),
});

export const siteUpdate = siteCreate.omit({ code: true, country: true }).partial().extend({ reason });

const trialSiteFields = {
  status: enumOf(TrialSiteStatus),
  plannedActivationDate: isoDate.optional(),
  activationDate: isoDate.optional(),
  plannedScreeningRate: z.coerce
    .number({ error: msg("validation.rate") })
    .min(0, { error: msg("validation.rate") })
    .max(1000, { error: msg("validation.rate") }),
};

export const trialSiteCreate = z.strictObject({
  siteId: z
    .string({ error: msg("validation.siteRequired") })
    .min(1)
    .max(64),
  ...trialSiteFields,
});
export const trialSiteUpdate = z.strictObject({ ...trialSiteFields, reason }).partial({ status: true, plannedScreeningRate: true });

export const userInvite = z.strictObject({
  email: z
    .string({ error: msg("validation.required") })
    .trim()
    .toLowerCase()
    .max(254)
    .pipe(z.email({ error: msg("validation.email") })),
  displayName: text(1, 100),
  isAdmin: z.boolean().default(false),
});

export const userUpdate = z.strictObject({ displayName: text(1, 100).optional(), isAdmin: z.boolean().optional(), reason });

export const membershipGrant = z.strictObject({
  userId: z
    .string({ error: msg("validation.required") })
    .min(1)
    .max(64),
  trialId: z
    .string({ error: msg("validation.required") })
    .min(1)
    .max(64),
  role: enumOf(Role),
  siteId: z.string().min(1).max(64).optional(),
});

export type TrialCreate = z.infer<typeof trialCreate>;
