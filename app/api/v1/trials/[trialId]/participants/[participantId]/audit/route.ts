import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { participantAudit as participantAuditAnswer } from "@/lib/openapi/responses";
import { participantAudit } from "@/lib/participants/queries";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ trialId: string; participantId: string }> };

export const GET = apiHandler<Context>(async (_request, { params }) => {
  const actor = await requireActor();
  const { trialId, participantId } = await params;
  return reply(participantAuditAnswer, { items: await participantAudit(actor, trialId, participantId) });
});
