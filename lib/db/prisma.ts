// Builds a Prisma client for a URL. The app uses the shared one from lib/db/client.ts; scripts and tests build
// their own from here. Password hashes and TOTP secrets are omitted from every result unless asked for by name.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export const OMIT = { user: { passwordHash: true, totpSecret: true } } as const;

export function createPrismaClient(url: string, poolSize = 10) {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }), omit: OMIT });
}

export type Db = ReturnType<typeof createPrismaClient>;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
