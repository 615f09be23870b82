import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/auth/session";
import { seedDemo } from "../../prisma/seed";

export const DEMO_TODAY = "2026-11-28";

/** Seeds the demo collaboration into this test file's database. */
export async function seedDemoData() {
  return seedDemo(db(), { today: DEMO_TODAY });
}

export async function actorFor(email: string): Promise<Actor> {
  const user = await db().user.findUniqueOrThrow({ where: { email } });
  return { id: user.id, email: user.email, displayName: user.displayName, isAdmin: user.isAdmin, locale: user.locale };
}
