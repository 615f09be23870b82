// A small pg pool for long streaming reads (exports of a million rows): rows come back as arrays, with none of the
// ORM's per-row objects, so a stream's memory stays flat. Opened lazily, like the Prisma client.
import "server-only";
import pg from "pg";
import { serverEnv } from "@/lib/env";

const globalForPool = globalThis as unknown as { trialbridgeStreamPool?: pg.Pool };

export function streamPool(): pg.Pool {
  if (!globalForPool.trialbridgeStreamPool) {
    const pool = new pg.Pool({ connectionString: serverEnv().DATABASE_URL, max: 4, idleTimeoutMillis: 10_000 });
    // An idle connection that the server closes (restart, failover) must not bring the process down.
    pool.on("error", (error) => console.error("Streaming pool: an idle connection failed:", error.message));
    globalForPool.trialbridgeStreamPool = pool;
  }
  return globalForPool.trialbridgeStreamPool;
}

export async function closeStreamPool() {
  await globalForPool.trialbridgeStreamPool?.end();
  globalForPool.trialbridgeStreamPool = undefined;
}
