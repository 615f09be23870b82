// The forecast engine in a worker thread (lib/forecast/pool.ts): a simulation never blocks the server's requests.
import { parentPort } from "node:worker_threads";
import { forecast } from "./engine";

parentPort!.on("message", (message: { id: number; input: unknown }) => {
  try {
    parentPort!.postMessage({ id: message.id, result: forecast(message.input as never) });
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
