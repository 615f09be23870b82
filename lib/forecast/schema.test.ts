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

describe("a site's observed months", () => {
  it("cannot be longer than the site has been open, and a what-if that opens a screening site later is stopped", async () => {
    const { checkWhatIf } = await import("./what-if");
    const site = { id: "US-1", country: "US" as const, activationMonth: 4, rate: { shape: 2, rate: 2 }, observed: { months: 5, screened: 3 } };
    const refused = forecastInput.safeParse({ sites: [site], cohorts: cohorts(1), asOfMonth: 6, scenarios: [{ name: "US", countries: ["US"] }] });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues[0]).toMatchObject({ path: ["sites", 0, "observed", "months"], message: expect.stringContaining("has been open 2.00 months") });
    expect(
      forecastInput.safeParse({ sites: [{ ...site, activationMonth: 1 }], cohorts: cohorts(1), asOfMonth: 6, scenarios: [{ name: "US", countries: ["US"] }] })
        .success,
    ).toBe(true);
    expect(checkWhatIf({ sites: [site], cohorts: cohorts(1), asOfMonth: 6, scenarios: [{ name: "US", countries: ["US"] }] }).map((p) => p.key)).toEqual([
      "openedLater",
    ]);
  });
});
