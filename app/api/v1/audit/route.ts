import { searchAudit } from "@/lib/audit/query";
import { requireActor } from "@/lib/auth/session";
import { apiHandler, json } from "@/lib/http/api";

export const dynamic = "force-dynamic";

/** The audit trail (administrators; trial-wide investigators for their trials), newest first, paged by `before`. */
export const GET = apiHandler(async (request) => {
  const actor = await requireActor();
  return json(await searchAudit(actor, Object.fromEntries(new URL(request.url).searchParams)));
});
