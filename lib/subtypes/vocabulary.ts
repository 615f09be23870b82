// The default controlled vocabulary of NSCLC molecular subtypes (gene first, HUGO symbols), with spellings seen in
// real reports. Admins can extend it in the database; this list seeds it. Names map onto MatchMiner's CTML fields
// (hugo_symbol, variant_category) and HGVS protein notation.
import type { VariantCategory } from "@/lib/db/generated/enums";

export interface SubtypeDefinition {
  key: string;
  gene: string;
  alteration: string;
  category: VariantCategory;
  label: string;
  synonyms: string[];
}

export const DEFAULT_SUBTYPES: readonly SubtypeDefinition[] = [
  {
    key: "EGFR:ex19del",
    gene: "EGFR",
    alteration: "ex19del",
    category: "MUTATION",
    label: "EGFR exon 19 deletion",
    // A delins that stays within exon 19 is still an exon 19 deletion (OncoKB issue 251).
    synonyms: ["exon 19 deletion", "ex19del", "19del", "E746_A750del", "L747_P753delinsS", "EGFR exon 19 del"],
  },
  {
    key: "EGFR:L858R",
    gene: "EGFR",
    alteration: "L858R",
    category: "MUTATION",
    label: "EGFR L858R",
    synonyms: ["L858R", "p.L858R", "p.Leu858Arg", "c.2573T>G", "exon 21 L858R"],
  },
  {
    key: "EGFR:T790M",
    gene: "EGFR",
    alteration: "T790M",
    category: "MUTATION",
    label: "EGFR T790M",
    synonyms: ["T790M", "p.T790M", "p.Thr790Met"],
  },
  {
    key: "EGFR:ex20ins",
    gene: "EGFR",
    alteration: "ex20ins",
    category: "MUTATION",
    label: "EGFR exon 20 insertion",
    synonyms: ["exon 20 insertion", "ex20ins", "EGFR exon 20", "A767_V769dup"],
  },
  {
    key: "ALK:fusion",
    gene: "ALK",
    alteration: "fusion",
    category: "STRUCTURAL_VARIATION",
    label: "ALK fusion",
    synonyms: ["EML4-ALK", "ALK+", "ALK rearranged", "ALK rearrangement", "ALK fusion"],
  },
  {
    key: "ROS1:fusion",
    gene: "ROS1",
    alteration: "fusion",
    category: "STRUCTURAL_VARIATION",
    label: "ROS1 fusion",
    synonyms: ["CD74-ROS1", "ROS1+", "ROS1 rearrangement", "ROS1 fusion"],
  },
  {
    key: "KRAS:G12C",
    gene: "KRAS",
    alteration: "G12C",
    category: "MUTATION",
    label: "KRAS G12C",
    synonyms: ["G12C", "p.G12C", "p.Gly12Cys", "KRAS G12C"],
  },
  {
    key: "BRAF:V600E",
    gene: "BRAF",
    alteration: "V600E",
    category: "MUTATION",
    label: "BRAF V600E",
    synonyms: ["V600E", "p.V600E", "p.Val600Glu"],
  },
  {
    key: "MET:ex14skip",
    gene: "MET",
    alteration: "ex14skip",
    category: "MUTATION",
    label: "MET exon 14 skipping",
    synonyms: ["METex14", "MET exon 14", "exon 14 skipping", "MET ex14 skipping"],
  },
  {
    key: "RET:fusion",
    gene: "RET",
    alteration: "fusion",
    category: "STRUCTURAL_VARIATION",
    label: "RET fusion",
    synonyms: ["KIF5B-RET", "RET rearrangement", "RET fusion"],
  },
  {
    key: "ERBB2:ex20ins",
    gene: "ERBB2",
    alteration: "ex20ins",
    category: "MUTATION",
    label: "ERBB2 (HER2) exon 20 insertion",
    synonyms: ["HER2 exon 20", "HER2 ex20ins", "ERBB2 exon 20 insertion", "Y772_A775dup"],
  },
  {
    key: "NTRK:fusion",
    gene: "NTRK",
    alteration: "fusion",
    category: "STRUCTURAL_VARIATION",
    label: "NTRK fusion",
    synonyms: ["NTRK1 fusion", "NTRK2 fusion", "NTRK3 fusion", "NTRK rearrangement"],
  },
];
