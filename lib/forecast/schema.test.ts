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

describe("what the learning adds to the input", () => {
  const open = (periods: { from: number; to: number; screened: number }[], screened = 6) => ({
    id: "US-1",
    country: "US" as const,
    activationMonth: 0,
    rate: { shape: 2, rate: 2 },
    observed: { months: 3, screened, periods },
  });
  const parse = (site: object, extra: object = {}) => forecastInput.safeParse({ sites: [site], cohorts: cohorts(1), asOfMonth: 3, ...extra });
  const messages = (r: ReturnType<typeof parse>) => r.error?.issues.map((i) => i.message) ?? [];

  it("takes periods that are in order and add up to the count, and says what is wrong with others", () => {
    const good = [
      { from: 0, to: 1, screened: 4 },
      { from: 1, to: 3, screened: 2 },
    ];
    expect(parse(open(good)).success).toBe(true);
    expect(messages(parse(open(good, 7)))).toEqual(["site US-1: periods add up to 6 screened, but observed.screened is 7"]);
    expect(messages(parse(open([{ from: 0, to: 4, screened: 6 }])))[0]).toContain("within the 3 months observed");
    expect(
      messages(
        parse(
          open([
            { from: 0, to: 2, screened: 3 },
            { from: 1, to: 3, screened: 3 },
          ]),
        ),
      )[0],
    ).toContain("not overlapping");
  });

  it("refuses planRatio beside rateModels, and rate models whose weights do not add up to 1", () => {
    const site = open([{ from: 0, to: 3, screened: 6 }]);
    const models = [
      { weight: 0.5, boost: 0, months: 1 },
      { weight: 0.4, boost: 2, months: 3 },
    ];
    expect(messages(parse(site, { rateModels: models }))).toEqual(["rate models' weights add up to 0.9000, not 1"]);
    expect(messages(parse(site, { rateModels: [{ weight: 1, boost: 0, months: 1 }], planRatio: { shape: 2, rate: 2 } }))[0]).toContain("not both");
    expect(messages(parse(site, { rateModels: [{ weight: 1, boost: -1, months: 1 }] }))).toEqual(["rateModels.boost must be at least -0.95"]);
    expect(parse(site, { rateModels: [{ weight: 1, boost: 2, months: 3 }], openingDelay: { shape: 3, rate: 6 } }).success).toBe(true);
  });
});

describe("the work of a rate that changes", () => {
  it("counts each young site's steps against the budget, and none for a steady rate", () => {
    const input = { sites: sites(100), cohorts: cohorts(5), replicates: 20_000 };
    expect(forecastInput.safeParse({ ...input, rateModels: [{ weight: 1, boost: 0, months: 1 }] }).success).toBe(true);
    const trend = forecastInput.safeParse({ ...input, rateModels: [{ weight: 1, boost: 2, months: 3 }] });
    expect(trend.error!.issues[0]!.message).toContain("this forecast asks for 180,000,000 units of work");
  });
});
