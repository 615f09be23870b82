import { describe, expect, it } from "vitest";
import { createNormaliser } from "./normalise";
import { DEFAULT_SUBTYPES } from "./vocabulary";

const normalise = createNormaliser(DEFAULT_SUBTYPES);

describe("subtype names from real reports", () => {
  it.each([
    ["EGFR:L858R", "EGFR:L858R"],
    ["egfr:l858r", "EGFR:L858R"],
    ["L858R", "EGFR:L858R"],
    ["p.L858R", "EGFR:L858R"],
    ["p.Leu858Arg", "EGFR:L858R"],
    ["EGFR p.Leu858Arg", "EGFR:L858R"],
    ["c.2573T>G", "EGFR:L858R"],
    ["EGFR L858R", "EGFR:L858R"],
    ["exon 19 deletion", "EGFR:ex19del"],
    ["Exon 19 del", "EGFR:ex19del"],
    ["19del", "EGFR:ex19del"],
    ["ex19del", "EGFR:ex19del"],
    ["E746_A750del", "EGFR:ex19del"],
    ["p.Glu746_Ala750del", "EGFR:ex19del"],
    ["L747_P753delinsS", "EGFR:ex19del"],
    ["L747_T751del", "EGFR:ex19del"],
    ["EGFR p.E746_S752delinsV", "EGFR:ex19del"],
    ["T790M", "EGFR:T790M"],
    ["p.Thr790Met", "EGFR:T790M"],
    ["exon 20 insertion", "EGFR:ex20ins"],
    ["A767_V769dup", "EGFR:ex20ins"],
    ["D770_N771insSVD", "EGFR:ex20ins"],
    ["EML4-ALK", "ALK:fusion"],
    ["ALK+", "ALK:fusion"],
    ["ALK rearranged", "ALK:fusion"],
    ["EML4::ALK", "ALK:fusion"],
    ["CD74-ROS1", "ROS1:fusion"],
    ["SLC34A2-ROS1", "ROS1:fusion"],
    ["KIF5B-RET", "RET:fusion"],
    ["CCDC6-RET fusion", "RET:fusion"],
    ["ETV6-NTRK3", "NTRK:fusion"],
    ["NTRK1 fusion", "NTRK:fusion"],
    ["G12C", "KRAS:G12C"],
    ["KRAS p.Gly12Cys", "KRAS:G12C"],
    ["V600E", "BRAF:V600E"],
    ["p.Val600Glu", "BRAF:V600E"],
    ["METex14", "MET:ex14skip"],
    ["MET exon 14 skipping", "MET:ex14skip"],
    ["exon 14 skipping", "MET:ex14skip"],
    ["HER2 exon 20", "ERBB2:ex20ins"],
    ["ERBB2 Y772_A775dup", "ERBB2:ex20ins"],
    ["HER2 p.A775_G776insYVMA", "ERBB2:ex20ins"],
  ])("%s -> %s", (input, key) => {
    expect(normalise(input)).toEqual({ ok: true, key });
  });

  it("refuses unknown names with suggestions", () => {
    const result = normalise("L858Q");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.suggestions).toContain("EGFR:L858R");
    const typo = normalise("G12D");
    expect(typo.ok).toBe(false);
    if (!typo.ok) expect(typo.suggestions[0]).toBe("KRAS:G12C");
    expect(normalise("").ok).toBe(false);
    expect(normalise("banana").ok).toBe(false);
    expect(normalise("KRAS V600E").ok).toBe(false); // V600E is BRAF's, not KRAS's
    expect(normalise("BRAF L858R").ok).toBe(false);
  });

  it("does not take a deletion outside exon 19, or an insertion outside exon 20, for one", () => {
    expect(normalise("E709_T710delinsD").ok).toBe(false); // exon 18
    expect(normalise("A859_K860del").ok).toBe(false);
  });

  it("uses an extended vocabulary", () => {
    const extended = createNormaliser([...DEFAULT_SUBTYPES, { key: "KRAS:G12D", gene: "KRAS", alteration: "G12D", synonyms: ["p.Gly12Asp"] }]);
    expect(extended("G12D")).toEqual({ ok: true, key: "KRAS:G12D" });
    expect(extended("p.Gly12Asp")).toEqual({ ok: true, key: "KRAS:G12D" });
  });
});
