// The forecast's input, validated in one place and shared by the command (scripts/forecast.ts), the JSON API
// (POST /api/v1/forecast) and the live trial forecast. Times are months from month 0.
import { z } from "zod";
import { forecastBreakpoints } from "./work";

export { AGE_KNOTS, forecastBreakpoints } from "./work";

export const COUNTRIES = ["US", "CN"] as const;
export const country = z.enum(COUNTRIES, { error: "country must be US or CN" });

const positive = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .positive({ error: `${what} must be greater than 0` })
    .finite();
const nonNegative = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .min(0, { error: `${what} must not be negative` })
    .finite();
const count = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int({ error: `${what} must be a whole number` })
    .min(0, { error: `${what} must not be negative` });
const share = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .min(0, { error: `${what} must be between 0 and 1` })
    .max(1, { error: `${what} must be between 0 and 1` });

export const siteInput = z.strictObject({
  id: z.string().min(1).max(100),
  country,
  activationMonth: nonNegative("activationMonth").default(0),
  /** Gamma prior on patients screened per month at the site. */
  rate: z.strictObject({ shape: positive("rate.shape"), rate: positive("rate.rate") }, { error: "rate must be {shape, rate}" }),
  observed: z
    .strictObject({
      months: nonNegative("observed.months"),
      screened: count("observed.screened"),
      /**
       * What it screened in periods of its time open (months since it opened, in order, not overlapping, adding up
       * to `screened`): how the learning sees a rate change over time (lib/forecast/learning.ts). Optional.
       */
      periods: z
        .array(z.strictObject({ from: nonNegative("periods.from"), to: positive("periods.to"), screened: count("periods.screened") }))
        .max(1_200, { error: "at most 1200 periods a site" })
        .optional(),
    })
    .optional(),
  /** The month the site was planned to open (the learning fits openings' delays from it). Optional. */
  plannedActivationMonth: nonNegative("plannedActivationMonth").optional(),
});

const gammaParams = (what: string) =>
  z.strictObject({ shape: positive(`${what}.shape`), rate: positive(`${what}.rate`) }, { error: `${what} must be {shape, rate}` });

export const cohortInput = z.strictObject({
  id: z.string().min(1).max(100),
  target: z
    .number({ error: "each cohort needs a target" })
    .int({ error: "target must be a whole number" })
    .min(1, { error: "target must be at least 1" })
    .max(100_000),
  enrolled: count("enrolled").default(0),
});

export const scenarioInput = z.strictObject({
  name: z.string().min(1).max(100),
  countries: z.array(country).min(1, { error: "a scenario needs at least one country" }),
});

export const DEFAULT_SCENARIOS = [
  { name: "US only", countries: ["US"] },
  { name: "China only", countries: ["CN"] },
  { name: "Joint", countries: ["US", "CN"] },
] as const satisfies z.input<typeof scenarioInput>[];

/**
 * The most work one forecast may ask for: replicates x sites x cohorts x scenarios. The reference case (43 sites,
 * 4 cohorts, 3 scenarios, 20,000 replicates: 10 million) takes about a quarter of a second, so this bounds a request
 * to a few seconds of one core; past it the request is refused before any work is done.
 */
export const FORECAST_WORK_BUDGET = 100_000_000;

