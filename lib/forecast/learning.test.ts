import { describe, expect, it } from "vitest";
import { backtest } from "./backtest";
import { forecast } from "./engine";
import {
  learnFromSites,
  openingDelayPosterior,
  openingDelaySummary,
  planRatioPosterior,
  planRatioSummary,
  rateModelPosterior,
  rateModelSummary,
} from "./learning";

const site = (id: string, plan: number, observed?: { months: number; screened: number }) => ({
  id,
  country: id.startsWith("US") ? ("US" as const) : ("CN" as const),
  activationMonth: 0,
  rate: { shape: 4, rate: 4 / plan },
  ...(observed ? { observed } : {}),
});

describe("learning the plans' optimism from the trial", () => {
  it("finds sites running at half their plans, with an interval, and leaves plans alone before any site opens", () => {
    const sites = Array.from({ length: 20 }, (_, i) => site(`US-${i}`, 2, { months: 6, screened: 6 })); // 1 a month, plan 2
    const ratio = planRatioPosterior(sites)!;
    const summary = planRatioSummary(ratio);
    expect(summary.mean).toBeGreaterThan(0.45);
    expect(summary.mean).toBeLessThan(0.56);
    expect(summary.p10).toBeLessThan(summary.mean);
    expect(summary.p90).toBeGreaterThan(summary.mean);
    expect(planRatioPosterior([site("US-1", 2), site("CN-1", 1)])).toBeNull();
    const input = { sites: [site("US-1", 2)], cohorts: [{ id: "A", target: 10 }] };
    expect(learnFromSites(input)).toBe(input);
  });

  it("a ratio known to be one half forecasts as plans halved", () => {
    const cohorts = [{ id: "A", target: 60 }];
    const halved = forecast({ sites: [site("US-1", 1), site("CN-1", 1)], cohorts, replicates: 20_000 });
    const learned = forecast({ sites: [site("US-1", 2), site("CN-1", 2)], cohorts, replicates: 20_000, planRatio: { shape: 1e6, rate: 2e6 } });
    const p50 = (r: typeof halved) => r.scenarios.find((s) => s.name === "Joint")!.completionMonth.p50!;
    expect(Math.abs(p50(learned) - p50(halved)) / p50(halved)).toBeLessThan(0.03);
  });

  it("in a seeded back-test of optimistic plans, the learning brings the 80% intervals back near 80%", () => {
    const without = backtest("optimistic", 40, 7, 500);
    const withLearning = backtest("optimistic", 40, 7, 500, learnFromSites);
    for (const [i, row] of withLearning.entries()) {
      expect(without[i]!.coverage["80%"].share).toBeLessThan(0.5);
      expect(row.coverage["80%"].share).toBeGreaterThan(0.65);
      expect(Math.abs(row.medianBias)).toBeLessThan(0.1);
    }
    for (const row of backtest("model", 40, 8, 500, learnFromSites)) {
      expect(row.coverage["80%"].share).toBeGreaterThan(0.65);
      expect(row.coverage["80%"].share).toBeLessThan(0.95);
    }
  }, 30_000);
});

