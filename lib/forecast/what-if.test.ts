import { describe, expect, it } from "vitest";
import { checkWhatIf } from "./what-if";

const site = (id: string, country: "US" | "CN", perMonth = 1, activationMonth = 0) => ({
  id,
  country,
  activationMonth,
  rate: { shape: perMonth * 4, rate: 4 },
});
const base = { sites: [site("US-1", "US"), site("CN-1", "CN")], cohorts: [{ id: "A", target: 10 }] };

describe("the forecast page's what-if checks", () => {
  it("accept sensible inputs", () => {
    expect(checkWhatIf({ ...base, enrolFraction: 0.6, prevalence: { US: { A: 0.4 }, CN: { A: 1 } } })).toEqual([]);
  });

  it("name each thing a person can get wrong in the form", () => {
    expect(checkWhatIf({ ...base, enrolFraction: 0 }).map((p) => p.key)).toEqual(["enrolFraction"]);
    expect(checkWhatIf({ ...base, enrolFraction: Number.NaN }).map((p) => p.key)).toEqual(["enrolFraction"]);
    expect(checkWhatIf({ ...base, prevalence: { CN: { A: 0.7, B: 0.5 } } })).toEqual([{ key: "prevalenceTotal", params: { country: "CN", total: 120 } }]);
    expect(checkWhatIf({ ...base, prevalence: { US: { A: -0.1 } } })).toEqual([{ key: "prevalence", params: { country: "US" } }]);
    expect(checkWhatIf({ ...base, sites: [site("US-1", "US", 1, -2), site("CN-1", "CN", 0)] }).map((p) => p.key)).toEqual(["activationMonth", "rate"]);
  });

  it("need a site in every country a scenario recruits in", () => {
    expect(checkWhatIf({ ...base, sites: [site("US-1", "US")] })).toEqual([{ key: "noSites", params: { country: "CN" } }]);
    expect(checkWhatIf({ ...base, sites: [site("US-1", "US")], scenarios: [{ name: "US only", countries: ["US"] }] })).toEqual([]);
  });
});