export const forecastInput = z
  .strictObject({
    sites: z
      .array(siteInput, { error: "sites is required: a list of {id, country, rate}" })
      .min(1, { error: "at least one site is needed" })
      .max(2_000, { error: "at most 2000 sites" }),
    cohorts: z
      .array(cohortInput, { error: "cohorts is required: a list of {id, target}" })
      .min(1, { error: "at least one cohort is needed" })
      .max(50, { error: "at most 50 cohorts" }),
    prevalence: z.partialRecord(country, z.record(z.string(), share("prevalence"))).optional(),
    enrolFraction: share("enrolFraction").default(1),
    asOfMonth: nonNegative("asOfMonth").default(0),
    scenarios: z
      .array(scenarioInput)
      .min(1)
      .max(10)
      .default(DEFAULT_SCENARIOS.map((s) => ({ name: s.name, countries: [...s.countries] }))),
    replicates: z
      .number()
      .int()
      .min(100, { error: "replicates must be at least 100" })
      .max(200_000, { error: "replicates must be at most 200000" })
      .default(20_000),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    horizonMonths: positive("horizonMonths").max(1_200, { error: "horizonMonths must be at most 1200" }).default(240),
    /**
     * The plans' shared optimism, learned from the trial (lib/forecast/learning.ts): the ratio of actual to planned
     * rates, Gamma(shape, rate), drawn once per replicate, every site's prior rate scaled by it before its own data.
     * Absent: the plans are taken as they are (the engine's behaviour before learning).
     */
    planRatio: gammaParams("planRatio").optional(),
    /**
     * Rate models learned from the trial (lib/forecast/learning.ts), as a mixture: each replicate picks one by weight.
     * A model's rate at a site's age u (months open) is lambda g(u), g(u) = 1 + boost e^(-u/months) (boost 0: a
     * steady rate), with its own plans' ratio. Instead of planRatio, never with it.
     */
    rateModels: z
      .array(
        z.strictObject({
          weight: share("rateModels.weight"),
          boost: z.number({ error: "rateModels.boost must be a number" }).min(-0.95, { error: "rateModels.boost must be at least -0.95" }).max(50).finite(),
          months: positive("rateModels.months").max(240),
          planRatio: gammaParams("rateModels.planRatio").optional(),
        }),
      )
      .min(1)
      .max(64, { error: "at most 64 rate models" })
      .optional(),
    /**
     * Openings that slip: a site not yet open opens an exponential time after max(its activationMonth, asOfMonth),
     * at a rate per month drawn once per replicate from Gamma(shape, rate). Absent: sites open on their dates.
     */
    openingDelay: gammaParams("openingDelay").optional(),
  })
  .superRefine((input, ctx) => {
    const work = input.replicates * forecastBreakpoints(input) * input.cohorts.length * input.scenarios.length;
    if (work > FORECAST_WORK_BUDGET) {
      ctx.addIssue({
        code: "custom",
        path: ["replicates"],
        message: `this forecast asks for ${work.toLocaleString("en")} units of work (replicates x sites, and their rates' steps, x cohorts x scenarios); the most is ${FORECAST_WORK_BUDGET.toLocaleString("en")}: use fewer replicates or scenarios`,
      });
      return;
    }
    if (input.planRatio && input.rateModels)
      ctx.addIssue({ code: "custom", path: ["rateModels"], message: "give planRatio or rateModels, not both (each rate model has its own planRatio)" });
    if (input.rateModels) {
      const total = input.rateModels.reduce((sum, m) => sum + m.weight, 0);
      if (Math.abs(total - 1) > 1e-6)
        ctx.addIssue({ code: "custom", path: ["rateModels"], message: `rate models' weights add up to ${total.toFixed(4)}, not 1` });
    }
    input.sites.forEach((site, i) => {
      const periods = site.observed?.periods;
      if (!periods) return;
      let end = 0;
      let screened = 0;
      for (const [j, p] of periods.entries()) {
        if (p.from < end - 1e-9 || p.to <= p.from || p.to > site.observed!.months + 0.05) {
          ctx.addIssue({
            code: "custom",
            path: ["sites", i, "observed", "periods", j],
            message: `site ${site.id}: periods must be in order, not overlapping, each from < to, within the ${site.observed!.months} months observed`,
          });
          return;
        }
        end = p.to;
        screened += p.screened;
      }
      if (screened !== site.observed!.screened)
        ctx.addIssue({
          code: "custom",
          path: ["sites", i, "observed", "periods"],
          message: `site ${site.id}: periods add up to ${screened} screened, but observed.screened is ${site.observed!.screened}`,
        });
    });
    // A site cannot have been watched for longer than it has been open (rounding of months allowed for).
    input.sites.forEach((site, i) => {
      const open = Math.max(0, input.asOfMonth - site.activationMonth);
      if (site.observed && site.observed.months > open + 0.05)
        ctx.addIssue({
          code: "custom",
          path: ["sites", i, "observed", "months"],
          message: `site ${site.id} has been open ${open.toFixed(2)} months by asOfMonth ${input.asOfMonth} (activationMonth ${site.activationMonth}), so observed.months cannot be ${site.observed.months}`,
        });
    });
    const duplicate = (ids: string[]) => ids.find((id, i) => ids.indexOf(id) !== i);
    const site = duplicate(input.sites.map((s) => s.id));
    if (site) ctx.addIssue({ code: "custom", path: ["sites"], message: `site id ${site} appears twice` });
    const cohortIds = input.cohorts.map((c) => c.id);
    const cohort = duplicate(cohortIds);
    if (cohort) ctx.addIssue({ code: "custom", path: ["cohorts"], message: `cohort id ${cohort} appears twice` });
    for (const [countryCode, shares] of Object.entries(input.prevalence ?? {})) {
      for (const id of Object.keys(shares ?? {})) {
        if (!cohortIds.includes(id)) ctx.addIssue({ code: "custom", path: ["prevalence", countryCode, id], message: `prevalence names unknown cohort ${id}` });
      }
      const total = Object.values(shares ?? {}).reduce((a, b) => a + b, 0);
      if (total > 1 + 1e-9)
        ctx.addIssue({
          code: "custom",
          path: ["prevalence", countryCode],
          message: `prevalence shares for ${countryCode} add up to ${total.toFixed(3)}, above 1 (cohorts are mutually exclusive)`,
        });
    }
    // A scenario may name a country with no sites yet: that country contributes nothing (its cohorts do not fill
    // within the horizon on their own). Prevalence, when given, is given for every country that has sites: a country
    // left out would otherwise count every screened patient in every cohort.
    const present = [...new Set(input.sites.map((s) => s.country))];
    if (input.prevalence) {
      for (const c of present) {
        if (!input.prevalence[c]) {
          ctx.addIssue({
            code: "custom",
            path: ["prevalence", c],
            message: `prevalence is given for ${Object.keys(input.prevalence).join(", ")} but not for ${c}, which has sites: give it for both countries, or for neither`,
          });
        }
      }
    }
  });

export type ForecastInput = z.output<typeof forecastInput>;
export type ForecastInputJson = z.input<typeof forecastInput>;

export interface Quantiles {
  mean: number | null;
  p2_5: number | null;
  p10: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p90: number | null;
  p97_5: number | null;
}

export interface ScenarioResult {
  name: string;
  countries: string[];
  /** Month (from month 0) at which every cohort reaches its target. */
  completionMonth: Quantiles;
  /** Probability that the trial is complete by each month on a grid up to the horizon. */
  probabilityByHorizon: { month: number; probability: number }[];
  /** Share of replicates not complete by the horizon. */
  incompleteShare: number;
  cohorts: { id: string; p10: number | null; p50: number | null; p90: number | null; incompleteShare: number }[];
  /** Total enrolled (all cohorts, each capped at its target) by month: 10th, 50th and 90th percentiles. */
  enrolmentFan: { month: number; p10: number; p50: number; p90: number }[];
}

export interface ForecastResult {
  replicates: number;
  seed: number;
  horizonMonths: number;
  asOfMonth: number;
  scenarios: ScenarioResult[];
}
