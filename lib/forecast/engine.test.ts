// The engine against the model's closed forms (docs: shared domain forecast-model). Monte Carlo error with R
// replicates: an empirical probability is within 4 standard errors sqrt(p(1-p)/R) of the truth, except about once
// in 15,000 checks; the seed is fixed, so a pass is reproducible.
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { forecast } from "./engine";
import { exactQuantile, probabilityReached, type ExactSite } from "./exact";
import type { ForecastInputJson, ScenarioResult } from "./schema";

const R = 20_000;

function sites(count: number, country: "US" | "CN", extra: Partial<ForecastInputJson["sites"][number]> = {}, prefix: string = country) {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, country, activationMonth: 0, rate: { shape: 2, rate: 1 }, ...extra }));
}

/** Every reported quantile sits where the exact distribution function says it should. */
function expectQuantilesMatch(result: ScenarioResult, exact: readonly ExactSite[], n: number) {
  const reported: [number, number | null][] = [
    [0.025, result.completionMonth.p2_5],
    [0.1, result.completionMonth.p10],
    [0.5, result.completionMonth.p50],
    [0.9, result.completionMonth.p90],
    [0.975, result.completionMonth.p97_5],
  ];
  for (const [p, month] of reported) {
    expect(month, `quantile ${p}`).not.toBeNull();
    const truth = probabilityReached(exact, n, month!);
    expect(Math.abs(truth - p), `P(T <= q${p}) = ${truth}`).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / R) + 0.003);
  }
  // The identity P(T_n <= t) = P(N(t) >= n), on the engine's own grid.
  for (const { month, probability } of result.probabilityByHorizon) {
    const truth = probabilityReached(exact, n, month);
    expect(Math.abs(truth - probability), `P(T <= ${month})`).toBeLessThan(4 * Math.sqrt((truth * (1 - truth)) / R) + 0.003);
  }
}

