// Turns what a molecular report says ("p.Leu858Arg", "exon 19 deletion", "E746_A750del", "EML4-ALK", "METex14")
// into a vocabulary key ("EGFR:L858R"). Pure: the vocabulary is passed in (the database's, which admins extend).
//
// Matching, in order:
//   1. the key itself, or a listed synonym, compared without case, spaces or punctuation, with or without "p."
//      and with or without the gene in front;
//   2. HGVS three-letter protein changes, converted to one-letter (p.Leu858Arg -> L858R);
//   3. EGFR in-frame deletions or deletion-insertions between codons 729 and 761 (exon 19), e.g. E746_A750del or
//      L747_P753delinsS, and insertions or duplications between codons 762 and 775 (exon 20), e.g. A767_V769dup;
//      the same for ERBB2 exon 20 (codons 770-785) when the text names ERBB2 or HER2;
//   4. fusions written PARTNER-GENE or GENE-PARTNER (EML4-ALK, CD74-ROS1, KIF5B-RET, ETV6-NTRK3).
// Anything else is unknown, with up to three suggestions by edit distance.

export interface VocabularyEntry {
  key: string;
  gene: string;
  alteration: string;
  synonyms: readonly string[];
}

export type Normalised = { ok: true; key: string } | { ok: false; input: string; suggestions: string[] };

const AMINO_ACIDS: Record<string, string> = {
  ala: "A",
  arg: "R",
  asn: "N",
  asp: "D",
  cys: "C",
  gln: "Q",
  glu: "E",
  gly: "G",
  his: "H",
  ile: "I",
  leu: "L",
  lys: "K",
  met: "M",
  phe: "F",
  pro: "P",
  ser: "S",
  thr: "T",
  trp: "W",
  tyr: "Y",
  val: "V",
  ter: "*",
};

const FUSION_GENES = ["ALK", "ROS1", "RET", "NTRK1", "NTRK2", "NTRK3", "NTRK"];

/** Lower case, no spaces or punctuation (a hyphen, a dot and an underscore all vanish). */
export function squash(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9*]/g, "");
}

function oneLetter(text: string): string {
  return text.replace(
    /(?<![a-z])(ala|arg|asn|asp|cys|gln|glu|gly|his|ile|leu|lys|met|phe|pro|ser|thr|trp|tyr|val|ter)(?=\d|_|del|ins|dup|$)/gi,
    (m) => AMINO_ACIDS[m.toLowerCase()] ?? m,
  );
}

function exonRule(text: string, vocabulary: readonly VocabularyEntry[]): string | undefined {
  const has = (key: string) => vocabulary.some((v) => v.key === key);
  const match = /([A-Z*])(\d{3,4})_([A-Z*])(\d{3,4})(del(?:ins[A-Z]+)?|ins[A-Z]+|dup)\b/i.exec(oneLetter(text.replace(/^p\./i, "").replace(/\bp\./gi, "")));
  if (!match) return undefined;
  const start = Number(match[2]);
  const end = Number(match[4]);
  const kind = match[5]!.toLowerCase();
  const erbb2 = /erbb2|her2/i.test(text);
  if (erbb2) {
    if ((kind.startsWith("ins") || kind === "dup") && start >= 770 && end <= 785 && has("ERBB2:ex20ins")) return "ERBB2:ex20ins";
    return undefined;
  }
  if (kind.startsWith("del") && start >= 729 && end <= 761 && has("EGFR:ex19del")) return "EGFR:ex19del";
  if ((kind.startsWith("ins") || kind === "dup") && start >= 762 && end <= 775 && has("EGFR:ex20ins")) return "EGFR:ex20ins";
  return undefined;
}

function fusionRule(text: string, vocabulary: readonly VocabularyEntry[]): string | undefined {
  const parts = text
    .toUpperCase()
    .split(/\s*[-:/]{1,2}\s*|\s+/)
    .filter(Boolean);
  if (parts.length < 2 && !/fusion|rearrange|\+$/i.test(text)) return undefined;
  for (const gene of FUSION_GENES) {
    if (!parts.includes(gene) && !parts.some((p) => p === `${gene}+`)) continue;
    const family = gene.startsWith("NTRK") ? "NTRK" : gene;
    const key = `${family}:fusion`;
    if (vocabulary.some((v) => v.key === key)) return key;
  }
  return undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** Builds a lookup once; call `normalise` per value. */
export function createNormaliser(vocabulary: readonly VocabularyEntry[]) {
  const exact = new Map<string, string>();
  for (const entry of vocabulary) {
    const names = [entry.key, `${entry.gene} ${entry.alteration}`, entry.alteration, ...entry.synonyms];
    for (const name of names) {
      for (const variant of [name, oneLetter(name)]) {
        const s = squash(variant);
        if (s && !exact.has(s)) exact.set(s, entry.key);
        const withoutGene = squash(variant.replace(new RegExp(`^${entry.gene}\\s*`, "i"), ""));
        if (withoutGene && !exact.has(withoutGene) && withoutGene !== squash(entry.gene)) exact.set(withoutGene, entry.key);
      }
    }
  }

  const genes = [...new Set(vocabulary.map((v) => v.gene)), "HER2"];
  const leadingGene = new RegExp(`^\\s*(${genes.join("|")})\\b[\\s:]*`, "i");

  function lookup(text: string): string | undefined {
    const candidates = [text, oneLetter(text)].flatMap((t) => [
      t,
      t.replace(/\bp\./gi, ""),
      t.replace(leadingGene, ""),
      t.replace(leadingGene, "").replace(/\bp\./gi, ""),
    ]);
    for (const candidate of candidates) {
      const hit = exact.get(squash(candidate));
      if (hit) return hit;
    }
    return undefined;
  }

  const geneOf = new Map(vocabulary.map((v) => [v.key, v.gene.toUpperCase()]));
  /** A text that starts with a gene must name the gene of the key it matched (HER2 is ERBB2, NTRKn is NTRK). */
  function geneAgrees(text: string, key: string): boolean {
    const named = leadingGene.exec(text)?.[1]?.toUpperCase();
    if (!named) return true;
    const canonical = named === "HER2" ? "ERBB2" : named.startsWith("NTRK") ? "NTRK" : named;
    return canonical === geneOf.get(key) || !/^[A-Z0-9]+$/.test(canonical) || key.endsWith(":fusion");
  }

  return function normalise(raw: string): Normalised {
    const text = raw.trim().replace(/\s+/g, " ");
    if (!text) return { ok: false, input: raw, suggestions: [] };
    const key = lookup(text) ?? exonRule(text, vocabulary) ?? fusionRule(text, vocabulary);
    if (key && geneAgrees(text, key)) return { ok: true, key };
    const target = squash(text);
    const ranked = vocabulary
      .map((entry) => ({
        key: entry.key,
        score: Math.min(...[entry.key, entry.alteration, ...entry.synonyms].map((n) => distance(target, squash(n)) / Math.max(3, squash(n).length))),
      }))
      .sort((a, b) => a.score - b.score)
      .slice(0, 3)
      .map((r) => r.key);
    return { ok: false, input: raw, suggestions: ranked };
  };
}
