// Which PostgreSQL to use: DATABASE_URL when set (any server, shared by several app instances), otherwise an
// embedded PostgreSQL with its data under ./data, started for as long as this process runs.
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, withDatabase } from "@/lib/db/embedded";

export const DATA_DIR = path.join(process.cwd(), "data");
const EMBEDDED_DB_NAME = "trialbridge";

export interface Database {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function createDatabaseIfMissing(serverUrl: string, name: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

export async function openDatabase(log: (line: string) => void = console.log): Promise<Database> {
  const external = process.env.DATABASE_URL;
  if (external) return { url: external, embedded: false, stop: async () => {} };
  const server = await startEmbeddedPostgres({
    dataDir: path.join(DATA_DIR, "postgres"),
    port: process.env.EMBEDDED_PG_PORT ? Number(process.env.EMBEDDED_PG_PORT) : 0,
    log: (line) => { if (/FATAL|PANIC|ERROR/.test(line)) log(`postgres: ${line}`); },
  });
  log(`Embedded PostgreSQL running on 127.0.0.1:${server.port} (data in ${server.dataDir}).`);
  await createDatabaseIfMissing(server.url, EMBEDDED_DB_NAME);
  return { url: withDatabase(server.url, EMBEDDED_DB_NAME), embedded: true, stop: server.stop };
}
