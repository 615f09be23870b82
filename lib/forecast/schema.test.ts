import { describe, expect, it } from "vitest";
import { FORECAST_WORK_BUDGET, forecastInput } from "./schema";

const sites = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `s${i}`, country: i % 2 ? "US" : "CN", rate: { shape: 2, rate: 2 } }));
const cohorts = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, target: 10 }));

describe("the forecast's work budget", () => {
  it("refuses, at once and before any simulation, a request past the budget", () => {
    const started = performance.now();
    const huge = forecastInput.safeParse({
      sites: sites(2_000),
      cohorts: cohorts(50),
      replicates: 200_000,
      scenarios: Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, countries: ["US", "CN"] })),
    });
    expect(performance.now() - started).toBeLessThan(100);
    expect(huge.success).toBe(false);
    expect(huge.error!.issues[0]).toMatchObject({
      path: ["replicates"],
      message: expect.stringContaining(`the most is ${FORECAST_WORK_BUDGET.toLocaleString("en")}`),
    });
  });

  it("accepts the reference case, and says 'at most 2000 sites' for 5,000", () => {
    expect(forecastInput.safeParse({ sites: sites(43), cohorts: cohorts(4) }).success).toBe(true);
    const many = forecastInput.safeParse({ sites: sites(5_000), cohorts: cohorts(1), replicates: 100 });
    expect(many.error!.issues.map((i) => i.message)).toContain("at most 2000 sites");
  });
});
