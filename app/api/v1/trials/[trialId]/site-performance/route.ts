import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { sitePerformance as sitePerformanceAnswer } from "@/lib/openapi/responses";
import { sitePerformance } from "@/lib/performance/sites";

export const dynamic = "force-dynamic";

/** Per site: funnel, pace, waits, days since the last screening and enrolment, and funnel-plot flags. */
export const GET = apiHandler<{ params: Promise<{ trialId: string }> }>(async (_request, { params }) => {
  const actor = await requireActor();
  return reply(sitePerformanceAnswer, await sitePerformance(actor, (await params).trialId));
});
