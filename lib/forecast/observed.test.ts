import { describe, expect, it } from "vitest";
import { observedSince } from "./observed";

describe("a site's screening by calendar month, as periods of its time open", () => {
  it("cuts the months at the site's activation and today, and keeps the count", () => {
    const months = new Map([
      ["2026-01", 3],
      ["2026-02", 5],
      ["2026-03", 1],
    ]);
    const seen = observedSince("2026-01-15", "2026-03-10", 9, months);
    expect(seen.months).toBe(1.77);
    expect(seen.periods).toEqual([
      { from: 0, to: 0.56, screened: 3 },
      { from: 0.56, to: 1.48, screened: 5 },
      { from: 1.48, to: 1.77, screened: 1 },
    ]);
  });

  it("counts a patient screened before the recorded activation in the first period, and gives no periods when the months do not add up", () => {
    const early = observedSince(
      "2026-02-10",
      "2026-03-10",
      4,
      new Map([
        ["2026-01", 1],
        ["2026-02", 2],
        ["2026-03", 1],
      ]),
    );
    expect(early.periods![0]).toEqual({ from: 0, to: 0.62, screened: 3 });
    // The peer withheld a month's cell: the total alone.
    expect(observedSince("2026-02-10", "2026-03-10", 4, new Map([["2026-02", 2]]))).toEqual({ months: 0.92, screened: 4 });
    expect(observedSince("2026-02-10", "2026-03-10", 4, undefined)).toEqual({ months: 0.92, screened: 4 });
  });

  it("puts a patient seen on the first day of today's month into the last period", () => {
    const seen = observedSince(
      "2026-02-10",
      "2026-03-01",
      3,
      new Map([
        ["2026-02", 2],
        ["2026-03", 1],
      ]),
    );
    expect(seen.periods).toEqual([{ from: 0, to: 0.62, screened: 3 }]);
  });
});
