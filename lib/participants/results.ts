// Turns submitted test results into vocabulary ids, or field errors naming every unknown subtype (with suggestions)
// and every subtype given twice.
import { db as defaultDb } from "@/lib/db/client";
import type { Tx } from "@/lib/db/prisma";
import type { TestMethod, TestResult } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";
import { createNormaliser } from "@/lib/subtypes/normalise";
import { resultFromApi } from "./view";
import type { RegisterInput } from "./schemas";

export async function loadVocabulary(db: Pick<Tx, "subtype"> = defaultDb()) {
  const vocabulary = await db.subtype.findMany({ where: { active: true }, select: { id: true, key: true, gene: true, alteration: true, synonyms: true } });
  return { normalise: createNormaliser(vocabulary), idByKey: new Map(vocabulary.map((v) => [v.key, v.id])) };
}

export type Vocabulary = Awaited<ReturnType<typeof loadVocabulary>>;

/** What is said of a subtype the vocabulary does not know: its nearest keys, to pick from, when there are any. */
export function unknownSubtype(input: string, suggestions: readonly string[]) {
  return suggestions.length
    ? msg("validation.unknownSubtypeSuggest", { input, suggestions: suggestions.join(", ") })
    : msg("validation.unknownSubtype", { input });
}

export function resolveResults({ normalise, idByKey }: Vocabulary, results: RegisterInput["results"]) {
  const fields: Record<string, string[]> = {};
  const seen = new Map<string, number>();
  const resolved: { subtypeId: string; key: string; result: TestResult; method: TestMethod }[] = [];
  results.forEach((entry, i) => {
    const match = normalise(entry.subtype);
    if (!match.ok) {
      fields[`results.${i}.subtype`] = [unknownSubtype(entry.subtype, match.suggestions)];
      return;
    }
    if (seen.has(match.key)) {
      fields[`results.${i}.subtype`] = [msg("validation.duplicateSubtype", { key: match.key, index: seen.get(match.key)! + 1 })];
      return;
    }
    seen.set(match.key, i);
    resolved.push({ subtypeId: idByKey.get(match.key)!, key: match.key, result: resultFromApi(entry.result), method: entry.method });
  });
  if (Object.keys(fields).length) throw new AppError("invalid", msg("errors.invalid"), fields);
  return resolved;
}
