// npm run demo:federation
// Two nodes of one partnership on this machine: the US node on :3000 and the Chinese node on :3001, each with its own
// embedded PostgreSQL and key file (./data/federation/us, ./data/federation/cn), its own demo accounts, and only its
// own country's demo patients; paired on first run, the Chinese node connecting (it needs no inbound port). Ctrl-C
// stops both. `npm run demo` stays the one-node demo.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildIsCurrent, NEXT_BIN } from "./lib/build";

const ROOT = path.resolve(process.env.TRIALBRIDGE_DATA_DIR ?? "data", "federation");
const NODES = [
  { name: "us", country: "US", port: Number(process.env.US_PORT ?? 3000) },
  { name: "cn", country: "CN", port: Number(process.env.CN_PORT ?? 3001) },
] as const;

const nodeEnv = (node: (typeof NODES)[number]) => ({
  ...process.env,
  TRIALBRIDGE_DATA_DIR: path.join(ROOT, node.name),
  NODE_COUNTRY: node.country,
  NODE_ID: `trialbridge-${node.name}`,
  PORT: String(node.port),
  // Browsers share cookies across ports of one host: the Chinese node is reached as 127.0.0.1, the US one as localhost.
  NEXTAUTH_URL: `http://${node.country === "CN" ? "127.0.0.1" : "localhost"}:${node.port}`,
  EMBEDDED_PG_PORT: "",
});

const tsx = path.join("node_modules", ".bin", "tsx");
const children: ChildProcess[] = [];
let stopping = false;

function stop(code: number) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null))).then(
    () => process.exit(code),
    () => process.exit(code),
  );
}

async function healthy(port: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the node on :${port} did not answer within ${timeoutMs / 1000} s`);
}

function federation(node: (typeof NODES)[number], ...args: string[]) {
  const run = spawnSync(tsx, ["scripts/federation.ts", ...args], {
    env: { ...nodeEnv(node), NODE_OPTIONS: "--conditions=react-server" },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`federation ${args[0]} on the ${node.country} node failed: ${run.stderr.trim()}`);
  return run.stdout;
}

async function main() {
  if (!buildIsCurrent()) {
    console.log("Building the app (first run, or the sources changed)...");
    const build = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit" });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  for (const node of NODES) {
    fs.mkdirSync(path.join(ROOT, node.name), { recursive: true });
    const child = spawn(tsx, ["scripts/serve.ts", "demo"], { env: nodeEnv(node), stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout, child.stderr])
      stream.on("data", (chunk: Buffer) => {
        for (const line of chunk.toString().split("\n").filter(Boolean)) console.log(`[${node.country}] ${line}`);
      });
    child.on("exit", (code) => {
      if (!stopping) {
        console.error(`The ${node.country} node stopped (exit ${code}); stopping the other.`);
        stop(code ?? 1);
      }
    });
    children.push(child);
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stop(0));
  await Promise.all(NODES.map((n) => healthy(n.port, 600_000)));

  const [us, cn] = NODES;
  if (federation(us, "status").includes("Not paired")) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-pair-"));
    fs.writeFileSync(path.join(dir, "us.json"), federation(us, "identity"));
    fs.writeFileSync(path.join(dir, "cn.json"), federation(cn, "identity"));
    console.log(federation(us, "pair", "--identity", path.join(dir, "cn.json")).trim());
    console.log(federation(cn, "pair", "--identity", path.join(dir, "us.json"), "--url", `http://127.0.0.1:${us.port}`, "--connect").trim());
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`US node on http://localhost:${us.port}, Chinese node on http://127.0.0.1:${cn.port} (the demo accounts on each).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  stop(1);
});
