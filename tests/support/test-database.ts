// Test databases: the embedded PostgreSQL by default, or the server at TEST_DATABASE_URL (which must be local:
// tests create and drop databases). A template database holds the migrated schema; each test file gets a copy.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from "@/lib/db/embedded";
import { migrate, readMigrations } from "@/lib/db/migrate";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function assertLocal(url: string) {
  const host = new URL(url).hostname;
  if (!LOCAL_HOSTS.has(host) && process.env.ALLOW_REMOTE_TEST_DATABASE !== "1") {
    throw new Error(`Refusing to run tests against a non-local database (${host}). Set ALLOW_REMOTE_TEST_DATABASE=1 to override.`);
  }
}

export interface TestServer {
  url: string;
  stop(): Promise<void>;
}

/** A throwaway embedded server in a fresh folder, or the one at TEST_DATABASE_URL. */
export async function startTestServer(): Promise<TestServer> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    assertLocal(external);
    return { url: external, stop: async () => {} };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-test-pg-"));
  fs.chmodSync(dir, 0o755);
  let server: EmbeddedPostgres;
  try {
    server = await startEmbeddedPostgres({
      dataDir: path.join(dir, "data"),
      settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off", max_connections: "300" },
    });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates (once per migration history) a template database holding the migrated schema; returns its name. */
export async function ensureTemplate(serverUrl: string): Promise<string> {
  const digest = createHash("sha256")
    .update(
      readMigrations()
        .map((m) => m.checksum)
        .join(),
    )
    .digest("hex")
    .slice(0, 16);
  const name = `trialbridge_template_${digest}`;
  const exists = await withClient(serverUrl, async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount);
  if (!exists) {
    const building = `${name}_building_${randomBytes(3).toString("hex")}`;
    await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${building}`));
    await migrate(withDatabase(serverUrl, building));
    await withClient(serverUrl, async (c) => {
      try {
        await c.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
      } catch {
        await c.query(`DROP DATABASE ${building}`); // built concurrently by another run
      }
    });
  }
  return name;
}

export async function createDatabaseFromTemplate(serverUrl: string, template: string, prefix = "trialbridge_test"): Promise<string> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return withDatabase(serverUrl, name);
}

export async function dropDatabase(serverUrl: string, url: string) {
  const name = new URL(url).pathname.slice(1);
  await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
