import { describe, expect, it } from "vitest";
import { createNormaliser } from "@/lib/subtypes/normalise";
import { DEFAULT_SUBTYPES } from "@/lib/subtypes/vocabulary";
import en from "@/lib/i18n/messages/en.json";
import zh from "@/lib/i18n/messages/zh-CN.json";
import { cohortCriteria, criteriaOfSubtypes, evaluate, explainCheck, includedSubtypes, type CohortCriteria, type PatientFacts } from "./criteria";

const normalise = createNormaliser(DEFAULT_SUBTYPES);
const byKey = new Map(DEFAULT_SUBTYPES.map((s) => [s.key, s]));

/** A patient as a report writes their results: wording, and detected or not. */
function patient(results: [string, "detected" | "not_detected"][], age?: number): PatientFacts {
  return {
    age,
    results: results.map(([text, result]) => {
      const match = normalise(text);
      if (!match.ok) throw new Error(`not understood: ${text}`);
      return { ...byKey.get(match.key)!, result };
    }),
  };
}
const criteria = (c: unknown): CohortCriteria => cohortCriteria.parse(c);

/** A translator over a catalogue's `match` section, as next-intl renders simple messages. */
function words(catalogue: typeof en) {
  return (key: string, params: Record<string, string | number> = {}) => {
    const text = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalogue.match) as string;
    return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ""));
  };
}
const label = (key: string) => byKey.get(key)?.label ?? key;

describe("cohort criteria over report wording", () => {
  const g12any = criteria({ version: 1, include: [{ kind: "protein", gene: "KRAS", pattern: "G12*" }] });
  const g12d = criteria({ version: 1, include: [{ kind: "protein", gene: "KRAS", pattern: "G12D" }] });
  const ex19 = criteria({ version: 1, include: [{ kind: "exon", gene: "EGFR", exon: 19, event: "deletion" }] });
  const alkAny = criteria({ version: 1, include: [{ kind: "fusion", gene: "ALK" }] });
  const sensitisingWithoutT790M = criteria({
    version: 1,
    include: [
      { kind: "subtype", key: "EGFR:L858R" },
      { kind: "exon", gene: "EGFR", exon: 19, event: "deletion" },
    ],
    requireNotDetected: [{ kind: "subtype", key: "EGFR:T790M" }],
  });

  it("KRAS p.Gly12Cys fits a KRAS G12* cohort and not a KRAS G12D one", () => {
    const kras = patient([["KRAS p.Gly12Cys", "detected"]]);
    expect(evaluate(g12any, kras).outcome).toBe("met");
    expect(evaluate(g12d, kras).outcome).toBe("failed");
    expect(evaluate(g12any, patient([["KRAS G12C", "not_detected"]])).outcome).toBe("failed"); // tested, not found
  });

  it("EGFR E746_A750del fits an exon 19 deletion cohort; EML4-ALK fits an ALK cohort of any partner", () => {
    expect(evaluate(ex19, patient([["EGFR E746_A750del", "detected"]])).outcome).toBe("met");
    expect(evaluate(ex19, patient([["EGFR L858R", "detected"]])).outcome).toBe("failed");
    expect(evaluate(alkAny, patient([["EML4-ALK", "detected"]])).outcome).toBe("met");
    expect(evaluate(alkAny, patient([["ROS1 fusion", "detected"]])).outcome).toBe("failed");
  });

  it("excludes EGFR L858R with T790M from a cohort requiring T790M not detected, and says why in English and Chinese", () => {
    const both = evaluate(
      sensitisingWithoutT790M,
      patient([
        ["EGFR L858R mutation", "detected"],
        ["T790M", "detected"],
      ]),
    );
    expect(both.outcome).toBe("failed");
    const reason = both.checks.find((c) => c.outcome === "failed")!;
    expect(explainCheck(reason, words(en), label)).toBe("EGFR T790M detected: the cohort requires it not detected");
    expect(explainCheck(reason, words(zh as typeof en), label)).toBe("检出 EGFR T790M：本队列要求未检出");
    const included = both.checks.find((c) => c.rule === "include")!;
    expect(explainCheck(included, words(en), label)).toBe("EGFR L858R detected (the cohort needs one of: EGFR L858R, EGFR exon 19 deletion)");
    // Not tested for T790M: not yet known, not refused.
    expect(evaluate(sensitisingWithoutT790M, patient([["p.Leu858Arg", "detected"]])).outcome).toBe("unknown");
    expect(
      evaluate(
        sensitisingWithoutT790M,
        patient([
          ["L858R", "detected"],
          ["T790M", "not_detected"],
        ]),
      ).outcome,
    ).toBe("met");
  });

  it("applies exclusions and an age range", () => {
    const c = criteria({
      version: 1,
      include: [{ kind: "subtype", key: "MET:ex14skip" }],
      exclude: [{ kind: "subtype", key: "EGFR:L858R" }],
      age: { min: 18, max: 75 },
    });
    expect(evaluate(c, patient([["MET exon 14 skipping", "detected"]], 64)).outcome).toBe("met");
    expect(
      evaluate(
        c,
        patient(
          [
            ["MET exon 14 skipping", "detected"],
            ["L858R", "detected"],
          ],
          64,
        ),
      ).outcome,
    ).toBe("failed");
    const old = evaluate(c, patient([["METex14", "detected"]], 80));
    expect(old.outcome).toBe("failed");
    expect(explainCheck(old.checks.at(-1)!, words(en), label)).toBe("Age 80: the cohort is for 18 to 75");
    expect(evaluate(c, patient([["METex14", "detected"]])).outcome).toBe("unknown");
  });

  it("names the vocabulary subtypes its inclusion covers, and reads subtype lists as before", () => {
    expect(includedSubtypes(g12any, DEFAULT_SUBTYPES)).toEqual(["KRAS:G12C"]);
    expect(includedSubtypes(criteria({ version: 1, include: [{ kind: "exon", gene: "HER2", exon: 20, event: "insertion" }] }), DEFAULT_SUBTYPES)).toEqual([
      "ERBB2:ex20ins",
    ]);
    expect(criteriaOfSubtypes(["EGFR:L858R", "EGFR:ex19del"]).include).toEqual([
      { kind: "subtype", key: "EGFR:L858R" },
      { kind: "subtype", key: "EGFR:ex19del" },
    ]);
  });

  it("refuses malformed criteria with a clear message", () => {
    for (const bad of [
      { version: 1, include: [] },
      { version: 1, include: [{ kind: "protein", gene: "KRAS", pattern: "G12**" }] },
      { version: 1, include: [{ kind: "exon", gene: "EGFR", exon: 19, event: "gain" }] },
      { version: 1, include: [{ kind: "fusion", gene: "ALK" }], age: { min: 80, max: 18 } },
      { version: 2, include: [{ kind: "fusion", gene: "ALK" }] },
      { version: 1, include: [{ kind: "fusion", gene: "ALK", partner: "EML4" }] },
    ]) {
      expect(cohortCriteria.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
