// A small pg pool for long streaming reads (exports of a million rows): rows come back as arrays, with none of the
// ORM's per-row objects, so a stream's memory stays flat. Opened lazily, like the Prisma client.
import "server-only";
import pg from "pg";
import { serverEnv } from "@/lib/env";

const globalForPool = globalThis as unknown as { trialbridgeStreamPool?: pg.Pool };

export function streamPool(): pg.Pool {
  globalForPool.trialbridgeStreamPool ??= new pg.Pool({ connectionString: serverEnv().DATABASE_URL, max: 4 });
  return globalForPool.trialbridgeStreamPool;
}
