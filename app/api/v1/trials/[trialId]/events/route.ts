// Server-sent events: `enrolment` events carrying the trial's new counts, each with its id from the event log.
// A client that reconnects with Last-Event-ID (or ?lastEventId=) receives exactly the events it missed, in order.
import { mayStillWatch, trialAccess } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { serverEnv } from "@/lib/env";
import { apiHandler } from "@/lib/http/api";
import { AppError } from "@/lib/http/errors";
import { hub, type LiveEvent } from "@/lib/realtime/hub";

export const dynamic = "force-dynamic";

// Each event is serialised once, whatever the number of open dashboards: the hub hands every subscriber the same
// event object, and its frame is kept beside it.
const encoder = new TextEncoder();
const frames = new WeakMap<LiveEvent, Uint8Array>();
function frameOf(event: LiveEvent): Uint8Array {
  let frame = frames.get(event);
  if (!frame) {
    frame = encoder.encode(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ trialId: event.trialId, at: event.at.toISOString(), ...(event.payload as object) })}\n\n`);
    frames.set(event, frame);
  }
  return frame;
}
export const runtime = "nodejs";

export const GET = apiHandler<{ params: Promise<{ trialId: string }> }>(async (request, { params }) => {
  const actor = await requireActor();
  const { trialId } = await params;
  await trialAccess(actor, trialId); // counts are for every member of the trial; others get 404
  const raw = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("lastEventId");
  if (raw !== null && !/^\d{1,18}$/.test(raw)) throw new AppError("invalid_request", "Last-Event-ID must be an event id (digits).");
  const lastEventId = raw === null ? null : BigInt(raw);

  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      const write = (chunk: string | Uint8Array) => {
        if (!open) return;
        try {
          controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
        } catch {
          open = false;
          cleanup();
        }
      };
      write("retry: 2000\n\n");
      const send = (event: LiveEvent) => write(frameOf(event));
      const unsubscribe = await hub().subscribe(trialId, lastEventId, send);
      const end = () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      // Each heartbeat asks again whether the user may still watch: a deactivated, signed-out or removed user's
      // stream ends there.
      const heartbeat = setInterval(() => {
        void mayStillWatch(actor, trialId).then((ok) => (ok ? write(": heartbeat\n\n") : end()), () => write(": heartbeat\n\n"));
      }, serverEnv().LIVE_HEARTBEAT_SECONDS * 1000);
      cleanup = () => {
        open = false;
        clearInterval(heartbeat);
        unsubscribe();
      };
      request.signal.addEventListener("abort", end);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
});
