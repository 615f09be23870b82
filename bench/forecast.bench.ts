// Reference case for the forecast engine: 43 sites (20 US, 23 China), 4 cohorts, 3 scenarios, 20,000 replicates.
// Goal: under one second on the 2-core machines. Then the command (npm run forecast) as a whole process, compiled and
// through tsx, beside an independent numpy implementation (bench/forecast_numpy.py); then the live case with what
// the learning adds. Run: npm run bench:forecast
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { forecast } from "@/lib/forecast/engine";
import { learnFromSites } from "@/lib/forecast/learning";
import type { ForecastInputJson } from "@/lib/forecast/schema";

const sites: ForecastInputJson["sites"] = Array.from({ length: 43 }, (_, i) => ({
  id: `S${i}`,
  country: i < 20 ? "US" : "CN",
  activationMonth: (i * 7) % 10,
  rate: { shape: 2, rate: i < 20 ? 2 : 1.5 },
  // Open sites watched since they opened (at month 6, the as-of month).
  observed: i % 3 === 0 && (i * 7) % 10 < 6 ? { months: 6 - ((i * 7) % 10), screened: 4 + (i % 5) } : undefined,
}));

const input: ForecastInputJson = {
  sites,
  cohorts: [
    { id: "EGFR", target: 180, enrolled: 40 },
    { id: "ALK", target: 50, enrolled: 10 },
    { id: "KRAS-G12C", target: 60, enrolled: 12 },
    { id: "MET14", target: 30, enrolled: 3 },
  ],
  prevalence: { US: { EGFR: 0.17, ALK: 0.08, "KRAS-G12C": 0.138, MET14: 0.03 }, CN: { EGFR: 0.48, ALK: 0.039, "KRAS-G12C": 0.029, MET14: 0.009 } },
  enrolFraction: 0.6,
  asOfMonth: 6,
  replicates: 20_000,
  seed: 42,
  horizonMonths: 240,
};

forecast({ ...input, replicates: 1_000 }); // warm-up (JIT)
const runs: number[] = [];
for (let i = 0; i < 7; i++) {
  const start = performance.now();
  forecast(input);
  runs.push(performance.now() - start);
}
runs.sort((a, b) => a - b);
const median = runs[Math.floor(runs.length / 2)]!;
console.log(`forecast reference case (43 sites, 4 cohorts, 3 scenarios, 20,000 replicates), 7 runs:`);
console.log(`  median ${median.toFixed(0)} ms, fastest ${runs[0]!.toFixed(0)} ms, slowest ${runs.at(-1)!.toFixed(0)} ms (goal: under 1000 ms)`);

// The command as a whole process on the same case: the compiled one (node dist/forecast.mjs, built at install) beside
// the same source run through tsx, which compiles TypeScript on every start.
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "forecast-bench-")), "reference.json");
fs.writeFileSync(file, JSON.stringify(input));
const wall = (command: string, args: string[], times: number) => {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    const run = spawnSync(command, args, { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${run.stderr}`);
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)]!;
};
const compiled = wall(process.execPath, ["dist/forecast.mjs", file], 5);
const throughTsx = wall("npx", ["--no-install", "tsx", "scripts/forecast.ts", file], 3);
console.log(`the command as a whole process on the reference case (median): compiled ${compiled.toFixed(0)} ms; through tsx ${throughTsx.toFixed(0)} ms`);

// An independent vectorised numpy implementation of the same model (bench/forecast_numpy.py), whole process against
// whole process, and its medians beside the engine's (they differ by Monte Carlo error only).
const python = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
if (python.status === 0) {
  const numpy = wall("python3", ["bench/forecast_numpy.py", file], 5);
  const theirs = JSON.parse(spawnSync("python3", ["bench/forecast_numpy.py", file], { encoding: "utf8" }).stdout) as Record<string, { p50: number }>;
  const ours = forecast(input).scenarios;
  const gaps = ours.map((s) => `${s.name} ${s.completionMonth.p50} vs ${theirs[s.name]!.p50.toFixed(2)}`);
  console.log(`numpy's implementation as a whole process (median of 5): ${numpy.toFixed(0)} ms; medians (months), engine vs numpy: ${gaps.join("; ")}`);
} else {
  console.log("numpy's implementation: skipped (python3 with numpy not found)");
}

// The live forecast's case: the same trial with what the learning adds (a mixture of trends, each site's history by
// month, sites still to open and a delay for them), learned then simulated.
const withHistory: ForecastInputJson = {
  ...input,
  sites: sites.map((s, i) =>
    s.observed
      ? {
          ...s,
          plannedActivationMonth: s.activationMonth! - (i % 2),
          observed: { ...s.observed, periods: [{ from: 0, to: s.observed.months, screened: s.observed.screened }] },
        }
      : { ...s, plannedActivationMonth: s.activationMonth! },
  ),
};
const learnedRuns: { learn: number; run: number }[] = [];
for (let i = 0; i < 5; i++) {
  const a = performance.now();
  const learned = learnFromSites(withHistory);
  const b = performance.now();
  forecast(learned);
  learnedRuns.push({ learn: b - a, run: performance.now() - b });
}
learnedRuns.sort((x, y) => x.run - y.run);
const mid = learnedRuns[2]!;
console.log(
  `the live case with learning (trend mixture and opening delay): learning ${mid.learn.toFixed(0)} ms, simulation ${mid.run.toFixed(0)} ms (median of 5)`,
);
