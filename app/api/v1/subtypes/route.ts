import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { subtypeEntry, subtypeList } from "@/lib/openapi/responses";
import { readJson } from "@/lib/http/validation";
import { addSubtype, listSubtypes } from "@/lib/subtypes/admin";

export const dynamic = "force-dynamic";

export const GET = apiHandler(async () => {
  await requireActor();
  return reply(subtypeList, { items: await listSubtypes() });
});

/** Admins only: adds a subtype to the vocabulary. */
export const POST = apiHandler(async (request) => {
  const actor = await requireActor();
  return reply(subtypeEntry, await addSubtype(actor, await readJson(request, 16 * 1024)), { status: 201 });
});
