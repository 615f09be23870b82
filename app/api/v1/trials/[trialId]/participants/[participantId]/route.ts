import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { participant, participantWithHistory } from "@/lib/openapi/responses";
import { readJson } from "@/lib/http/validation";
import { correctParticipant } from "@/lib/participants/correct";
import { getParticipant } from "@/lib/participants/queries";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ trialId: string; participantId: string }> };

export const GET = apiHandler<Context>(async (_request, { params }) => {
  const actor = await requireActor();
  const { trialId, participantId } = await params;
  const { participant, history } = await getParticipant(actor, trialId, participantId);
  return reply(participantWithHistory, { ...participant, history });
});

/** Corrects saved data: `{"version", "reason", ...changed fields}`. */
export const PATCH = apiHandler<Context>(async (request, { params }) => {
  const actor = await requireActor();
  const { trialId, participantId } = await params;
  return reply(participant, await correctParticipant(actor, trialId, participantId, await readJson(request, 64 * 1024)));
});
