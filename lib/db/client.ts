// The app's one Prisma client. Opened lazily, never at import time (`next build` runs page code in workers), and
// kept on globalThis so hot reloads in development do not open a new pool each time.
import "server-only";
import { serverEnv } from "@/lib/env";
import { createPrismaClient, type Db } from "./prisma";

const globalForDb = globalThis as unknown as { trialbridgeDb?: Db };

export function db(): Db {
  const env = serverEnv();
  globalForDb.trialbridgeDb ??= createPrismaClient(env.DATABASE_URL, env.DB_POOL_SIZE);
  return globalForDb.trialbridgeDb;
}

export type { Db, Tx } from "./prisma";
