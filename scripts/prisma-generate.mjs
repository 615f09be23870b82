// Generates the Prisma client after install, offline.
// `prisma generate` does not use the native schema engine, but the CLI tries to download it first unless
// PRISMA_SCHEMA_ENGINE_BINARY names an existing executable; /bin/true satisfies it (see docs/decisions/002).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync("/bin/true")) env.PRISMA_SCHEMA_ENGINE_BINARY = "/bin/true";
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
const result = spawnSync("npx", ["--no-install", "prisma", "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
