// A live stream of a trial's events for one client, as server-sent events. Every event carries the trial's whole
// counts, so a client that reads slowly needs only the newest: while its queue is full (backpressure), newer events
// replace the one waiting, and nothing piles up in the server's memory however slow or stalled the client.
// The stream beats with the instance's pulse (lib/realtime/pulse.ts): a heartbeat comment while its user may still
// watch, the end when they may not.
import type { LiveEvent } from "./hub";
import type { Beat } from "./pulse";

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(": heartbeat\n\n");
const frames = new WeakMap<LiveEvent, Uint8Array>();

/** The event's SSE frame, serialised once whatever the number of streams it goes to. */
export function frameOf(event: LiveEvent): Uint8Array {
  let frame = frames.get(event);
  if (!frame) {
    frame = encoder.encode(
      `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ trialId: event.trialId, at: event.at.toISOString(), ...(event.payload as object) })}\n\n`,
    );
    frames.set(event, frame);
  }
  return frame;
}

export interface LiveStreamOptions {
  subscribe: (send: (event: LiveEvent) => void) => Promise<() => void>;
  /** Registers the stream's beat (with whether its user may still watch); returns the function that stops it. */
  heartbeat: (beat: Beat) => () => void;
  signal?: AbortSignal;
  /** Frames a client may have unread before newer events replace the waiting one. */
  queueFrames?: number;
}

export function liveStream(options: LiveStreamOptions): ReadableStream<Uint8Array> {
  let cleanup = () => {};
  let waiting: LiveEvent | null = null;
  let control: ReadableStreamDefaultController<Uint8Array> | null = null;
  let open = true;
  const write = (chunk: Uint8Array) => {
    if (!open || !control) return;
    try {
      control.enqueue(chunk);
    } catch {
      cleanup();
    }
  };
  const send = (event: LiveEvent) => {
    if (!control || (control.desiredSize ?? 1) <= 0) {
      waiting = event; // the client is behind: keep only the newest counts for it
      return;
    }
    waiting = null;
    write(frameOf(event));
  };
  const end = () => {
    cleanup();
    try {
      control?.close();
    } catch {
      // already closed
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        control = controller;
        write(encoder.encode("retry: 2000\n\n"));
        const unsubscribe = await options.subscribe(send);
        const stopBeating = options.heartbeat((allowed) => (allowed ? write(HEARTBEAT) : end()));
        cleanup = () => {
          open = false;
          stopBeating();
          unsubscribe();
        };
        if (options.signal?.aborted) end();
        options.signal?.addEventListener("abort", end);
      },
      pull() {
        if (waiting) {
          const event = waiting;
          waiting = null;
          write(frameOf(event));
        }
      },
      cancel() {
        cleanup();
      },
    },
    new CountQueuingStrategy({ highWaterMark: options.queueFrames ?? 8 }),
  );
}

/** The HTTP answer carrying a live stream (no caching, no proxy buffering). */
export function eventStreamResponse(stream: ReadableStream<Uint8Array>): Response {
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}
