import { setAllocation } from "@/lib/admin/trials";
import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { allocation } from "@/lib/openapi/responses";
import { readJson } from "@/lib/http/validation";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ trialId: string; cohortId: string }> };

/** Sets a cohort's places per country (administrators; on two nodes, on the trial's owner node). */
export const PUT = apiHandler<Context>(async (request, { params }) => {
  const actor = await requireActor();
  const { trialId, cohortId } = await params;
  return reply(allocation, await setAllocation(actor, trialId, cohortId, await readJson(request, 16 * 1024)));
});
