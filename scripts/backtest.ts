// npm run backtest [-- --trials N --seed S --learning off|on --family model|optimistic|declining|slipping|mix]
// Simulated trials of each family (lib/forecast/backtest.ts), forecast at month 9, run to completion: the share of
// trials whose true completion fell inside the 50%, 80% and 95% intervals, per scenario, with Wilson 95% intervals,
// and the median relative bias of the forecast median (negative: too early). Seeded: the same figures every run.
import { backtest, FAMILIES } from "@/lib/forecast/backtest";
import { todayIn } from "@/lib/dates/calendar";
import { learnFromSites } from "@/lib/forecast/learning";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const trials = Number(arg("trials", "1000"));
const seed = Number(arg("seed", "20261202"));
const learning = arg("learning", "on") === "on";
const only = arg("family", "all");
const families = only === "all" ? FAMILIES : FAMILIES.filter((f) => f === only);
if (!families.length) {
  process.stderr.write(`backtest: --family is one of ${FAMILIES.join(", ")} (or all)\n`);
  process.exit(1);
}
if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(seed)) {
  process.stderr.write("backtest: --trials and --seed are whole numbers\n");
  process.exit(1);
}

if (process.argv.includes("--replay")) {
  await replay();
  process.exit(0);
}

/** The second mode: the trials in the database (the demo's) forecast at months 6, 9 and 12 of their own histories. */
async function replay() {
  const [{ openDatabase, unreachable }, { createPrismaClient }, { replayHistories }] = await Promise.all([
    import("./lib/database"),
    import("@/lib/db/prisma"),
    import("@/lib/forecast/replay"),
  ]);
  const database = await openDatabase(() => {}, { attach: true });
  const db = createPrismaClient(database.url, 2);
  try {
    const end = todayIn("UTC");
    const rows = await replayHistories(db, end);
    console.log(`Replay of the trials' own histories: forecast at months 6, 9 and 12, against the patients enrolled by ${end}.`);
    console.log("| trial | forecast at | enrolled then | forecast enrolled by the end (10%-90%) | median | enrolled by the end | inside |");
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    for (const r of rows)
      console.log(
        `| ${r.trial} | month ${r.month} (${r.cutOff}) | ${r.enrolledThen} | ${Math.round(r.forecast.p10)}-${Math.round(r.forecast.p90)} | ${Math.round(r.forecast.p50)} | ${r.enrolledAtEnd} | ${r.inside ? "yes" : "no"} |`,
      );
    if (!rows.length) console.log("(no trial has a history of 6 months or more)");
  } catch (error) {
    const line = unreachable(error, database.url);
    if (!line) throw error;
    console.error(line);
    process.exitCode = 2;
  } finally {
    await db.$disconnect();
    await database.stop();
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(`Back-test: ${trials} simulated trials per family, seed ${seed}, learning ${learning ? "on" : "off"}, forecast at month 9.`);
console.log("| family | scenario | trials | 50% interval | 80% interval | 95% interval | median bias |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const family of families) {
  for (const row of backtest(family, trials, seed, 2_000, learning ? learnFromSites : undefined)) {
    const cell = (name: "50%" | "80%" | "95%") => `${pct(row.coverage[name].share)} (${pct(row.coverage[name].ci[0])}-${pct(row.coverage[name].ci[1])})`;
    console.log(`| ${family} | ${row.scenario} | ${row.trials} | ${cell("50%")} | ${cell("80%")} | ${cell("95%")} | ${(row.medianBias * 100).toFixed(0)}% |`);
  }
}
