import { describe, expect, it } from "vitest";
import { backtest } from "./backtest";
import { forecast } from "./engine";
import { learnFromSites, planRatioPosterior, planRatioSummary } from "./learning";

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
