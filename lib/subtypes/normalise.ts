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
// Before matching, report wording is cleaned (`reportWording`): trailing words such as "mutation", "positive",
// "detected" (and 突变, 阳性, 点突变, 检测到), transcript prefixes (NM_005228.5:), Chinese exon and event words
// (19外显子缺失, 19号外显子, 外显子19, 插入, 跳跃, 融合, 重排), an exon named before a point change ("exon 21 L858R");
// a text with parentheses ("KRAS c.34G>T (p.Gly12Cys)") is tried part by part, each with the gene named outside.
// When the text names a gene, the gene's own names are tried first ("HER2 exon 20 insertion" is ERBB2's).
// Anything else is unknown, with up to three suggestions by edit distance, those of the named gene first.

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

/** Report wording reduced to what names the alteration (see the header). */
export function reportWording(raw: string): string {
  return raw
    .replace(/\b(?:N[MPRG]|ENS[TPG])_?\d+(?:\.\d+)?:?/g, " ")
    .replace(/\b(?:ERBB2\s*\(\s*HER2\s*\)|HER2\s*\(\s*ERBB2\s*\))/gi, "ERBB2") // "ERBB2 (HER2)": one gene, two names
    .replace(/\bin-?frame\b/gi, " ")
    .replace(/(\d+)\s*号?\s*外显子/g, " exon $1 ")
    .replace(/外显子\s*(\d+)/g, " exon $1 ")
    .replace(/缺失/g, " deletion ")
    .replace(/插入/g, " insertion ")
    .replace(/跳跃/g, " skipping ")
    .replace(/融合/g, " fusion ")
    .replace(/重排/g, " rearrangement ")
    .replace(/点突变|突变|检测到|变异|基因/g, " ")
    .replace(/阳性/g, "+")
    .replace(/\s*\b(?:positive|pos)\b/gi, "+")
    .replace(/\b(?:point\s+)?(?:mutations?|mutated|mutant|detected|variant|alteration|found|present)\b/gi, " ")
    .replace(/\bexon\s*\d+\s+(?=p\.|[A-Z]\d+[A-Z]\b)/gi, "")
    .replace(/\s+/g, " ")
    .trim();
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

  // Each gene's own names without the gene ("exon 20 insertion" is EGFR's and ERBB2's: the gene named decides).
  const byGene = new Map<string, Map<string, string>>();
  for (const entry of vocabulary) {
    const gene = entry.gene.toUpperCase();
    const names = byGene.get(gene) ?? new Map<string, string>();
    for (const name of [entry.alteration, ...entry.synonyms, entry.key.split(":")[1] ?? ""]) {
      for (const variant of [name, oneLetter(name)]) {
        const s = squash(variant.replace(new RegExp(`^\\s*(${entry.gene}|HER2)\\b[\\s:]*`, "i"), "").replace(/\bp\./gi, ""));
        if (s && !names.has(s)) names.set(s, entry.key);
      }
    }
    byGene.set(gene, names);
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

  const canonicalGene = (named: string) => (named === "HER2" ? "ERBB2" : named.startsWith("NTRK") ? "NTRK" : named);

  function resolve(text: string): string | undefined {
    const named = leadingGene.exec(text)?.[1]?.toUpperCase();
    if (named) {
      const rest = text.replace(leadingGene, "");
      const own = byGene.get(canonicalGene(named));
      const hit = own && [rest, oneLetter(rest)].map((r) => own.get(squash(r.replace(/\bp\./gi, "")))).find(Boolean);
      if (hit) return hit;
    }
    const key = lookup(text) ?? exonRule(text, vocabulary) ?? fusionRule(text, vocabulary);
    return key && geneAgrees(text, key) ? key : undefined;
  }

  /** The text, cleaned, then each part of it around parentheses (with the gene named outside them). */
  function candidates(raw: string): string[] {
    const text = reportWording(raw);
    const out = [text];
    if (/[()（）]/.test(text)) {
      const parts = text
        .split(/[()（）]/)
        .map((p) => p.trim())
        .filter(Boolean);
      const gene = leadingGene.exec(text)?.[1];
      for (const part of parts) out.push(part, ...(gene && !leadingGene.test(part) ? [`${gene} ${part}`] : []));
    }
    return out;
  }

  return function normalise(raw: string): Normalised {
    const text = raw.trim().replace(/\s+/g, " ");
    if (!text) return { ok: false, input: raw, suggestions: [] };
    for (const candidate of candidates(text)) {
      const key = resolve(candidate);
      if (key) return { ok: true, key };
    }
    const cleaned = reportWording(text);
    const target = squash(cleaned);
    const named = leadingGene.exec(cleaned)?.[1]?.toUpperCase();
    const ranked = vocabulary
      .map((entry) => ({
        key: entry.key,
        score:
          Math.min(...[entry.key, entry.alteration, ...entry.synonyms].map((n) => distance(target, squash(n)) / Math.max(3, squash(n).length))) +
          (named && canonicalGene(named) !== entry.gene.toUpperCase() ? 1 : 0),
      }))
      .sort((a, b) => a.score - b.score)
      .slice(0, 3)
      .map((r) => r.key);
    return { ok: false, input: raw, suggestions: ranked };
  };
}
