import "server-only";
import { recordAudit } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import type { Locale } from "@/lib/i18n/config";

/** Saves the signed-in user's language (the audit trail records the change). */
export async function savePreferredLocale(actor: Actor, locale: Locale) {
  if (actor.locale === locale) return;
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: { locale } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "user.locale",
      entityType: "User",
      entityId: actor.id,
      before: { locale: actor.locale },
      after: { locale },
    });
  });
}
