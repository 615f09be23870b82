// The demo as a user runs it (`npm run demo` on a data folder of the test's own), and what the README tells that
// user to run beside it: the verification commands while it serves, an online backup, the embedded PostgreSQL
// killed with SIGKILL (the demo brings it back by itself: crash recovery, nothing to clear by hand), and the backup
// restored into a fresh data folder that then serves the same data.
import { spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveDataDir } from "@/lib/db/embedded";
import { DEMO_ACCOUNTS } from "../../prisma/demo/accounts";
import { alive, startDemoProcess, stopDemoProcess } from "../support/demo-process";
import { api, signIn } from "../support/http";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-ops-"));
fs.chmodSync(root, 0o755);
const running: ChildProcess[] = [];

afterAll(async () => {
  await Promise.all(running.filter(alive).map(stop));
  fs.rmSync(root, { recursive: true, force: true });
});

function npm(dataDir: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, TRIALBRIDGE_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const run = spawnSync("npm", ["run", "--silent", ...args], { env, encoding: "utf8", timeout: 120_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const startDemo = (dataDir: string) => startDemoProcess(dataDir, running, {}, 300_000);
const stop = stopDemoProcess;

interface Trial {
  id: string;
  code: string;
}

describe("the demo, its commands and its data", () => {
  const first = path.join(root, "first");
  const second = path.join(root, "second");
  const backup = path.join(root, "trialbridge.backup.gz");
  let acknowledged: string[] = [];
  let beforeBackup = 0;

  it("serves, and the verification commands work beside it", async () => {
    const demo = await startDemo(first);
    const verify = npm(first, "audit:verify");
    expect(verify).toMatchObject({ status: 0, output: expect.stringContaining("The audit trail is intact") });
    expect(npm(first, "db:verify")).toMatchObject({ status: 0, output: expect.stringContaining("kept counts equal the recount") });

    const cookie = await signIn(demo.base, DEMO_ACCOUNTS.coordinatorUs);
    const trials = (await api<{ items: Trial[] }>(demo.base, cookie, "/api/v1/trials")).body.items;
    const trial = trials.find((t) => t.code === "TB-201")!;
    const mine = await api<{ items: { siteId: string }[] }>(demo.base, cookie, `/api/v1/trials/${trial.id}/participants?limit=1`);
    const siteId = mine.body.items[0]!.siteId;
    const register = (key: string) =>
      api<{ id: string }>(demo.base, cookie, `/api/v1/trials/${trial.id}/participants`, {
        method: "POST",
        headers: { "Idempotency-Key": key },
        body: {
          siteId,
          screeningDate: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10),
          ageAtScreening: 63,
          sex: "female",
          results: [{ subtype: "KRAS G12C", result: "detected", method: "PCR" }],
        },
      });
    const total = async () => (await api<{ total: number }>(demo.base, cookie, `/api/v1/trials/${trial.id}/participants?limit=1`)).body.total;
    for (let i = 0; i < 5; i++) acknowledged.push((await register(randomUUID())).body.id);
    beforeBackup = await total();

    const backedUp = npm(first, "db:backup", "--", backup);
    expect(backedUp).toMatchObject({ status: 0, output: expect.stringContaining("Backed up") });
    for (let i = 0; i < 3; i++) acknowledged.push((await register(randomUUID())).body.id);

    // The database dies the hardest way; the demo starts it again and the app reconnects.
    const pidFile = path.join(resolveDataDir(path.join(first, "postgres")), "postmaster.pid");
    const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
    process.kill(pid, "SIGKILL");
    const key = randomUUID();
    const statuses: number[] = [];
    let answer = await register(key).catch(() => ({ status: 0, body: { id: "" } }));
    statuses.push(answer.status);
    const deadline = Date.now() + 90_000;
    while (answer.status !== 201 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      answer = await register(key).catch(() => ({ status: 0, body: { id: "" } })); // retried with the same key
      statuses.push(answer.status);
    }
    expect(answer.status, demo.log()).toBe(201);
    expect(
      statuses,
      demo
        .log()
        .split("\n")
        .filter((l) => /Unhandled|rror/.test(l))
        .join("\n"),
    ).not.toContain(500); // while the database is away: 503 with Retry-After, never a 500
    acknowledged.push(answer.body.id);
    expect(alive(demo.child)).toBe(true);
    expect(demo.log()).toContain("stopped unexpectedly");
    const after = (await api<{ items: { id: string }[] }>(demo.base, cookie, `/api/v1/trials/${trial.id}/participants?limit=200`)).body.items.map((p) => p.id);
    expect(acknowledged.filter((id) => !after.includes(id))).toEqual([]);
    expect(npm(first, "audit:verify")).toMatchObject({ status: 0 });
    expect(npm(first, "db:verify")).toMatchObject({ status: 0 });
    await stop(demo.child);
    acknowledged = acknowledged.slice(0, 5);
  }, 600_000);

  it("says in one line when there is no database to reach", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: "postgresql://nobody:x@127.0.0.1:1/none" };
    for (const command of ["audit:verify", "db:verify"]) {
      const run = spawnSync("npm", ["run", "--silent", command], { env, encoding: "utf8", timeout: 60_000 });
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(/^Cannot reach the database at 127\.0\.0\.1:1/);
    }
  });

  it("restores the backup into a fresh data folder, which then serves what was backed up", async () => {
    const restored = npm(second, "db:restore", "--", backup);
    expect(restored).toMatchObject({ status: 0, output: expect.stringContaining("Restored") });
    expect(npm(second, "db:restore", "--", backup)).toMatchObject({ status: 1, output: expect.stringContaining("already holds data") });
    const demo = await startDemo(second);
    expect(demo.log()).toContain("already holds data");
    const cookie = await signIn(demo.base, DEMO_ACCOUNTS.coordinatorUs);
    const trial = (await api<{ items: Trial[] }>(demo.base, cookie, "/api/v1/trials")).body.items.find((t) => t.code === "TB-201")!;
    const list = await api<{ total: number; items: { id: string }[] }>(demo.base, cookie, `/api/v1/trials/${trial.id}/participants?limit=200`);
    expect(list.body.total).toBe(beforeBackup);
    expect(acknowledged.every((id) => list.body.items.some((p) => p.id === id))).toBe(true);
    expect(npm(second, "audit:verify")).toMatchObject({ status: 0, output: expect.stringContaining("intact") });
    expect(npm(second, "db:verify")).toMatchObject({ status: 0 });
    await stop(demo.child);
  }, 600_000);
});
