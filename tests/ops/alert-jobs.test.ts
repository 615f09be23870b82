// Time-based alert checks on the job queue with two app instances on one database (issue 18): every period's check
// runs once, and a check whose instance is killed (SIGKILL) while it holds the rule's lock is run again by the other
// instance once the queue takes the job for dead, still once: every period checked exactly once, every silence told
// once. The check's hold (ALERT_CHECK_HOLD_MS) gives the test a moment to kill it mid-run.
import { spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@/lib/db/migrate";
import { createPrismaClient, type Db } from "@/lib/db/prisma";
import { DEMO_ACCOUNTS, seedDemo } from "../../prisma/seed";
import { buildIsCurrent, NEXT_BIN, startNext } from "../../scripts/lib/build";
import { freePort, waitForHealth } from "../support/http";
import { createDatabaseFromTemplate, ensureTemplate, startTestServer, type TestServer } from "../support/test-database";

const PERIOD_SECONDS = 6;
let server: TestServer;
let url: string;
let db: Db;
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-jobs-keys-"));
const apps = new Map<string, ChildProcess>();

async function startApp(name: string) {
  const port = await freePort();
  const named = `${url}${url.includes("?") ? "&" : "?"}application_name=${name}`;
  const child = startNext(
    port,
    {
      DATABASE_URL: named,
      AUTH_SECRET: "jobs-test-secret-that-is-long-enough",
      NODE_KEY_FILE: path.join(keyDir, "keys.json"),
      DB_POOL_SIZE: "5",
      ALERT_SWEEP_SECONDS: "1",
      ALERT_CHECK_PERIOD_SECONDS: String(PERIOD_SECONDS),
      ALERT_CHECK_HOLD_MS: "2500",
      JOB_EXPIRE_SECONDS: "8",
      JOB_SUPERVISE_SECONDS: "2",
    },
    "ignore",
  );
  apps.set(name, child);
  await waitForHealth(`http://localhost:${port}`, 60_000);
}

/** The check of `ruleId` mid-run now: its one running job, and the instance whose connection holds the rule's lock. */
async function midRun(ruleId: string): Promise<{ name: string; jobId: string; period: string } | null> {
  const running = () => db.$queryRaw<{ id: string; period: string }[]>`
    SELECT id::text AS id, data->>'period' AS period FROM pgboss.job
     WHERE name = 'alert-check' AND state = 'active' AND data->>'ruleId' = ${ruleId}`;
  const before = await running();
  const holders = await db.$queryRaw<{ name: string }[]>`
    SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = hashtext('alert-check')::oid AND l.objid = hashtext(${ruleId})::oid
       AND a.application_name LIKE 'instance-%'`;
  const after = await running();
  // One job running before and after the look at the lock, so the lock is that job's (a late check of the last
  // period can be running beside this period's, which waits for the lock).
  if (holders.length !== 1 || before.length !== 1 || after.length !== 1 || before[0]!.id !== after[0]!.id) return null;
  return { name: holders[0]!.name, jobId: before[0]!.id, period: before[0]!.period };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  if (!buildIsCurrent()) {
    const build = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
  }
  server = await startTestServer();
  url = await createDatabaseFromTemplate(server.url, await ensureTemplate(server.url), "trialbridge_jobs");
  await migrate(url);
  db = createPrismaClient(url, 4);
  await seedDemo(db);
});

afterAll(async () => {
  for (const child of apps.values()) if (child.exitCode === null) child.kill("SIGKILL");
  await db?.$disconnect();
  await server?.stop();
  fs.rmSync(keyDir, { recursive: true, force: true });
});

describe("a time-based alert rule with two instances", () => {
  it("is checked once a period, and again after the instance checking it is killed mid-run", async () => {
    await startApp("instance-a");
    await startApp("instance-b");
    const trial = await db.trial.findUniqueOrThrow({ where: { code: "TB-201" }, select: { id: true } });
    const investigator = await db.user.findUniqueOrThrow({ where: { email: DEMO_ACCOUNTS.investigator }, select: { id: true } });
    const rule = await db.alertRule.create({
      data: { trialId: trial.id, kind: "SITE_SILENT", days: 1, roles: ["INVESTIGATOR"], createdById: investigator.id },
      select: { id: true },
    });

    // Wait for a check to be mid-run, and kill the instance running it.
    let killed: { name: string; jobId: string; period: string } | null = null;
    for (let i = 0; i < 200 && !killed; i++) {
      killed = await midRun(rule.id);
      if (killed) apps.get(killed.name)!.kill("SIGKILL");
      else await sleep(100);
    }
    expect(killed, "a check was seen mid-run").not.toBeNull();
    const periodsBefore = await db.alertCheck.findMany({ where: { ruleId: rule.id }, select: { period: true } });
    expect(periodsBefore.map((p) => p.period)).not.toContain(killed!.period); // the killed check left nothing

    // The survivor runs it again once the queue takes the job for dead (8 s), and goes on checking new periods.
    await expect
      .poll(async () => (await db.alertCheck.findMany({ where: { ruleId: rule.id }, select: { period: true } })).map((p) => p.period), {
        timeout: 60_000,
        interval: 500,
      })
      .toContain(killed!.period);
    await sleep(PERIOD_SECONDS * 2 * 1000);
    const checks = await db.alertCheck.findMany({ where: { ruleId: rule.id }, orderBy: { period: "asc" }, select: { period: true, told: true } });
    const periods = checks.map((c) => c.period);
    expect(new Set(periods).size).toBe(periods.length); // once each
    expect(periods.length).toBeGreaterThanOrEqual(3);
    // The demo's silent sites are told at the first check, once; later checks find them told.
    const notifications = await db.notification.findMany({ where: { ruleId: rule.id }, select: { userId: true, occasion: true } });
    expect(notifications.length).toBeGreaterThan(0);
    expect(new Set(notifications.map((n) => `${n.userId} ${n.occasion}`)).size).toBe(notifications.length);
    expect(checks.reduce((sum, c) => sum + c.told, 0)).toBe(notifications.length);
    // The killed check's own job was retried: the queue took it for dead and ran it again (it may be archived).
    const retried = await db.$queryRaw<{ retries: number }[]>`
      SELECT retry_count AS retries FROM pgboss.job WHERE id = ${killed!.jobId}::uuid
      UNION ALL SELECT retry_count FROM pgboss.archive WHERE id = ${killed!.jobId}::uuid`;
    expect(retried.map((r) => r.retries)).toEqual([expect.any(Number)]);
    expect(retried[0]!.retries).toBeGreaterThanOrEqual(1);
  });
});
