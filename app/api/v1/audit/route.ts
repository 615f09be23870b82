import { searchAudit } from "@/lib/audit/query";
import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { auditPage } from "@/lib/openapi/responses";

export const dynamic = "force-dynamic";

/** The audit trail (administrators; trial-wide investigators for their trials), newest first, paged by `before`. */
export const GET = apiHandler(async (request) => {
  const actor = await requireActor();
  return reply(auditPage, await searchAudit(actor, Object.fromEntries(new URL(request.url).searchParams)));
});
