import { requireActor } from "@/lib/auth/session";
import { apiHandler, json } from "@/lib/http/api";
import { resolveSubtype } from "@/lib/subtypes/admin";

export const dynamic = "force-dynamic";

/** What a report's wording names, for integrations: `{key, label}`, or 422 with the suggestions in error.fields. */
export const GET = apiHandler(async (request) => {
  await requireActor();
  return json(await resolveSubtype(Object.fromEntries(new URL(request.url).searchParams)));
});
