// npm run backtest [-- --trials N --seed S --learning off|on]
// Simulated trials of each family (lib/forecast/backtest.ts), forecast at month 9, run to completion: the share of
// trials whose true completion fell inside the 50%, 80% and 95% intervals, per scenario, with Wilson 95% intervals,
// and the median relative bias of the forecast median (negative: too early). Seeded: the same figures every run.
import { backtest, FAMILIES } from "@/lib/forecast/backtest";
import { learnFromSites } from "@/lib/forecast/learning";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const trials = Number(arg("trials", "300"));
const seed = Number(arg("seed", "20261202"));
const learning = arg("learning", "on") === "on";
if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(seed)) {
  process.stderr.write("backtest: --trials and --seed are whole numbers\n");
  process.exit(1);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(`Back-test: ${trials} simulated trials per family, seed ${seed}, learning ${learning ? "on" : "off"}, forecast at month 9.`);
console.log("| family | scenario | trials | 50% interval | 80% interval | 95% interval | median bias |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const family of FAMILIES) {
  for (const row of backtest(family, trials, seed, 2_000, learning ? learnFromSites : undefined)) {
    const cell = (name: "50%" | "80%" | "95%") => `${pct(row.coverage[name].share)} (${pct(row.coverage[name].ci[0])}-${pct(row.coverage[name].ci[1])})`;
    console.log(`| ${family} | ${row.scenario} | ${row.trials} | ${cell("50%")} | ${cell("80%")} | ${cell("95%")} | ${(row.medianBias * 100).toFixed(0)}% |`);
  }
}
