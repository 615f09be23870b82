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

  // Report wording as molecular reports and referral letters write it, in English and Chinese (gathered from NGS and
  // PCR report formats: trailing words, HGVS in parentheses, transcripts, exon wording, HER2 for ERBB2).
  it.each([
    ["EGFR L858R mutation", "EGFR:L858R"],
    ["EGFR L858R mutation detected", "EGFR:L858R"],
    ["EGFR exon 21 L858R", "EGFR:L858R"],
    ["EGFR exon 21 p.L858R point mutation", "EGFR:L858R"],
    ["EGFR c.2573T>G (p.Leu858Arg)", "EGFR:L858R"],
    ["NM_005228.5:c.2573T>G (p.Leu858Arg)", "EGFR:L858R"],
    ["EGFR p.(Leu858Arg)", "EGFR:L858R"],
    ["L858R positive", "EGFR:L858R"],
    ["EGFR 21外显子L858R突变", "EGFR:L858R"],
    ["EGFR L858R 阳性", "EGFR:L858R"],
    ["EGFR exon 19 deletion mutation", "EGFR:ex19del"],
    ["EGFR exon19 deletion", "EGFR:ex19del"],
    ["EGFR 19外显子缺失", "EGFR:ex19del"],
    ["EGFR 19号外显子缺失突变", "EGFR:ex19del"],
    ["EGFR外显子19缺失", "EGFR:ex19del"],
    ["EGFR c.2235_2249del (p.Glu746_Ala750del)", "EGFR:ex19del"],
    ["EGFR p.(E746_A750del)", "EGFR:ex19del"],
    ["EGFR T790M mutation", "EGFR:T790M"],
    ["EGFR T790M 突变阳性", "EGFR:T790M"],
    ["EGFR exon 20 insertion mutation", "EGFR:ex20ins"],
    ["EGFR 20外显子插入", "EGFR:ex20ins"],
    ["KRAS G12C mutation", "KRAS:G12C"],
    ["KRAS c.34G>T (p.Gly12Cys)", "KRAS:G12C"],
    ["KRAS p.G12C positive", "KRAS:G12C"],
    ["KRAS G12C突变", "KRAS:G12C"],
    ["BRAF V600E mutation detected", "BRAF:V600E"],
    ["BRAF c.1799T>A (p.Val600Glu)", "BRAF:V600E"],
    ["MET exon 14 skipping mutation", "MET:ex14skip"],
    ["MET 14外显子跳跃突变", "MET:ex14skip"],
    ["MET外显子14跳跃", "MET:ex14skip"],
    ["HER2 exon 20 insertion", "ERBB2:ex20ins"],
    ["ERBB2 exon 20 insertion mutation", "ERBB2:ex20ins"],
    ["HER2 20外显子插入突变", "ERBB2:ex20ins"],
    ["ERBB2 p.(Tyr772_Ala775dup)", "ERBB2:ex20ins"],
    ["ALK fusion positive", "ALK:fusion"],
    ["EML4-ALK fusion detected", "ALK:fusion"],
    ["ALK融合", "ALK:fusion"],
    ["EML4-ALK融合阳性", "ALK:fusion"],
    ["ALK阳性", "ALK:fusion"],
    ["ROS1 rearrangement positive", "ROS1:fusion"],
    ["CD74-ROS1融合", "ROS1:fusion"],
    ["ROS1重排", "ROS1:fusion"],
    ["RET融合", "RET:fusion"],
    ["KIF5B-RET fusion detected", "RET:fusion"],
    ["NTRK1融合", "NTRK:fusion"],
    ["EGFR p.L858R (c.2573T>G)", "EGFR:L858R"],
    ["EGFR基因21号外显子L858R点突变", "EGFR:L858R"],
    ["EGFR 19del阳性", "EGFR:ex19del"],
    ["EGFR exon 19 in-frame deletion", "EGFR:ex19del"],
    ["EGFR T790M阳性", "EGFR:T790M"],
    ["EGFR 20号外显子插入突变", "EGFR:ex20ins"],
    ["KRAS G12C 点突变", "KRAS:G12C"],
    ["KRAS基因G12C突变", "KRAS:G12C"],
    ["KRAS exon 2 p.G12C", "KRAS:G12C"],
    ["BRAF V600E突变", "BRAF:V600E"],
    ["BRAF p.V600E 阳性", "BRAF:V600E"],
    ["MET 14号外显子跳跃", "MET:ex14skip"],
    ["MET exon14 skipping (METex14)", "MET:ex14skip"],
    ["ERBB2 (HER2) exon 20 insertion", "ERBB2:ex20ins"],
    ["HER2 20号外显子插入", "ERBB2:ex20ins"],
    ["RET fusion positive (KIF5B-RET)", "RET:fusion"],
    ["ROS1 fusion detected", "ROS1:fusion"],
    ["ROS1融合阳性", "ROS1:fusion"],
    ["NTRK融合阳性", "NTRK:fusion"],
    ["ETV6::NTRK3 fusion", "NTRK:fusion"],
  ])("report wording %s -> %s", (input, key) => {
    expect(normalise(input)).toEqual({ ok: true, key });
  });

  it("ranks suggestions by the gene the text names", () => {
    const unknown = normalise("EGFR L861Q mutation");
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.suggestions[0]!.startsWith("EGFR:")).toBe(true);
    const her2 = normalise("HER2 amplification");
    expect(her2.ok).toBe(false);
    if (!her2.ok) expect(her2.suggestions[0]).toBe("ERBB2:ex20ins");
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
    expect(normalise("EGFR V600E mutation").ok).toBe(false); // a wrong gene is never accepted for the alteration
    expect(normalise("ALK G12C").ok).toBe(false);
    expect(normalise("KRAS 19外显子缺失").ok).toBe(false);
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
