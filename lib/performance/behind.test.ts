import { describe, expect, it } from "vitest";
import { Random } from "@/lib/forecast/random";
import { missProbability, planShare, PRIOR_MONTHS } from "./behind";

describe("a site's probability of missing its share of plan", () => {
  it("matches a hand computation: planned 1 a month, none in 3 months, 1 month left", () => {
    // Share 4; rate ~ Gamma(6, 9) after 0 in 3 months; the last month's count ~ NegBin(6, 0.9); missing is fewer than
    // 4 more: 0.9^6 (1 + 6(0.1) + 21(0.01) + 56(0.001)) = 0.531441 x 1.866.
    const s = { planned: 1, screened: 0, monthsOpen: 3, monthsLeft: 1 };
    expect(planShare(s)).toBe(4);
    expect(missProbability(s)).toBeCloseTo(0.531441 * 1.866, 10);
  });

  it("agrees with a simulation of the same model (Gamma rate, Poisson counts)", () => {
    const random = new Random(7);
    const s = { planned: 2, screened: 9, monthsOpen: 6, monthsLeft: 12 };
    const shape = s.planned * PRIOR_MONTHS + s.screened;
    const rate = PRIOR_MONTHS + s.monthsOpen;
    let missed = 0;
    const runs = 40_000;
    for (let i = 0; i < runs; i++) {
      const lambda = random.gamma(shape) / rate;
      // Poisson(lambda x months left) by counting exponential gaps.
      let future = 0;
      for (let t = -Math.log(1 - random.uniform()); t < lambda * s.monthsLeft; t -= Math.log(1 - random.uniform())) future++;
      if (s.screened + future < planShare(s)) missed++;
    }
    expect(missProbability(s)).toBeCloseTo(missed / runs, 2);
  });

  it("does not call a site on plan behind, and calls a site far behind so whatever its size", () => {
    expect(missProbability({ planned: 2, screened: 12, monthsOpen: 6, monthsLeft: 12 })).toBeLessThan(0.6);
    expect(missProbability({ planned: 2, screened: 36, monthsOpen: 6, monthsLeft: 12 })).toBe(0); // its whole share (2 x 18) already
    expect(missProbability({ planned: 0.5, screened: 0, monthsOpen: 18, monthsLeft: 6 })).toBeGreaterThan(0.95);
    expect(missProbability({ planned: 10, screened: 20, monthsOpen: 12, monthsLeft: 12 })).toBeGreaterThan(0.99);
    // A short gap early on is weak evidence: below the default rule's 90%.
    expect(missProbability({ planned: 1, screened: 0, monthsOpen: 1, monthsLeft: 30 })).toBeLessThan(0.75);
    // After the planned end, short is missed.
    expect(missProbability({ planned: 1, screened: 3, monthsOpen: 6, monthsLeft: -2 })).toBe(1);
  });
});
