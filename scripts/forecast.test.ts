import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { forecast } from "@/lib/forecast/engine";
import type { ForecastInputJson } from "@/lib/forecast/schema";

// The command as `npm run forecast` runs it: compiled to dist/ (built at install; built again here from the source).
beforeAll(() => {
  const built = spawnSync(process.execPath, ["scripts/build-commands.mjs"], { encoding: "utf8" });
  expect(built.status, built.stderr).toBe(0);
});

function run(args: string[], input?: string) {
  return spawnSync(process.execPath, ["dist/forecast.mjs", ...args], { input, encoding: "utf8", timeout: 60_000 });
}

describe("npm run forecast", () => {
  it("prints only the JSON result, from a file or from standard input", () => {
    const fromFile = run(["docs/examples/forecast-egfr.json"]);
    expect(fromFile.status).toBe(0);
    expect(fromFile.stderr).toBe("");
    const result = JSON.parse(fromFile.stdout) as { scenarios: { name: string; completionMonth: { p50: number } }[] };
    expect(result.scenarios.map((s) => s.name)).toEqual(["US only", "China only", "Joint"]);
    const fromStdin = run(["-"], readFileSync("docs/examples/forecast-egfr.json", "utf8"));
    expect(JSON.parse(fromStdin.stdout)).toEqual(result);
  });

  it("still answers, on one thread, when its second thread cannot start", () => {
    // The compiled files without the second thread's, beside the project's node_modules.
    const dir = mkdtempSync("dist-no-lane-");
    try {
      for (const f of readdirSync("dist")) if (f !== "forecast-lane.mjs") copyFileSync(`dist/${f}`, `${dir}/${f}`);
      const input = readFileSync("docs/examples/forecast-egfr.json", "utf8");
      const alone = spawnSync(process.execPath, [`${dir}/forecast.mjs`, "-"], { input, encoding: "utf8", timeout: 60_000 });
      expect(alone.status, alone.stderr).toBe(0);
      expect(JSON.parse(alone.stdout)).toEqual(JSON.parse(run(["-"], input).stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives, with its scenarios shared between two threads, exactly the result of one thread", () => {
    const input = readFileSync("docs/examples/forecast-egfr.json", "utf8");
    const threads = JSON.parse(run(["-"], input).stdout) as unknown;
    expect(threads).toEqual(JSON.parse(JSON.stringify(forecast(JSON.parse(input) as ForecastInputJson))));
  });

  it.each([
    ["invalid JSON", ["-"], "{nope", "is not valid JSON"],
    [
      "a negative rate",
      ["-"],
      JSON.stringify({ sites: [{ id: "a", country: "US", rate: { shape: 1, rate: -2 } }], cohorts: [{ id: "c", target: 3 }] }),
      "sites.0.rate.rate: rate.rate must be greater than 0",
    ],
    ["a missing file", ["no-such-file.json"], undefined, "cannot read no-such-file.json: ENOENT"],
    ["no argument", [], undefined, "usage:"],
  ])("fails clearly on %s", (_label, args, input, message) => {
    const result = run(args, input);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
  });
});
