import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { participant, participantPage } from "@/lib/openapi/responses";
import { AppError } from "@/lib/http/errors";
import { IDEMPOTENCY_KEY } from "@/lib/http/idempotency";
import { readJson } from "@/lib/http/validation";
import { listParticipants } from "@/lib/participants/queries";
import { registerParticipant } from "@/lib/participants/register";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ trialId: string }> };

export const GET = apiHandler<Context>(async (request, { params }) => {
  const actor = await requireActor();
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return reply(participantPage, await listParticipants(actor, (await params).trialId, query));
});

/** Registers a screened patient. Requires an Idempotency-Key: the same key and body again returns the first result. */
export const POST = apiHandler<Context>(async (request, { params }) => {
  const actor = await requireActor();
  const key = request.headers.get("idempotency-key");
  if (!key) throw new AppError("invalid_request", "The Idempotency-Key header is required (8 to 128 letters, digits, '.', '_', ':' or '-').");
  if (!IDEMPOTENCY_KEY.test(key)) throw new AppError("invalid_request", "The Idempotency-Key header must be 8 to 128 letters, digits, '.', '_', ':' or '-'.");
  const body = await readJson(request, 64 * 1024);
  const result = await registerParticipant(actor, (await params).trialId, body, { idempotencyKey: key });
  return reply(participant, result.body, { status: result.status, headers: result.replayed ? { "Idempotent-Replayed": "true" } : {} });
});
