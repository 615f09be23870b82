// Which PostgreSQL to use: DATABASE_URL when set (any server, shared by several app instances), otherwise an
// embedded PostgreSQL with its data under ./data, started for as long as this process runs.
import path from "node:path";
import pg from "pg";
import { dataDir } from "@/lib/data-dir";
import { runningEmbeddedPostgres, startEmbeddedPostgres, withDatabase } from "@/lib/db/embedded";

export const DATA_DIR = dataDir();
const EMBEDDED_DB_NAME = "trialbridge";

export interface Database {
  url: string;
  embedded: boolean;
  /** The embedded server this process started: resolves when it exits (on purpose or not). */
  exited?: Promise<unknown>;
  port?: number;
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

export interface OpenOptions {
  /** Use the embedded server that is already running on ./data (the demo's) rather than refusing to share it. */
  attach?: boolean;
}

export async function openDatabase(log: (line: string) => void = console.log, options: OpenOptions = {}): Promise<Database> {
  const external = process.env.DATABASE_URL;
  if (external) return { url: external, embedded: false, stop: async () => {} };
  if (options.attach) {
    const running = runningEmbeddedPostgres(path.join(DATA_DIR, "postgres"));
    if (running) {
      log(`Using the embedded PostgreSQL already running on 127.0.0.1:${running.port}.`);
      return { url: withDatabase(running.url, EMBEDDED_DB_NAME), embedded: true, stop: async () => {} };
    }
  }
  const server = await startEmbeddedPostgres({
    dataDir: path.join(DATA_DIR, "postgres"),
    port: process.env.EMBEDDED_PG_PORT ? Number(process.env.EMBEDDED_PG_PORT) : 0,
    log: (line) => {
      if (/FATAL|PANIC|ERROR/.test(line)) log(`postgres: ${line}`);
    },
  });
  log(`Embedded PostgreSQL running on 127.0.0.1:${server.port} (data in ${server.dataDir}).`);
  await createDatabaseIfMissing(server.url, EMBEDDED_DB_NAME);
  return { url: withDatabase(server.url, EMBEDDED_DB_NAME), embedded: true, exited: server.exited, port: server.port, stop: server.stop };
}

/** One line for a database that cannot be reached (no stack trace), or null when the error is something else. */
export function unreachable(error: unknown, url: string | undefined): string | null {
  const code = (error as { code?: string } | null)?.code ?? "";
  const text = error instanceof Error ? error.message : String(error);
  if (!/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|28P01|3D000|57P03|Can't reach database|connect/i.test(`${code} ${text}`)) return null;
  let where = "the database";
  try {
    if (url) where = `the database at ${new URL(url).host}`;
  } catch {
    /* not a URL */
  }
  return `Cannot reach ${where}: ${text.split("\n")[0]}`;
}
