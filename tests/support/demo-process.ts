// `npm run demo` as a user runs it, for the tests of whole processes (tests/ops): on a port and data folder of the
// test's own, in a process group of its own (as in a terminal: stopping it is Ctrl-C to the whole group).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort, waitForHealth } from "./http";

const TSX = path.join("node_modules", "tsx", "dist", "cli.mjs");

export const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/** The environment of a demo on `dataDir` and `port`: no database, secret or key file of the test runner's own. */
export function demoEnv(dataDir: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TRIALBRIDGE_DATA_DIR: dataDir, PORT: String(port), ...extra };
  for (const name of ["DATABASE_URL", "AUTH_SECRET", "NODE_KEY_FILE", "EMBEDDED_PG_PORT"]) delete env[name];
  return env;
}

/** Starts the demo and waits until it answers (its output is kept, and shown if it never does). */
export async function startDemoProcess(dataDir: string, running: ChildProcess[], extra: Record<string, string> = {}, timeoutMs = 420_000) {
  const port = await freePort();
  const env = demoEnv(dataDir, port, extra);
  const child = spawn(process.execPath, [TSX, "scripts/serve.ts", "demo"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  running.push(child);
  const base = `http://localhost:${port}`;
  await waitForHealth(base, timeoutMs, () => alive(child)).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : error}\n${log}`);
  });
  return { base, child, env, log: () => log };
}

/** Ctrl-C to the demo's process group, and its exit. */
export async function stopDemoProcess(child: ChildProcess) {
  if (!alive(child)) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid!, "SIGINT");
  await exited;
}
