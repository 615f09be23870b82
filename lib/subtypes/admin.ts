// The subtype vocabulary: everyone signed in reads it; admins extend it (audited). A new entry may not reuse a key,
// and none of its names may already mean another subtype.
import "server-only";
import { resyncAllSubtypes } from "@/lib/matching/store";
import { unknownSubtype } from "@/lib/participants/results";
import { z } from "zod";
import { assertAdmin } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import { VariantCategory } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";
import { createNormaliser } from "./normalise";

export const subtypeInput = z.strictObject({
  key: z.string().regex(/^[A-Z0-9]{2,10}:[A-Za-z0-9_]{2,30}$/, { error: "key must look like GENE:alteration, e.g. KRAS:G12D" }),
  category: z.enum(Object.values(VariantCategory) as [VariantCategory, ...VariantCategory[]], {
    error: "category must be MUTATION, STRUCTURAL_VARIATION or COPY_NUMBER_VARIATION",
  }),
  label: z.string().trim().min(2).max(100),
  synonyms: z.array(z.string().trim().min(2).max(100)).max(30).default([]),
});

export async function listSubtypes() {
  return db().subtype.findMany({
    where: { active: true },
    orderBy: { key: "asc" },
    select: { key: true, gene: true, alteration: true, category: true, label: true, synonyms: true },
  });
}

export const resolveQuery = z.strictObject({ text: z.string().trim().min(1).max(200) });

/** What a report's wording names (`GET /subtypes/resolve?text=`): the key and label, or a 422 with suggestions. */
export async function resolveSubtype(raw: unknown) {
  const parsed = resolveQuery.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const vocabulary = await listSubtypes();
  const match = createNormaliser(vocabulary)(parsed.data.text);
  const label = (key: string) => vocabulary.find((v) => v.key === key)?.label ?? key;
  if (match.ok) return { key: match.key, label: label(match.key) };
  throw new AppError("invalid", msg("errors.invalid"), {
    text: [unknownSubtype(parsed.data.text, match.suggestions)],
    suggestions: match.suggestions,
  });
}

export async function addSubtype(actor: Actor, raw: unknown) {
  await assertAdmin(actor, "subtype.create");
  const parsed = subtypeInput.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  const [gene, alteration] = input.key.split(":") as [string, string];
  return db().$transaction(async (tx) => {
    // One vocabulary change at a time: two administrators adding the same key, or names that would mean two subtypes,
    // at the same moment get one change and one clear conflict.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('vocabulary'))`;
    const existing = await tx.subtype.findMany({ select: { key: true, gene: true, alteration: true, synonyms: true } });
    if (existing.some((s) => s.key === input.key)) throw new AppError("conflict", `${input.key} is already in the vocabulary.`);
    const normalise = createNormaliser(existing);
    const taken = input.synonyms.map((name) => [name, normalise(name)] as const).filter(([, m]) => m.ok);
    if (taken.length) {
      throw new AppError("conflict", "Some names already mean another subtype.", {
        synonyms: taken.map(([name, m]) => `"${name}" already means ${m.ok ? m.key : ""}`),
      });
    }
    const created = await tx.subtype.create({
      data: { key: input.key, gene, alteration, category: input.category, label: input.label, synonyms: input.synonyms },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "subtype.create",
      entityType: "Subtype",
      entityId: created.id,
      after: { key: created.key, label: created.label, synonyms: created.synonyms },
    });
    await resyncAllSubtypes(tx); // a new KRAS G12D is one of every KRAS G12* cohort's subtypes
    return { key: created.key, gene, alteration, category: created.category, label: created.label, synonyms: created.synonyms };
  });
}
