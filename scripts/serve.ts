// Runs the app.
//   npm run demo    embedded PostgreSQL under ./data (unless DATABASE_URL is set), migrations, demo data when the
//                   database is empty, a production build if there is none or it is older than the sources, then
//                   `next start` on PORT (3000). A demo-only AUTH_SECRET is generated and kept in ./data.
//   npm start       production: refuses to start without AUTH_SECRET or DATABASE_URL (several instances each starting
//                   an embedded database of their own would split the trial's data), applies migrations, never seeds.
// With the embedded PostgreSQL, a server that dies (killed, out of memory) is started again on the same port:
// PostgreSQL's crash recovery replays its log, and the app reconnects by itself.
//   npm run dev     like demo, with `next dev`.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { migrate } from "@/lib/db/migrate";
import { buildMissingTallies, seedIfEmpty } from "./db";
import { buildIsCurrent, NEXT_BIN } from "./lib/build";
import { DATA_DIR, openDatabase } from "./lib/database";

type Mode = "demo" | "start" | "dev";

function demoSecret(): string {
  const file = path.join(DATA_DIR, "demo-auth-secret");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(DATA_DIR, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
  return fs.readFileSync(file, "utf8").trim();
}

async function main(mode: Mode) {
  const env = { ...process.env };
  if (mode === "start") {
    const secret = env.AUTH_SECRET ?? env.NEXTAUTH_SECRET;
    if (!secret || secret.length < 32) {
      console.error("Refusing to start: set AUTH_SECRET to a random string of at least 32 characters (e.g. `openssl rand -base64 32`).");
      process.exit(1);
    }
    env.AUTH_SECRET = secret;
    if (!env.DATABASE_URL) {
      console.error("Refusing to start: set DATABASE_URL to the PostgreSQL server every instance shares (npm run demo uses an embedded one).");
      process.exit(1);
    }
  } else {
    env.AUTH_SECRET ??= env.NEXTAUTH_SECRET ?? demoSecret();
  }
  env.NEXTAUTH_SECRET = env.AUTH_SECRET;
  const port = env.PORT ?? "3000";
  env.NEXTAUTH_URL ??= `http://localhost:${port}`;

  let database = await openDatabase();
  const running: { app?: ChildProcess; stopping?: boolean } = {};
  const shutdown = async (code: number) => {
    running.stopping = true;
    const app = running.app;
    if (app && app.exitCode === null) {
      app.kill("SIGTERM");
      await new Promise((resolve) => app.once("exit", resolve));
    }
    await database.stop();
    process.exit(code);
  };
  const supervise = (current: typeof database) => {
    void current.exited?.then(async () => {
      if (running.stopping) return;
      console.error("The embedded PostgreSQL stopped unexpectedly: starting it again (crash recovery)...");
      for (let attempt = 1; ; attempt++) {
        try {
          process.env.EMBEDDED_PG_PORT = String(current.port);
          database = await openDatabase();
          console.log("The embedded PostgreSQL is back; the app reconnects by itself.");
          supervise(database);
          return;
        } catch (error) {
          if (attempt >= 30) {
            console.error(`The embedded PostgreSQL could not be restarted: ${error instanceof Error ? error.message.split("\n")[0] : error}`);
            return shutdown(1);
          }
          await new Promise((r) => setTimeout(r, 1_000)); // its old processes may still be exiting
        }
      }
    });
  };
  supervise(database);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(0));

  try {
    const applied = await migrate(database.url);
    if (applied.length) console.log(`Applied migrations: ${applied.join(", ")}`);
    if (mode !== "start") await seedIfEmpty(database.url, console.log);
    await buildMissingTallies(database.url, console.log);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await shutdown(1);
  }
  env.DATABASE_URL = database.url;
  env.NODE_ENV = mode === "dev" ? "development" : "production";

  const next = NEXT_BIN;
  if (mode === "demo" && !buildIsCurrent()) {
    console.log("Building the app (first run, or the sources changed)...");
    const build = spawnSync(process.execPath, [next, "build"], { stdio: "inherit", env: { ...env, DATABASE_URL: undefined } });
    if (build.status !== 0) await shutdown(build.status ?? 1);
  }
  console.log(`TrialBridge on http://localhost:${port}`);
  running.app = spawn(process.execPath, [next, mode === "dev" ? "dev" : "start", "-p", port], { stdio: "inherit", env });
  running.app.on("exit", (code) => void shutdown(code ?? 0));
}

const mode = process.argv[2];
if (mode !== "demo" && mode !== "start" && mode !== "dev") {
  console.error("Usage: tsx scripts/serve.ts demo|start|dev");
  process.exit(2);
}
void main(mode);
