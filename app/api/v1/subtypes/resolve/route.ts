import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { resolvedSubtype } from "@/lib/openapi/responses";
import { resolveSubtype } from "@/lib/subtypes/admin";

export const dynamic = "force-dynamic";

/** What a report's wording names, for integrations: `{key, label}`, or 422 with the suggestions in error.fields. */
export const GET = apiHandler(async (request) => {
  await requireActor();
  return reply(resolvedSubtype, await resolveSubtype(Object.fromEntries(new URL(request.url).searchParams)));
});