describe("forecast engine against closed forms", () => {
  it("many identical sites open from month 0: T_n = beta x BetaPrime(n, N alpha)", () => {
    const N = 20,
      alpha = 2,
      beta = 1,
      n = 100;
    const result = forecast({
      sites: sites(N, "US"),
      cohorts: [{ id: "A", target: n }],
      replicates: R,
      seed: 7,
      scenarios: [{ name: "all", countries: ["US"] }],
    }).scenarios[0]!;
    const meanExact = (n * beta) / (N * alpha - 1);
    const sd = beta * Math.sqrt((n * (n + N * alpha - 1)) / ((N * alpha - 2) * (N * alpha - 1) ** 2));
    expect(Math.abs(result.completionMonth.mean! - meanExact)).toBeLessThan(4 * (sd / Math.sqrt(R)) + 0.01);
    expect(result.incompleteShare).toBe(0);
    expectQuantilesMatch(
      result,
      Array.from({ length: N }, () => ({ shape: alpha, rate: beta, start: 0, weight: 1 })),
      n,
    );
  });

  it("an interim with observed data: remaining time is (beta + tau) x BetaPrime(r, N alpha + K)", () => {
    const N = 10,
      alpha = 1.5,
      beta = 2,
      tau = 6,
      n = 80;
    const screened = [3, 7, 0, 5, 9, 4, 2, 6, 8, 1];
    const K = screened.reduce((a, b) => a + b, 0);
    const result = forecast({
      sites: screened.map((k, i) => ({ id: `S${i}`, country: "US" as const, rate: { shape: alpha, rate: beta }, observed: { months: tau, screened: k } })),
      cohorts: [{ id: "A", target: n, enrolled: K }],
      asOfMonth: tau,
      replicates: R,
      seed: 11,
      scenarios: [{ name: "all", countries: ["US"] }],
    }).scenarios[0]!;
    const r = n - K;
    const meanExact = tau + (r * (beta + tau)) / (N * alpha + K - 1);
    expect(Math.abs(result.completionMonth.mean! - meanExact) / meanExact).toBeLessThan(0.01);
    expectQuantilesMatch(
      result,
      screened.map((k) => ({ shape: alpha + k, rate: beta + tau, start: tau, weight: 1 })),
      r,
    );
  });

  it("thinning by prevalence and enrolment fraction scales the rate: Gamma(alpha, beta / c)", () => {
    const N = 15,
      alpha = 2,
      beta = 1,
      n = 40,
      p = 0.3,
      q = 0.5,
      c = p * q;
    const result = forecast({
      sites: sites(N, "CN"),
      cohorts: [{ id: "EGFR", target: n }],
      prevalence: { CN: { EGFR: p } },
      enrolFraction: q,
      replicates: R,
      seed: 3,
      scenarios: [{ name: "CN", countries: ["CN"] }],
    }).scenarios[0]!;
    const meanExact = (n * beta) / (c * (N * alpha - 1));
    expect(Math.abs(result.completionMonth.mean! - meanExact) / meanExact).toBeLessThan(0.01);
    expectQuantilesMatch(
      result,
      Array.from({ length: N }, () => ({ shape: alpha, rate: beta, start: 0, weight: c })),
      n,
    );
  });

  it("two countries with different prevalences: joint versus each alone", () => {
    const prevalence = { US: { EGFR: 0.17 }, CN: { EGFR: 0.51 } };
    const q = 0.6,
      n = 30;
    const result = forecast({
      sites: [...sites(10, "US"), ...sites(10, "CN")],
      cohorts: [{ id: "EGFR", target: n }],
      prevalence,
      enrolFraction: q,
      replicates: R,
      seed: 42,
    });
    const [us, cn, joint] = result.scenarios;
    const exactFor = (weights: number[]) => weights.map((w) => ({ shape: 2, rate: 1, start: 0, weight: w * q }));
    expectQuantilesMatch(us!, exactFor(Array(10).fill(0.17)), n);
    expectQuantilesMatch(cn!, exactFor(Array(10).fill(0.51)), n);
    expectQuantilesMatch(joint!, exactFor([...Array(10).fill(0.17), ...Array(10).fill(0.51)]), n);
    expect(joint!.completionMonth.p50!).toBeLessThan(Math.min(us!.completionMonth.p50!, cn!.completionMonth.p50!));
    expect(cn!.completionMonth.p50!).toBeLessThan(us!.completionMonth.p50!);
    expect(result.scenarios.map((s) => s.name)).toEqual(["US only", "China only", "Joint"]);
  });

  it("sites that open later contribute only after they open", () => {
    const staggered = [
      ...sites(4, "US", { activationMonth: 0 }, "a"),
      ...sites(4, "US", { activationMonth: 6 }, "b"),
      ...sites(4, "US", { activationMonth: 12 }, "c"),
    ];
    const n = 60;
    const result = forecast({ sites: staggered, cohorts: [{ id: "A", target: n }], replicates: R, seed: 5, scenarios: [{ name: "US", countries: ["US"] }] })
      .scenarios[0]!;
    const exact = staggered.map((s) => ({ shape: 2, rate: 1, start: s.activationMonth, weight: 1 }));
    expectQuantilesMatch(result, exact, n);
    expect(result.completionMonth.p50!).toBeCloseTo(exactQuantile(exact, n, 0.5), 0);
  });
});

