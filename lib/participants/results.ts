// Turns submitted test results into vocabulary ids, or field errors naming every unknown subtype (with suggestions)
// and every subtype given twice.
import { db as defaultDb } from "@/lib/db/client";
import type { Tx } from "@/lib/db/prisma";
import type { TestMethod, TestResult } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/http/errors";
import { createNormaliser } from "@/lib/subtypes/normalise";
import { resultFromApi } from "./view";
import type { RegisterInput } from "./schemas";

export async function loadVocabulary(db: Pick<Tx, "subtype"> = defaultDb()) {
  const vocabulary = await db.subtype.findMany({ where: { active: true }, select: { id: true, key: true, gene: true, alteration: true, synonyms: true } });
  return { normalise: createNormaliser(vocabulary), idByKey: new Map(vocabulary.map((v) => [v.key, v.id])) };
}

export type Vocabulary = Awaited<ReturnType<typeof loadVocabulary>>;

export function resolveResults({ normalise, idByKey }: Vocabulary, results: RegisterInput["results"]) {
  const fields: Record<string, string[]> = {};
  const seen = new Map<string, number>();
  const resolved: { subtypeId: string; key: string; result: TestResult; method: TestMethod }[] = [];
  results.forEach((entry, i) => {
    const match = normalise(entry.subtype);
    if (!match.ok) {
      fields[`results.${i}.subtype`] = [`"${entry.subtype}" is not a known subtype.${match.suggestions.length ? ` Did you mean ${match.suggestions.join(", ")}?` : ""}`];
      return;
    }
    if (seen.has(match.key)) {
      fields[`results.${i}.subtype`] = [`${match.key} is already given in result ${seen.get(match.key)! + 1}.`];
      return;
    }
    seen.set(match.key, i);
    resolved.push({ subtypeId: idByKey.get(match.key)!, key: match.key, result: resultFromApi(entry.result), method: entry.method });
  });
  if (Object.keys(fields).length) throw new AppError("invalid", "Some test results are not valid.", fields);
  return resolved;
}
