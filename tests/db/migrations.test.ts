import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withDatabase } from "@/lib/db/embedded";
import { migrate, readMigrations } from "@/lib/db/migrate";
import { schemaSql } from "@/lib/db/schema-sql";
import { dropDatabase } from "../support/test-database";

const serverUrl = inject("pgServerUrl");
const created: string[] = [];

async function freshDatabase(label: string): Promise<string> {
  const name = `trialbridge_mig_${label}_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(serverUrl, name);
  created.push(url);
  return url;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Tables, columns, enums, indexes and constraints as the catalogs describe them. */
async function catalog(url: string) {
  const columns = await query(
    url,
    `
    SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
     ORDER BY table_name, column_name`,
  );
  const enums = await query(
    url,
    `
    SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname`,
  );
  const indexes = await query(
    url,
    `
    SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`,
  );
  const constraints = await query(
    url,
    `
    SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS def
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'
     ORDER BY 1, 2`,
  );
  return { columns, enums, indexes, constraints };
}

afterAll(async () => {
  for (const url of created) await dropDatabase(serverUrl, url);
});

describe("migrations", () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase("apply");
  });

  it("apply in order, record Prisma's bookkeeping, and are idempotent", async () => {
    const migrations = readMigrations();
    expect(await migrate(url)).toEqual(migrations.map((m) => m.name));
    expect(await migrate(url)).toEqual([]);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(migrations.map((m) => [m.name, m.checksum]));
    expect(rows.every((r) => r.finished_at !== null && r.applied_steps_count === 1)).toBe(true);
  });

  it("refuses to continue when an applied migration was edited", async () => {
    const [first, ...rest] = readMigrations();
    const edited = [{ ...first!, checksum: "0".repeat(64) }, ...rest];
    await expect(migrate(url, edited)).rejects.toThrow(/changed after it was applied/);
  });

  it("leave nothing behind when a migration fails", async () => {
    const broken = await freshDatabase("broken");
    const bad = { name: "29990101000000_broken", sql: `CREATE TABLE "Half" (id int); SELECT * FROM "NoSuchTable";`, checksum: "x" };
    await expect(migrate(broken, [bad])).rejects.toThrow(/29990101000000_broken failed/);
    const tables = await query(broken, `SELECT 1 FROM information_schema.tables WHERE table_name = 'Half'`);
    const recorded = await query(broken, `SELECT 1 FROM "_prisma_migrations"`);
    expect(tables).toHaveLength(0);
    expect(recorded).toHaveLength(0);
  });

  it("build exactly the schema that prisma/schema.prisma describes", async () => {
    const fromSchema = await freshDatabase("schema");
    const sql = await schemaSql(fromSchema);
    expect(sql).toContain('CREATE TABLE "Participant"');
    await query(fromSchema, sql);
    expect(await catalog(url)).toEqual(await catalog(fromSchema));
  });

  it("make the audit trail, event log and status history append-only, and participants undeletable", async () => {
    await query(url, `INSERT INTO "AuditEvent" (action, "entityType") VALUES ('test', 'Test')`);
    await expect(query(url, `UPDATE "AuditEvent" SET action = 'changed'`)).rejects.toThrow(/append-only/);
    await expect(query(url, `DELETE FROM "AuditEvent"`)).rejects.toThrow(/append-only/);
    await expect(query(url, `TRUNCATE "AuditEvent"`)).rejects.toThrow(/append-only/);
    await query(url, `INSERT INTO "EnrolmentEvent" ("trialId", type, payload) VALUES ('t', 'enrolment', '{}')`);
    await expect(query(url, `DELETE FROM "EnrolmentEvent"`)).rejects.toThrow(/append-only/);
  });
});
