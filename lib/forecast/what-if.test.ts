import { describe, expect, it } from "vitest";
import type { ForecastInputJson } from "./schema";
import { applyScenario, checkWhatIf, readScenarioLink, scenarioChanges, scenarioLink, type ScenarioChanges } from "./what-if";

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

describe("a what-if as a link", () => {
  const live: ForecastInputJson = {
    ...base,
    sites: [
      { id: "US-1", country: "US", activationMonth: 0, rate: { shape: 2, rate: 1 } },
      { id: "US-2", country: "US", activationMonth: 3, rate: { shape: 1, rate: 1 } },
      { id: "CN-1", country: "CN", activationMonth: 0, rate: { shape: 3, rate: 1 } },
    ],
  };

  it("carries only what changed, and applied to the live inputs gives the what-if back", () => {
    const whatIf: ForecastInputJson = {
      ...live,
      enrolFraction: 0.2,
      sites: [{ ...live.sites[0]!, activationMonth: 5 }, live.sites[2]!, { id: "NEW-CN-4", country: "CN", activationMonth: 8, rate: { shape: 6, rate: 6 } }],
    };
    const changes = scenarioChanges(live, whatIf);
    expect(changes).toEqual({ v: 1, enrolFraction: 0.2, sites: { "US-1": { activationMonth: 5 } }, removed: ["US-2"], added: [whatIf.sites[2]] });
    const link = scenarioLink("https://tb.example/trials/t1/forecast?old=1#chart", changes);
    expect(link.startsWith("https://tb.example/trials/t1/forecast?scenario=")).toBe(true);
    const read = readScenarioLink(new URL(link).searchParams.get("scenario")!);
    expect(read).toEqual(changes);
    expect(applyScenario(live, read as ScenarioChanges)).toEqual(whatIf);
    expect(scenarioChanges(live, live)).toEqual({ v: 1 });
  });

  it("applied later, keeps its changes to the sites still there and leaves out those gone", () => {
    const later = { ...live, sites: live.sites.filter((s) => s.id !== "US-1") };
    const applied = applyScenario(later, { v: 1, sites: { "US-1": { activationMonth: 9 }, "CN-1": { rate: { shape: 1, rate: 2 } } } });
    expect(applied.sites.map((s) => s.id)).toEqual(["US-2", "CN-1"]);
    expect(applied.sites[1]!.rate).toEqual({ shape: 1, rate: 2 });
  });

  it("says a link it cannot read is unreadable, not a crash", () => {
    for (const raw of ["{", "null", '{"v":2}', '{"v":1,"sites":[1]}', '{"v":1,"removed":"US-1"}']) expect(readScenarioLink(raw)).toBe("unreadable");
    expect(readScenarioLink(undefined)).toBeNull();
  });
});
