// A minimal server-sent-events client for tests: reads events from a streaming fetch.
import type { BrowserContext } from "@playwright/test";

export interface SseEvent {
  id: string;
  event: string;
  data: unknown;
}

export async function cookieHeader(context: BrowserContext): Promise<string> {
  return (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
}

export class SseClient {
  readonly events: SseEvent[] = [];
  private readonly controller = new AbortController();
  private waiters: (() => void)[] = [];
  readonly opened: Promise<void>;
  /** True once the server has ended the stream. */
  ended = false;

  constructor(url: string, headers: Record<string, string>) {
    this.opened = this.run(url, headers);
  }

  private async run(url: string, headers: Record<string, string>) {
    const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: this.controller.signal });
    if (!response.ok || !response.body) throw new Error(`SSE ${url} answered ${response.status}`);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            this.ended = true;
            break;
          }
          buffer += decoder.decode(value, { stream: true });
          let split: number;
          while ((split = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, split);
            buffer = buffer.slice(split + 2);
            const fields = Object.fromEntries(
              block
                .split("\n")
                .filter((l) => l && !l.startsWith(":"))
                .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trimStart()]),
            );
            if (fields.data !== undefined) {
              this.events.push({ id: fields.id ?? "", event: fields.event ?? "message", data: JSON.parse(fields.data) });
              for (const wake of this.waiters.splice(0)) wake();
            }
          }
        }
      } catch {
        // closed
      }
    })();
  }

  /** Waits until at least `count` events have arrived, or fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5_000): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} events, got ${this.events.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events;
  }

  close() {
    this.controller.abort();
  }
}
