// Whether the production build in .next is at least as new as every source it was built from.
import { spawn, type StdioOptions } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const SOURCES = ["app", "lib", "public", "proxy.ts", "instrumentation.ts", "next.config.js", "package.json", "tsconfig.json"];

function newestMtime(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

export function buildIsCurrent(root = process.cwd()): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return false;
  const built = fs.statSync(buildId).mtimeMs;
  return SOURCES.map((p) => path.join(root, p))
    .filter((p) => fs.existsSync(p))
    .every((p) => newestMtime(p) <= built);
}

export const NEXT_BIN = path.join("node_modules", "next", "dist", "bin", "next");

/**
 * `next start` of the production build on a port, as a production instance (tests and benchmarks): the secret under
 * both names next-auth reads, the public URL on that port, and whatever else `env` sets.
 */
export function startNext(port: number | string, env: { DATABASE_URL: string; AUTH_SECRET: string } & Record<string, string>, stdio: StdioOptions) {
  return spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port)], {
    stdio,
    env: { ...process.env, NODE_ENV: "production", NEXTAUTH_SECRET: env.AUTH_SECRET, NEXTAUTH_URL: `http://localhost:${port}`, ...env },
  });
}
