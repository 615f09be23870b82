// Guards for server-rendered pages: the same checks as the API, expressed as Next.js navigation.
import "server-only";
import { notFound, redirect } from "next/navigation";
import { AppError } from "@/lib/http/errors";
import { recordRefusal } from "./access";
import { getActor, type Actor } from "./session";

export const SECOND_FACTOR_SETUP_PATH = "/account/two-factor";

/**
 * Who is signed in, for pages, layouts and server actions: a session only. A personal API token is for the JSON API
 * (read-only); on a page or an action it signs nobody in, so its holder sees what an anonymous visitor sees.
 */
export async function getPageActor(): Promise<Actor | null> {
  const actor = await getActor();
  return actor && !actor.viaToken ? actor : null;
}

/**
 * The signed-in user, or a redirect to sign-in. A user who must set up a second factor first is sent to do so;
 * only the set-up page and its actions pass `{ secondFactorSetup: true }`.
 */
export async function requirePageActor(options: { secondFactorSetup?: boolean } = {}): Promise<Actor> {
  const actor = await getPageActor();
  if (!actor) redirect("/login");
  if (actor.secondFactorMissing && !options.secondFactorSetup) redirect(SECOND_FACTOR_SETUP_PATH);
  return actor;
}

/**
 * Runs a scoped read for a page; "not found" (absent or not theirs) renders the 404 page, and with `forbiddenToo` so
 * does a refusal (a page of the trial the reader may not use: out of scope is not found).
 */
export async function loadOrNotFound<T>(load: () => Promise<T>, options: { forbiddenToo?: boolean } = {}): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof AppError && (error.code === "not_found" || (options.forbiddenToo && error.code === "forbidden"))) notFound();
    throw error;
  }
}

/** An administration page: anyone but an administrator gets "not found" (and the attempt is audited). */
export async function requireAdminPage(page: string): Promise<Actor> {
  const actor = await requirePageActor();
  if (!actor.isAdmin) {
    await recordRefusal(actor, { entityType: "Administration", action: `page:${page}` });
    notFound();
  }
  return actor;
}
