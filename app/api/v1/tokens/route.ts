import { requireActor } from "@/lib/auth/session";
import { createToken, listTokens } from "@/lib/auth/tokens";
import { apiHandler, reply } from "@/lib/http/api";
import { createdToken, tokenList } from "@/lib/openapi/responses";
import { readJson } from "@/lib/http/validation";

export const dynamic = "force-dynamic";

export const GET = apiHandler(async () => reply(tokenList, { items: await listTokens(await requireActor()) }));

/** Creates a personal API token: `{"name", "expiresInDays"?}`. The token is in this answer only. */
export const POST = apiHandler(async (request) => {
  const actor = await requireActor();
  return reply(createdToken, await createToken(actor, await readJson(request, 4096)), { status: 201 });
});
