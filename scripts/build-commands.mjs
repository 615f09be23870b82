// Compiles the commands that run outside the app (today `npm run forecast`) to plain JavaScript in dist/, so that
// `node` starts them without compiling TypeScript on every run. Run after every install (postinstall) and by hand
// after changing them: node scripts/build-commands.mjs. Packages stay in node_modules (only the project's code is
// bundled).
import { rmSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true }); // no chunk of an earlier build left beside the new ones

await build({
  entryPoints: { forecast: "scripts/forecast.ts", "forecast-lane": "scripts/forecast-lane.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  splitting: true, // what a refusal needs (the messages) is a chunk of its own, loaded only then
  target: "node20",
  packages: "external",
  tsconfig: "tsconfig.json",
  logLevel: "warning",
  banner: { js: "// Built by scripts/build-commands.mjs from scripts/: do not edit." },
});
