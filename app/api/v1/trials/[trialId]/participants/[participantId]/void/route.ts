import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { participant } from "@/lib/openapi/responses";
import { readJson } from "@/lib/http/validation";
import { voidParticipant } from "@/lib/participants/correct";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ trialId: string; participantId: string }> };

/** Voids a mistaken record with a reason: it stays, leaves the counts, and can no longer change. */
export const POST = apiHandler<Context>(async (request, { params }) => {
  const actor = await requireActor();
  const { trialId, participantId } = await params;
  return reply(participant, await voidParticipant(actor, trialId, participantId, await readJson(request, 16 * 1024)));
});
