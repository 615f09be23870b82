// Logical backup and restore, for the embedded PostgreSQL (whose package ships no pg_dump) and for any server.
//
// A backup is one consistent snapshot (a REPEATABLE READ, READ ONLY transaction: taken online, beside a running app)
// of every table, written with COPY in PostgreSQL's text format into one gzip file: a JSON header line (format,
// migrations applied, tables in foreign-key order, row counts), then per table a `COPY` block ended by `\.`, as
// pg_dump's plain format writes its data. A restore goes into an empty database only: it applies the backup's own
// migrations, loads the tables parents first (no superuser needed, every constraint checked), moves each id
// sequence past its rows, checks the row counts against the header, then applies any newer migrations of this code.
// The deployment's signing keys and AUTH_SECRET are not in the database, so not in the backup: keep them apart.
import fs from "node:fs";
import readline from "node:readline";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { migrate, readMigrations } from "./migrate";

const FORMAT = "trialbridge-backup/1";

interface Header {
  format: typeof FORMAT;
  createdAt: string;
  migrations: string[];
  tables: { name: string; columns: string[]; rows: number }[];
}

const q = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** Tables of the public schema, parents before children (foreign keys), the migrations' bookkeeping left out. */
async function tablesInOrder(client: pg.Client): Promise<{ name: string; columns: string[] }[]> {
  const tables = (
    await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY 1`,
    )
  ).rows.map((r) => r.name);
  const edges = (
    await client.query<{ child: string; parent: string }>(`
    SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
      FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`)
  ).rows.map((e) => ({ child: e.child.replace(/"/g, ""), parent: e.parent.replace(/"/g, "") }));
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (ordered.includes(t) || visiting.has(t)) return;
    visiting.add(t);
    for (const e of edges) if (e.child === t && e.parent !== t) visit(e.parent);
    ordered.push(t);
  };
  tables.forEach(visit);
  const out = [];
  for (const name of ordered) {
    const columns = (
      await client.query<{ c: string }>(
        `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
        [name],
      )
    ).rows.map((r) => r.c);
    out.push({ name, columns });
  }
  return out;
}

/** Writes a consistent online backup of the database at `url` to `file`; returns its header. */
export async function backupDatabase(url: string, file: string): Promise<Header> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const temp = `${file}.partial`;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const migrations = (
      await client.query<{ name: string }>(
        `SELECT migration_name AS name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1`,
      )
    ).rows.map((r) => r.name);
    const tables = [];
    for (const t of await tablesInOrder(client)) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${q(t.name)}`);
      tables.push({ ...t, rows: Number(rows[0]!.n) });
    }
    const header: Header = { format: FORMAT, createdAt: new Date().toISOString(), migrations, tables };
    const gzip = createGzip();
    const out = fs.createWriteStream(temp, { mode: 0o600 });
    const done = pipeline(gzip, out);
    gzip.write(`${JSON.stringify(header)}\n`);
    for (const t of tables) {
      gzip.write(`COPY ${q(t.name)} (${t.columns.map(q).join(", ")}) FROM stdin;\n`);
      const stream = client.query(copyTo(`COPY ${q(t.name)} (${t.columns.map(q).join(", ")}) TO STDOUT`));
      for await (const chunk of stream) if (!gzip.write(chunk)) await new Promise((r) => gzip.once("drain", r));
      gzip.write("\\.\n");
    }
    gzip.end();
    await done;
    await client.query("COMMIT");
    fs.renameSync(temp, file);
    return header;
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  } finally {
    await client.end();
  }
}

export class RestoreRefused extends Error {}

/** Restores `file` into the empty database at `url`; returns the header and how many rows went into each table. */
export async function restoreDatabase(url: string, file: string): Promise<Header> {
  if (!fs.existsSync(file)) throw new RestoreRefused(`${file} does not exist.`);
  const input = fs.createReadStream(file).pipe(createGunzip());
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  const iterator = lines[Symbol.asyncIterator]();
  let header: Header;
  try {
    const first = await iterator.next();
    header = JSON.parse(first.value ?? "") as Header;
  } catch {
    throw new RestoreRefused(`${file} is not a TrialBridge backup (npm run db:backup writes one).`);
  }
  if (header.format !== FORMAT) throw new RestoreRefused(`${file} is not a TrialBridge backup (format ${String(header.format)}).`);
  const known = readMigrations();
  const unknown = header.migrations.filter((m) => !known.some((k) => k.name === m));
  if (unknown.length)
    throw new RestoreRefused(`The backup comes from a newer TrialBridge (migrations ${unknown.join(", ")} are unknown here): restore it with that version.`);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const existing = await client.query(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT IN ('_prisma_migrations') LIMIT 1`,
    );
    if (existing.rowCount) {
      const data = await client.query(`SELECT 1 FROM "Trial" LIMIT 1`).catch(() => ({ rowCount: 0 }));
      const users = await client.query(`SELECT 1 FROM "User" LIMIT 1`).catch(() => ({ rowCount: 0 }));
      if (data.rowCount || users.rowCount)
        throw new RestoreRefused("The target database already holds data: restore into an empty database (a fresh data folder).");
    }
    await migrate(
      url,
      known.filter((m) => header.migrations.includes(m.name)),
    );
    await client.query("BEGIN");
    for (const table of header.tables) {
      const statement = await iterator.next();
      const expected = `COPY ${q(table.name)} (${table.columns.map(q).join(", ")}) FROM stdin;`;
      if (statement.done || statement.value !== expected) throw new RestoreRefused(`The backup is damaged near table ${table.name}.`);
      const data = new PassThrough();
      const load = pipeline(data, client.query(copyFrom(`COPY ${q(table.name)} (${table.columns.map(q).join(", ")}) FROM STDIN`)));
      for (;;) {
        const line = await iterator.next();
        if (line.done) throw new RestoreRefused(`The backup ends inside table ${table.name}: it is incomplete.`);
        if (line.value === "\\.") break;
        if (!data.write(`${line.value}\n`)) await new Promise((r) => data.once("drain", r));
      }
      data.end();
      await load;
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${q(table.name)}`);
      if (Number(rows[0]!.n) !== table.rows) throw new RestoreRefused(`Table ${table.name}: ${rows[0]!.n} rows restored, the backup says ${table.rows}.`);
    }
    // Identity and serial columns continue after the restored rows.
    const serials = await client.query<{ t: string; c: string; s: string }>(`
      SELECT table_name AS t, column_name AS c, pg_get_serial_sequence(quote_ident(table_name), column_name) AS s
        FROM information_schema.columns WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'`);
    for (const { t, c, s } of serials.rows) {
      if (s) await client.query(`SELECT setval($1, GREATEST((SELECT max(${q(c)}) FROM ${q(t)}), 1), (SELECT max(${q(c)}) FROM ${q(t)}) IS NOT NULL)`, [s]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
    lines.close();
    input.destroy();
  }
  await migrate(url); // anything newer than the backup
  return header;
}
