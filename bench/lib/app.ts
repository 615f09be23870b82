// Benchmarks' harness: a throwaway embedded PostgreSQL with the demo data, and the production build served by
// `next start` on a spare port, with a signed-in session cookie.
import { spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { createPrismaClient, type Db } from "@/lib/db/prisma";
import { seedDemo } from "../../prisma/seed";
import { buildIsCurrent, NEXT_BIN, startNext } from "../../scripts/lib/build";
import { signIn } from "../../tests/support/http";

export interface BenchApp {
  db: Db;
  /** The app server's process ids (to sample their memory). */
  pids(): number[];
  url: string;
  base: string;
  stop(): Promise<void>;
  startApp(port: number): Promise<void>;
  signIn(email: string): Promise<string>;
}

export async function startBench(): Promise<BenchApp> {
  if (!buildIsCurrent()) {
    const build = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-bench-"));
  fs.chmodSync(dir, 0o755);
  const server: EmbeddedPostgres = await startEmbeddedPostgres({
    dataDir: path.join(dir, "data"),
    settings: { fsync: "off", synchronous_commit: "off", max_connections: "300", shared_buffers: "512MB", work_mem: "64MB" },
  });
  const admin = createPrismaClient(server.url, 1);
  await admin.$executeRawUnsafe("CREATE DATABASE bench");
  await admin.$disconnect();
  const url = withDatabase(server.url, "bench");
  await migrate(url);
  const db = createPrismaClient(url, 4);
  await seedDemo(db);
  const apps: ChildProcess[] = [];
  let base = "";
  const secret = "bench-secret-that-is-long-enough-for-the-schema";
  return {
    db,
    url,
    pids: () => apps.map((a) => a.pid!).filter(Boolean),
    get base() {
      return base;
    },
    async startApp(port: number) {
      base = `http://localhost:${port}`;
      const child = startNext(port, { DATABASE_URL: url, AUTH_SECRET: secret, DB_POOL_SIZE: "10" }, ["ignore", "ignore", "inherit"]);
      apps.push(child);
      for (let i = 0; i < 200; i++) {
        const ok = await fetch(`${base}/api/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("the app did not start");
    },
    signIn: (email: string) => signIn(base, email),
    async stop() {
      for (const app of apps) {
        app.kill("SIGTERM");
        await new Promise((r) => app.once("exit", r));
      }
      await db.$disconnect();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A throwaway embedded PostgreSQL holding a migrated `bench` database, for benchmarks that call the use cases in
 * process: DATABASE_URL and AUTH_SECRET are set for them. `stop` removes everything.
 */
export async function benchDatabase(settings: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-bench-"));
  fs.chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), settings });
  const admin = createPrismaClient(server.url, 1);
  await admin.$executeRawUnsafe("CREATE DATABASE bench");
  await admin.$disconnect();
  const url = withDatabase(server.url, "bench");
  await migrate(url);
  process.env.DATABASE_URL = url;
  process.env.AUTH_SECRET ??= "bench-secret-that-is-long-enough-for-the-schema";
  return {
    url,
    dir,
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export async function time(runs: number, fn: () => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { median: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
}
