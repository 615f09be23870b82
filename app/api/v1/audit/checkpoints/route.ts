import { readCheckpoints, requestCheckpoint } from "@/lib/audit/query";
import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { checkpointDocument, checkpointSealed } from "@/lib/openapi/responses";

export const dynamic = "force-dynamic";

/** The audit trail's signed checkpoints and the deployment's public keys: save the answer, verify with it later. */
export const GET = apiHandler(async (request) => {
  const actor = await requireActor();
  return reply(checkpointDocument, await readCheckpoints(actor, Object.fromEntries(new URL(request.url).searchParams)));
});

/** Seal and sign a checkpoint now (administrators). */
export const POST = apiHandler(async () => {
  const actor = await requireActor();
  return reply(checkpointSealed, { checkpoint: await requestCheckpoint(actor) }, { status: 201 });
});
