import { requireActor } from "@/lib/auth/session";
import { readEnrolment } from "@/lib/enrolment/read";
import { apiHandler, reply } from "@/lib/http/api";
import { enrolmentSummary } from "@/lib/openapi/responses";

export const dynamic = "force-dynamic";

/** The trial's enrolment counts (the dashboard's numbers), from the kept counters. */
export const GET = apiHandler<{ params: Promise<{ trialId: string }> }>(async (_request, { params }) => {
  const actor = await requireActor();
  return reply(enrolmentSummary, await readEnrolment(actor, (await params).trialId));
});
