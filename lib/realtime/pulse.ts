// One heartbeat for all of an instance's live streams. Every period the pulse asks, in one call, whether each open
// stream may go on (lib/auth/access.ts stillWatching), then beats each stream with its answer: a heartbeat comment
// for those still allowed, the end for the others. A stream per timer and a query per stream (2,000 dashboards: 400
// queries a second at a 15-second heartbeat) became one timer and one query per period.
import type { Watch } from "@/lib/auth/access";

export type Beat = (allowed: boolean) => void;

export class Pulse {
  private readonly beats = new Map<symbol, { watch: Watch; beat: Beat }>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticking = false;

  constructor(
    private readonly periodMs: number,
    private readonly check: (watches: readonly Watch[]) => Promise<boolean[]>,
  ) {}

  /** Beats `beat` every period with whether `watch` still holds. Returns the function that stops it. */
  add(watch: Watch, beat: Beat): () => void {
    const key = Symbol();
    this.beats.set(key, { watch, beat });
    this.timer ??= setInterval(() => void this.tick(), this.periodMs);
    return () => {
      this.beats.delete(key);
      if (this.beats.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  get size(): number {
    return this.beats.size;
  }

  /** One round: the distinct watches checked at once, every stream beaten with its answer. */
  async tick(): Promise<void> {
    if (this.ticking) return; // a slow check is not stacked on by the next period
    this.ticking = true;
    try {
      const entries = [...this.beats.values()];
      const keyOf = (w: Watch) => `${w.userId}\u0000${w.sessionId ?? ""}\u0000${w.trialId}`;
      const distinct = new Map<string, Watch>();
      for (const { watch } of entries) distinct.set(keyOf(watch), watch);
      const watches = [...distinct.values()];
      let answers: Map<string, boolean>;
      try {
        const allowed = await this.check(watches);
        answers = new Map(watches.map((w, i) => [keyOf(w), allowed[i] === true]));
      } catch {
        // The database did not answer: the streams stay open (they carry only counts the user saw a moment ago)
        // and are asked again at the next period.
        answers = new Map(watches.map((w) => [keyOf(w), true]));
      }
      for (const { watch, beat } of entries) beat(answers.get(keyOf(watch)) ?? true);
    } finally {
      this.ticking = false;
    }
  }
}
