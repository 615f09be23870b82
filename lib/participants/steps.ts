// A participant's path is append-only (the database refuses to change a StatusChange row). A step's date or reason
// is corrected by appending a row that names the step it corrects (`correctsId`); the steps in effect are the rows no
// later row corrects. Every reader of the path, in Prisma or in SQL, reads only those.
import type { Prisma } from "@/lib/db/generated/client";

/** Prisma filter: the steps in effect. */
export const stepsInEffect = { correctedBy: { is: null } } satisfies Prisma.StatusChangeWhereInput;

/** SQL condition on a StatusChange aliased `sc`: the step is in effect. */
export const STEP_IN_EFFECT_SQL = `NOT EXISTS (SELECT 1 FROM "StatusChange" corr WHERE corr."correctsId" = sc."id")`;
