// Server-sent events: `notification` events carrying the signed-in person's unread count (and the newest
// notification's id), first at once, then each time one of their alerts is told or they mark some read, from
// whichever instance. The header's count and the notification centre update from it (app/components/LiveNotifications.tsx).
import { watchOf } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { apiHandler } from "@/lib/http/api";
import { hub, pulse } from "@/lib/realtime/hub";
import { eventStreamResponse, liveStream } from "@/lib/realtime/sse";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = apiHandler(async (request) => {
  const actor = await requireActor();
  const stream = liveStream({
    subscribe: (send) => hub().subscribeUser(actor.id, send),
    heartbeat: (beat) => pulse().add(watchOf(actor, null), beat),
    signal: request.signal,
  });
  return eventStreamResponse(stream);
});
