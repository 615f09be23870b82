// Forecasts off the request thread: a small pool of worker threads runs the engine (lib/forecast/worker.ts, loaded
// through tsx like the server's own scripts, from worker-entry.mjs), so a long simulation never stops the server answering others, and one
// that runs past its time is stopped (its worker replaced) and answered with a clear 503. The input is validated on
// the request thread first, so anything over the work budget is refused before a worker is asked.
import "server-only";
import os from "node:os";
import path from "node:path";
import * as threads from "node:worker_threads";
import { serverEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { forecastInput, type ForecastInputJson, type ForecastResult } from "./schema";

const SIZE = Math.max(1, Math.min(2, os.cpus().length - 1));
const QUEUE_MAX = 20;

interface Task {
  id: number;
  input: unknown;
  resolve: (result: ForecastResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: threads.Worker;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

/** Where the worker's entry is (worked out at run time, so the bundler does not try to bundle it). */
function workerEntry(): string {
  return path.join(/* turbopackIgnore: true */ process.cwd(), "lib", "forecast", "worker-entry.mjs");
}

const unavailable = (message: string) => Object.assign(new AppError("unavailable", message), { retryAfterSeconds: 10 });

class Pool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private next = 1;

  private spawn(): Slot {
    // Not for the bundler: the worker is started from the source tree at run time, through tsx (the constructor is
    // looked up indirectly so that the bundler does not try to bundle whatever it might be given).
    const WorkerThread = Reflect.get(threads, "Worker") as typeof threads.Worker;
    const worker = new WorkerThread(workerEntry());
    worker.unref();
    const slot: Slot = { worker, task: null, timer: null };
    worker.on("message", (message: { id: number; result?: ForecastResult; error?: string }) => {
      const task = slot.task;
      if (!task || task.id !== message.id) return;
      this.finish(slot);
      if (message.error !== undefined) task.reject(new AppError("invalid", message.error));
      else task.resolve(message.result!);
    });
    worker.on("error", () => this.replace(slot, unavailable("The forecast could not be computed. Try again.")));
    return slot;
  }

  private finish(slot: Slot) {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.task = null;
    this.pump();
  }

  private replace(slot: Slot, error: Error) {
    const task = slot.task;
    if (slot.timer) clearTimeout(slot.timer);
    void slot.worker.terminate();
    this.slots.splice(this.slots.indexOf(slot), 1);
    task?.reject(error);
    this.pump();
  }

  private pump() {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot && this.slots.length < SIZE) {
        slot = this.spawn();
        this.slots.push(slot);
      }
      if (!slot) return;
      const task = this.queue.shift()!;
      slot.task = task;
      const busy = slot;
      busy.timer = setTimeout(
        () => this.replace(busy, unavailable("The forecast took too long and was stopped. Ask for fewer replicates or scenarios.")),
        serverEnv().FORECAST_TIMEOUT_MS,
      );
      busy.worker.postMessage({ id: task.id, input: task.input });
    }
  }

  run(input: unknown): Promise<ForecastResult> {
    if (this.queue.length >= QUEUE_MAX) return Promise.reject(unavailable("The forecast service is busy. Try again in a moment."));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.next++, input, resolve, reject });
      this.pump();
    });
  }
}

const global = globalThis as unknown as { trialbridgeForecastPool?: Pool };

/** Validates on this thread (over-budget input is refused at once), then simulates in a worker. */
export async function forecastOffThread(json: ForecastInputJson): Promise<ForecastResult> {
  forecastInput.parse(json);
  global.trialbridgeForecastPool ??= new Pool();
  return global.trialbridgeForecastPool.run(json);
}