describe("forecast engine behaviour", () => {
  const base: ForecastInputJson = {
    sites: [...sites(5, "US"), ...sites(5, "CN")],
    cohorts: [
      { id: "A", target: 20 },
      { id: "B", target: 10, enrolled: 2 },
    ],
    prevalence: { US: { A: 0.2, B: 0.1 }, CN: { A: 0.4, B: 0.05 } },
    replicates: 2_000,
    seed: 9,
  };

  it("gives the same answer for the same seed and another for another seed", () => {
    expect(forecast(base)).toEqual(forecast(base));
    expect(forecast({ ...base, seed: 10 }).scenarios[2]!.completionMonth).not.toEqual(forecast(base).scenarios[2]!.completionMonth);
  });

  it("completes the trial when its last cohort completes", () => {
    for (const scenario of forecast(base).scenarios) {
      for (const cohort of scenario.cohorts) expect(scenario.completionMonth.p50!).toBeGreaterThanOrEqual(cohort.p50!);
    }
  });

  it("draws a fan of cumulative enrolment that starts at what is enrolled and never exceeds the targets", () => {
    const joint = forecast(base).scenarios[2]!;
    expect(joint.enrolmentFan[0]).toMatchObject({ month: 0, p10: 2, p50: 2, p90: 2 });
    for (const point of joint.enrolmentFan) {
      expect(point.p10).toBeLessThanOrEqual(point.p50);
      expect(point.p50).toBeLessThanOrEqual(point.p90);
      expect(point.p90).toBeLessThanOrEqual(30);
    }
    expect(joint.enrolmentFan.at(-1)!.p50).toBe(30);
  });

  it("reports replicates that do not finish by the horizon, and leaves unknowable figures null", () => {
    const slow = forecast({ ...base, horizonMonths: 3, replicates: 500 }).scenarios[0]!;
    expect(slow.incompleteShare).toBeGreaterThan(0.9);
    expect(slow.completionMonth.mean).toBeNull();
    expect(slow.completionMonth.p50).toBeNull();
    expect(slow.probabilityByHorizon.at(-1)).toEqual({ month: 3, probability: 1 - slow.incompleteShare });
  });

  it("treats a cohort that is already full as complete now", () => {
    const done = forecast({ ...base, cohorts: [{ id: "A", target: 5, enrolled: 5 }], prevalence: undefined, asOfMonth: 4, replicates: 200 }).scenarios[2]!;
    expect(done.completionMonth).toMatchObject({ mean: 4, p50: 4, p97_5: 4 });
  });

  it.each([
    ["a negative rate", { sites: [{ id: "x", country: "US", rate: { shape: 2, rate: -1 } }] }, "rate.rate must be greater than 0"],
    ["shares above 1", { prevalence: { US: { A: 0.8, B: 0.4 } } }, "add up to 1.200, above 1"],
    ["a share above 1", { prevalence: { CN: { A: 1.5 } } }, "prevalence must be between 0 and 1"],
    ["an unknown country in a scenario", { scenarios: [{ name: "Japan", countries: ["JP"] }] }, "country must be US or CN"],
    ["prevalence for one country only", { prevalence: { CN: { A: 0.4, B: 0.05 } } }, "not for US, which has sites"],
    ["a missing target", { cohorts: [{ id: "A" }] }, "each cohort needs a target"],
    ["an unknown cohort in prevalence", { prevalence: { US: { Z: 0.1 } } }, "unknown cohort Z"],
    ["an unknown field", { colour: "blue" }, "colour"],
    ["too many replicates", { replicates: 10_000_000 }, "at most 200000"],
  ])("refuses %s with a clear message", (_label, change, message) => {
    const error = (() => {
      try {
        forecast({ ...base, ...change } as ForecastInputJson);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ZodError);
    expect(JSON.stringify((error as ZodError).issues)).toContain(message);
  });

  it("accepts a scenario naming a country with no sites yet: it never fills within the horizon on its own", () => {
    const result = forecast({ ...base, sites: sites(4, "US"), prevalence: { US: { A: 0.2, B: 0.1 } }, replicates: 500 });
    const china = result.scenarios.find((s) => s.countries.length === 1 && s.countries[0] === "CN")!;
    expect(china.incompleteShare).toBe(1);
    expect(china.completionMonth.p50).toBeNull();
    const joint = result.scenarios.find((s) => s.countries.length === 2)!;
    expect(joint.completionMonth.p50).toBe(result.scenarios.find((s) => s.countries[0] === "US" && s.countries.length === 1)!.completionMonth.p50);
  });
});
