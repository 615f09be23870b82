// Renders the SQL that creates prisma/schema.prisma from an empty database, using Prisma's schema engine in its
// WebAssembly build (the native engine cannot be downloaded on these machines). Used to author migrations
// (`npm run db:schema-sql`) and by the drift test that proves the migrations build exactly this schema.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

interface WasmEngine {
  diff(params: unknown): Promise<{ stdout: string | null }>;
}

export const SCHEMA_PATH = path.join(process.cwd(), "prisma", "schema.prisma");

/** `url` is any reachable PostgreSQL database: the engine needs an adapter but reads nothing from it here. */
export async function schemaSql(url: string, schema = fs.readFileSync(SCHEMA_PATH, "utf8")): Promise<string> {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
  const glue = await import(path.join(dir, "schema_engine_bg.js"));
  const wasm = new WebAssembly.Module(fs.readFileSync(path.join(dir, "schema_engine_bg.wasm")));
  const instance = new WebAssembly.Instance(wasm, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  const factory = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString: url }));
  const engine: WasmEngine = await glue.SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => {}, factory);
  const result = await engine.diff({
    from: { tag: "empty" },
    to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  return result.stdout ?? "";
}
