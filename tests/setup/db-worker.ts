// Each test file gets its own database, copied from the migrated template, before any app module reads the env.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";
import { createDatabaseFromTemplate, dropDatabase } from "../support/test-database";

const serverUrl = inject("pgServerUrl");
const url = await createDatabaseFromTemplate(serverUrl, inject("pgTemplate"));
process.env.DATABASE_URL = url;
process.env.AUTH_SECRET = "test-secret-that-is-long-enough-for-the-schema";
// The deployment's signing keys live outside the database: here, in a folder of this test file's own.
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-test-keys-"));
process.env.NODE_KEY_FILE = path.join(keyDir, "node-keys.json");

afterAll(async () => {
  const { db } = await import("@/lib/db/client");
  const { closeStreamPool } = await import("@/lib/db/stream-pool");
  await db().$disconnect();
  await closeStreamPool();
  await dropDatabase(serverUrl, url);
  fs.rmSync(keyDir, { recursive: true, force: true });
});