describe("rates that change, and openings that slip", () => {
  // 20 sites open 6 months, each with a count per month.
  const withHistory = (perMonth: number[]) =>
    Array.from({ length: 20 }, (_, i) => ({
      ...site(`US-${i}`, 1),
      activationMonth: 0,
      observed: {
        months: perMonth.length,
        screened: perMonth.reduce((a, b) => a + b, 0),
        periods: perMonth.map((screened, m) => ({ from: m, to: m + 1, screened })),
      },
    }));

  it("sees a backlog that runs out, a steady rate, and says when it cannot tell", () => {
    const backlog = rateModelSummary(rateModelPosterior(withHistory([4, 2, 1, 1, 1, 1]))!);
    expect(backlog.backlog.weight).toBeGreaterThan(0.8);
    expect(backlog.backlog.firstMonthFactor).toBeGreaterThan(1.8);
    const steady = rateModelSummary(rateModelPosterior(withHistory([1, 1, 1, 1, 1, 1]))!);
    expect(steady.steady).toBeGreaterThan(0.8);
    expect(steady.ratio!.mean).toBeGreaterThan(0.8);
    expect(steady.ratio!.mean).toBeLessThan(1.2);
    // One site, one month: nothing decisive either way.
    const little = rateModelSummary(
      rateModelPosterior([{ ...site("US-1", 1), observed: { months: 1, screened: 1, periods: [{ from: 0, to: 1, screened: 1 }] } }])!,
    );
    expect(Math.max(little.steady, little.backlog.weight, little.slowStart.weight)).toBeLessThan(0.8);
  });

  it("a backlog learned makes the forecast later than the same counts read as a steady rate", () => {
    const sites = withHistory([4, 2, 1, 1, 1, 1]);
    const input = {
      sites,
      cohorts: [{ id: "A", target: 400, enrolled: 0 }],
      asOfMonth: 6,
      replicates: 4_000,
      scenarios: [{ name: "US", countries: ["US" as const] }],
    };
    const steady = forecast({ ...input, planRatio: planRatioPosterior(sites)! }).scenarios[0]!.completionMonth.p50!;
    const learned = forecast(learnFromSites(input)).scenarios[0]!.completionMonth.p50!;
    expect(learned).toBeGreaterThan(steady * 1.2);
  });

  it("learns openings' delay from sites opened and sites overdue", () => {
    const opened = (id: string, planned: number, actual: number) => ({
      ...site(id, 1),
      plannedActivationMonth: planned,
      activationMonth: actual,
      observed: { months: 10 - actual, screened: 5 },
    });
    const sites = [opened("US-1", 0, 2), opened("US-2", 1, 3), opened("US-3", 2, 4), opened("US-4", 3, 5)];
    const onTime = openingDelayPosterior(sites, 10)!;
    expect(openingDelaySummary(onTime).mean).toBeCloseTo(9 / 5, 5); // (1 + 8 months late in all) / (2 + 4 opened - 1)
    const overdue = openingDelayPosterior([...sites, { ...site("US-5", 1), plannedActivationMonth: 4, activationMonth: 10 }], 10)!;
    expect(overdue.rate).toBe(onTime.rate + 6); // overdue 6 months: a delay of at least that
    expect(overdue.shape).toBe(onTime.shape);
    expect(openingDelayPosterior([site("US-1", 1)], 10)).toBeNull();
  });

  it("opens sites not yet open about the learned delay later", () => {
    const closed = Array.from({ length: 10 }, (_, i) => ({ ...site(`US-${i}`, 2), activationMonth: 1 }));
    const input = { sites: closed, cohorts: [{ id: "A", target: 200 }], replicates: 20_000, scenarios: [{ name: "US", countries: ["US" as const] }] };
    const onDates = forecast(input).scenarios[0]!.completionMonth.mean!;
    // Delay rate known to be 1/3 a month: a mean delay of 3 months, each site its own.
    const slipped = forecast({ ...input, openingDelay: { shape: 1e6, rate: 3e6 } }).scenarios[0]!.completionMonth.mean!;
    expect(slipped - onDates).toBeGreaterThan(2);
    expect(slipped - onDates).toBeLessThan(3.5);
  });

  it("one steady rate model with a ratio is the ratio alone: the engine's old behaviour is one setting", () => {
    const sites = withHistory([1, 1, 1, 1, 1, 1]);
    const input = { sites, cohorts: [{ id: "A", target: 100 }], asOfMonth: 6, replicates: 2_000 };
    const ratio = { shape: 40, rate: 50 };
    expect(forecast({ ...input, rateModels: [{ weight: 1, boost: 0, months: 1, planRatio: ratio }] })).toEqual(forecast({ ...input, planRatio: ratio }));
  });
});
