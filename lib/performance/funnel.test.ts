import { describe, expect, it } from "vitest";
import { funnel, funnelLimits } from "./funnel";

// Screen failures (numerator) among patients screened (denominator) at ten sites, one of them tiny.
const table = [
  ["A", 10, 100],
  ["B", 12, 100],
  ["C", 9, 100],
  ["D", 11, 100],
  ["E", 30, 100],
  ["F", 2, 2],
  ["G", 8, 100],
  ["H", 10, 100],
  ["I", 12, 100],
  ["J", 11, 100],
] as const;
const rows = table.map(([id, numerator, denominator]) => ({ id, numerator, denominator }));

describe("funnel plots with over-dispersion (gsm's normal approximation)", () => {
  it("match a hand computation of p, phi, the scores, the flags and the limits", () => {
    const f = funnel("share", rows, 10);
    // By hand: p = 115 / 902 = 0.127494; p(1-p) = 0.111240; at n = 100 the unadjusted sd is sqrt(0.111240 / 100) =
    // 0.033353, so A's z0 = (0.10 - 0.127494) / 0.033353 = -0.8244 and E's = (0.30 - 0.127494) / 0.033353 = 5.1722;
    // F's z0 = (1 - 0.127494) / sqrt(0.111240 / 2) = 3.6996; phi = the mean of the ten z0^2 = 4.574033; E's score =
    // 5.1722 / sqrt(4.574033) = 2.4184 (amber), A's = -0.3854.
    expect(f.overall).toBeCloseTo(0.127494, 6);
    expect(f.phi).toBeCloseTo(4.574033, 5);
    const site = (id: string) => f.sites.find((s) => s.id === id)!;
    expect(site("E").z).toBeCloseTo(2.4184, 4);
    expect(site("A").z).toBeCloseTo(-0.3854, 4);
    expect(site("F").z).toBeCloseTo(1.7298, 4);
    expect(f.sites.filter((s) => s.flag).map((s) => [s.id, s.flag])).toEqual([["E", "amber"]]);
    // Limits at n = 100: p +- k sqrt(phi p(1-p) / 100): 2 -> 0.270157 above (below 0: clamped to 0); 3 -> 0.341488.
    const [at100] = funnelLimits(f, [100]);
    expect(at100!.upper2).toBeCloseTo(0.270157, 5);
    expect(at100!.upper3).toBeCloseTo(0.341488, 5);
    expect(at100!.lower2).toBe(0);
  });

  it("never flags a site with 2 patients screened, however far it is from the others", () => {
    const steady = [...Array.from({ length: 10 }, (_, i) => ({ id: `S${i}`, numerator: 10, denominator: 100 })), { id: "tiny", numerator: 2, denominator: 2 }];
    const unguarded = funnel("share", steady, 0).sites.find((s) => s.id === "tiny")!;
    expect(unguarded.flag).toBe("red"); // its score is past 3: only the minimum keeps it unflagged
    const guarded = funnel("share", steady, 10).sites.find((s) => s.id === "tiny")!;
    expect(guarded).toMatchObject({ flag: null, tooFew: true });
    expect(guarded.z).toBeGreaterThan(3);
  });

  it("scores rates per month open, and says nothing of a site never open or a trial with no events", () => {
    const f = funnel(
      "rate",
      [
        { id: "A", numerator: 12, denominator: 12 },
        { id: "B", numerator: 0, denominator: 12 },
        { id: "C", numerator: 0, denominator: 0 },
      ],
      3,
    );
    expect(f.overall).toBeCloseTo(0.5, 10);
    expect(f.sites.find((s) => s.id === "C")).toMatchObject({ metric: null, z: null, flag: null });
    expect(funnel("rate", [{ id: "A", numerator: 0, denominator: 6 }], 3).sites[0]).toMatchObject({ z: 0, flag: null });
  });
});
