// Each test file gets its own database, copied from the migrated template, before any app module reads the env.
import { afterAll, inject } from "vitest";
import { createDatabaseFromTemplate, dropDatabase } from "../support/test-database";

const serverUrl = inject("pgServerUrl");
const url = await createDatabaseFromTemplate(serverUrl, inject("pgTemplate"));
process.env.DATABASE_URL = url;
process.env.AUTH_SECRET = "test-secret-that-is-long-enough-for-the-schema";

afterAll(async () => {
  const { db } = await import("@/lib/db/client");
  const { closeStreamPool } = await import("@/lib/db/stream-pool");
  await db().$disconnect();
  await closeStreamPool();
  await dropDatabase(serverUrl, url);
});
