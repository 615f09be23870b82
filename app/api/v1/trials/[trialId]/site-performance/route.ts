import { requireActor } from "@/lib/auth/session";
import { apiHandler, json } from "@/lib/http/api";
import { sitePerformance } from "@/lib/performance/sites";

export const dynamic = "force-dynamic";

/** Per site: funnel, pace, waits, days since the last screening and enrolment, and funnel-plot flags. */
export const GET = apiHandler<{ params: Promise<{ trialId: string }> }>(async (_request, { params }) => {
  const actor = await requireActor();
  return json(await sitePerformance(actor, (await params).trialId));
});
