// npm run --silent forecast -- FILE   (FILE a JSON scenario, or - for standard input)
// Prints only the JSON result on standard output; bad input prints a clear error on standard error and exits 1.
//
// Start-up is most of a forecast's time for a command: compiled to dist/ (scripts/build-commands.mjs), it starts a
// second thread for half of the scenarios first thing (scripts/forecast-lane.ts, which loads no validation), then
// loads the schema, reads and checks the input while that thread starts. Each scenario has its own seeded
// generator, so two threads give exactly what one gives.
import fs from "node:fs";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { assemble, scenarioOf, scenarioWork } from "@/lib/forecast/simulate";
import type { ForecastInput, ScenarioResult } from "@/lib/forecast/schema";

// (Run from its TypeScript source, through tsx, there is no compiled second thread to start: one thread.)
const lane = os.availableParallelism() >= 2 && import.meta.url.endsWith(".mjs") ? new Worker(new URL("./forecast-lane.mjs", import.meta.url)) : null;
// A second thread that cannot start (or fails) leaves its scenarios to this one: never a crash, never a lost result.
const laneFailed = new Promise<null>((resolve) => lane?.once("error", () => resolve(null)));

function fail(message: string): never {
  void lane?.terminate();
  process.stderr.write(`forecast: ${message}\n`);
  process.exit(1);
}

/** The scenarios shared between the two threads so that their work balances (the larger first, to the lighter). */
async function run(parsed: ForecastInput) {
  if (!lane || parsed.scenarios.length < 2) {
    void lane?.terminate();
    return assemble(
      parsed,
      parsed.scenarios.map((_, k) => scenarioOf(parsed, k)),
    );
  }
  const lanes: number[][] = [[], []];
  const load = [0, 0];
  const work = parsed.scenarios.map((_, k) => scenarioWork(parsed, k));
  for (const k of work.map((_, k) => k).sort((a, b) => work[b]! - work[a]!)) {
    const to = load[0]! <= load[1]! ? 0 : 1;
    lanes[to]!.push(k);
    load[to]! += work[k]!;
  }
  const theirs = Promise.race([new Promise<ScenarioResult[]>((resolve) => lane.once("message", resolve)), laneFailed]);
  lane.postMessage({ input: parsed, indices: lanes[1] });
  const results = new Map(lanes[0]!.map((k) => [k, scenarioOf(parsed, k)] as const));
  const received = await theirs;
  lanes[1]!.forEach((k, i) => results.set(k, received?.[i] ?? scenarioOf(parsed, k)));
  void lane.terminate();
  return assemble(
    parsed,
    parsed.scenarios.map((_, k) => results.get(k)!),
  );
}

const file = process.argv[2];
if (!file) fail("usage: npm run --silent forecast -- FILE   (a JSON scenario, or - for standard input)");

let text: string;
try {
  text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
} catch (error) {
  fail(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
}

let input: unknown;
try {
  input = JSON.parse(text);
} catch (error) {
  fail(`${file === "-" ? "standard input" : file} is not valid JSON: ${(error as Error).message}`);
}

const [{ forecastInput }, { ZodError }] = await Promise.all([import("@/lib/forecast/schema"), import("zod")]);
let parsed: ForecastInput;
try {
  parsed = forecastInput.parse(input);
} catch (error) {
  if (error instanceof ZodError) {
    // Loaded only to explain a refusal: the messages and their formatter cost more to start than the forecast.
    const [{ fieldErrors }, { renderFields }] = await Promise.all([import("@/lib/http/validation"), import("@/lib/i18n/messages")]);
    const lines = Object.entries(renderFields(fieldErrors(error)) ?? {}).map(([field, messages]) => `  ${field}: ${messages.join("; ")}`);
    fail(`the scenario is not valid:\n${lines.join("\n")}`);
  }
  throw error;
}
process.stdout.write(`${JSON.stringify(await run(parsed), null, 2)}\n`);
