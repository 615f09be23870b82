// Server-sent events: `enrolment` events carrying the trial's new counts, each with its id from the event log.
// A client that reconnects with Last-Event-ID (or ?lastEventId=) first receives the newest event it missed.
import { trialAccess, watchOf } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { apiHandler } from "@/lib/http/api";
import { AppError } from "@/lib/http/errors";
import { hub, pulse } from "@/lib/realtime/hub";
import { eventStreamResponse, liveStream } from "@/lib/realtime/sse";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = apiHandler<{ params: Promise<{ trialId: string }> }>(async (request, { params }) => {
  const actor = await requireActor();
  const { trialId } = await params;
  await trialAccess(actor, trialId); // counts are for every member of the trial; others get 404
  const raw = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("lastEventId");
  if (raw !== null && !/^\d{1,18}$/.test(raw)) throw new AppError("invalid_request", "Last-Event-ID must be an event id (digits).");
  const lastEventId = raw === null ? null : BigInt(raw);

  // Each heartbeat of the instance's pulse asks again whether the user may still watch: a deactivated, signed-out or
  // removed user's stream ends there. A slow client gets the newest counts when it catches up, never a pile of old ones.
  const stream = liveStream({
    subscribe: (send) => hub().subscribe(trialId, lastEventId, send),
    heartbeat: (beat) => pulse().add(watchOf(actor, trialId), beat),
    signal: request.signal,
  });
  return eventStreamResponse(stream);
});
