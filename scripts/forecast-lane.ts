// The second thread of `npm run forecast` (scripts/forecast.ts): started before the input is read, it loads the
// simulation only (no zod), then runs the scenarios it is sent and sends them back.
import { parentPort } from "node:worker_threads";
import { scenarioOf } from "@/lib/forecast/simulate";
import type { ForecastInput } from "@/lib/forecast/schema";

parentPort!.once("message", ({ input, indices }: { input: ForecastInput; indices: number[] }) => {
  parentPort!.postMessage(indices.map((k) => scenarioOf(input, k)));
});
