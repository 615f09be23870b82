// The app as the browser tests see it: a fresh embedded PostgreSQL (or a fresh database on TEST_DATABASE_URL's
// server), migrated and seeded with the demo data, and a production build served by `next start`.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { hashPassword } from "@/lib/auth/password";
import { migrate } from "@/lib/db/migrate";
import { createPrismaClient } from "@/lib/db/prisma";
import { seedDemo } from "../../prisma/seed";
import { buildIsCurrent, NEXT_BIN, startNext } from "../../scripts/lib/build";
import { createDatabaseFromTemplate, dropDatabase, ensureTemplate, startTestServer } from "../support/test-database";

const port = process.env.E2E_PORT ?? "3100";
export const DATABASE_URL_FILE = "test-results/e2e-database-url.txt";

async function main() {
  if (!buildIsCurrent()) {
    const build = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit" });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  const server = await startTestServer();
  const url = await createDatabaseFromTemplate(server.url, await ensureTemplate(server.url), "trialbridge_e2e");
  await migrate(url);
  const db = createPrismaClient(url, 2);
  await seedDemo(db);
  // An account of the tests' own, which the throttling test may lock without disturbing the demo accounts' tests.
  await db.user.create({ data: { email: "throttle.test@example.org", displayName: "Throttle Test", passwordHash: await hashPassword("trialbridge-demo") } });
  await db.user.create({ data: { email: "burst.test@example.org", displayName: "Burst Test", passwordHash: await hashPassword("trialbridge-demo") } });
  await db.user.create({ data: { email: "password.test@example.org", displayName: "Password Test", passwordHash: await hashPassword("trialbridge-demo") } });
  // An investigator whose live stream the tests end by deactivating them.
  const watcher = await db.user.create({
    data: { email: "stream.test@example.org", displayName: "Stream Test", passwordHash: await hashPassword("trialbridge-demo") },
  });
  const tb305 = await db.trial.findUniqueOrThrow({ where: { code: "TB-305" }, select: { id: true } });
  await db.membership.create({ data: { userId: watcher.id, trialId: tb305.id, role: "INVESTIGATOR" } });
  // A coordinator for the instance that requires two-step sign-in of coordinators.
  const required = await db.user.create({
    data: { email: "totp.required@example.org", displayName: "Required Test", passwordHash: await hashPassword("trialbridge-demo") },
  });
  const tb201 = await db.trial.findUniqueOrThrow({ where: { code: "TB-201" }, select: { id: true, trialSites: { take: 1, select: { siteId: true } } } });
  await db.membership.create({ data: { userId: required.id, trialId: tb201.id, siteId: tb201.trialSites[0]!.siteId, role: "COORDINATOR" } });
  // A coordinator at the US demo site whom only the API fuzz test uses.
  const fuzzer = await db.user.create({
    data: { email: "fuzz.test@example.org", displayName: "Fuzz Test", passwordHash: await hashPassword("trialbridge-demo") },
  });
  const bos = await db.site.findUniqueOrThrow({ where: { code: "US-BOS1" }, select: { id: true } });
  await db.membership.create({ data: { userId: fuzzer.id, trialId: tb201.id, siteId: bos.id, role: "COORDINATOR" } });
  // Tests that need to age a session read the database URL from here.
  fs.mkdirSync("test-results", { recursive: true });
  fs.writeFileSync(DATABASE_URL_FILE, url);
  await db.$disconnect();

  // Two stateless instances on one database, as behind a load balancer: the second serves the multi-instance test.
  const secret = "e2e-secret-that-is-long-enough-for-the-schema";
  const keyFile = "test-results/e2e-node-keys.json"; // one deployment: every instance shares the key file
  fs.rmSync(keyFile, { force: true });
  const instance = (p: string, extra: Record<string, string> = {}) =>
    startNext(
      p,
      {
        DATABASE_URL: url,
        AUTH_SECRET: secret,
        DB_POOL_SIZE: "5",
        NODE_KEY_FILE: keyFile,
        AUDIT_CHECKPOINT_SECONDS: "5",
        LIVE_HEARTBEAT_SECONDS: "2",
        // Alerts reaching out (tests/e2e/alerts-out.spec.ts): digests to the SMTP receiver that test starts on this
        // port, webhooks to its receivers on this machine, retried after 1 s, 2 s, 4 s...
        SMTP_URL: "smtp://127.0.0.1:3125",
        WEBHOOKS_ALLOW_PRIVATE: "true",
        WEBHOOK_RETRY_DELAY_SECONDS: "1",
        ...extra,
      },
      "inherit",
    );
  // A third, set to require two-step sign-in of coordinators (the deployment setting's test).
  const apps = [instance(port), instance(String(Number(port) + 1)), instance(String(Number(port) + 2), { TOTP_REQUIRED_ROLES: "coordinator" })];
  const stop = async () => {
    for (const child of apps) {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((resolve) => child.once("exit", resolve));
      }
    }
    await dropDatabase(server.url, url).catch(() => {});
    await server.stop();
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop());
  for (const child of apps) child.on("exit", () => void stop());
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
