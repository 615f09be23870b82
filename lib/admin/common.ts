// Shared by the administration use cases: validation, and the before/after of a change for the audit trail.
import "server-only";
import type { z } from "zod";
import { canonical } from "@/lib/audit/record";
import { Prisma } from "@/lib/db/generated/client";
import { AppError } from "@/lib/http/errors";
import { validationError } from "@/lib/http/validation";
import { msg } from "@/lib/i18n/messages";

export function parse<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/** The fields a change really alters, old and new; refuses a change that alters nothing. */
export function diff<T extends Record<string, unknown>>(current: T, proposed: Partial<T>): { before: Partial<T>; after: Partial<T> } {
  const before: Partial<T> = {};
  const after: Partial<T> = {};
  for (const key of Object.keys(proposed) as (keyof T)[]) {
    if (proposed[key] === undefined) continue;
    if (canonical(current[key]) === canonical(proposed[key])) continue;
    before[key] = current[key];
    after[key] = proposed[key];
  }
  if (Object.keys(after).length === 0) throw new AppError("invalid", msg("errors.nothingToChange"));
  return { before, after };
}

export const invalidField = (field: string, message: string) => new AppError("invalid", msg("errors.invalid"), { [field]: [message] });

/**
 * Runs a create whose code or email must be unique. The use case checks first, for a clear message; when two
 * requests pass that check at the same moment, the database's unique index refuses the second, with the same message.
 */
export async function uniqueOr<T>(field: string, message: string, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw new AppError("conflict", msg("errors.invalid"), { [field]: [message] });
    throw error;
  }
}
