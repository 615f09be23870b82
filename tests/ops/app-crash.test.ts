// Nothing acknowledged is ever lost: API clients register patients concurrently with Idempotency-Keys, the app server
// is killed with SIGKILL in the middle of the load and started again, and the clients retry whatever was not
// acknowledged with the same key. Afterwards every acknowledged write is there, no key made two participants, the
// kept counts equal a recount and the audit trail verifies.
import { spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sealAll } from "@/lib/audit/seal";
import { verifyAuditChain } from "@/lib/audit/verify";
import { migrate } from "@/lib/db/migrate";
import { createPrismaClient, type Db } from "@/lib/db/prisma";
import { compare, keptTallies, recount } from "@/lib/enrolment/tally";
import { seedDemo } from "../../prisma/seed";
import { buildIsCurrent, NEXT_BIN, startNext } from "../../scripts/lib/build";
import { api, freePort, signIn, waitForHealth } from "../support/http";
import { createDatabaseFromTemplate, ensureTemplate, startTestServer, type TestServer } from "../support/test-database";

const CLIENTS = 8;
const PER_CLIENT = 20;
let server: TestServer;
let url: string;
let db: Db;
let port: number;
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-crash-keys-"));
const apps: ChildProcess[] = [];

function startApp(): ChildProcess {
  const secret = "crash-test-secret-that-is-long-enough";
  const child = startNext(port, { DATABASE_URL: url, AUTH_SECRET: secret, NODE_KEY_FILE: path.join(keyDir, "keys.json"), DB_POOL_SIZE: "10" }, "ignore");
  apps.push(child);
  return child;
}

beforeAll(async () => {
  if (!buildIsCurrent()) {
    const build = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
  }
  server = await startTestServer();
  url = await createDatabaseFromTemplate(server.url, await ensureTemplate(server.url), "trialbridge_crash");
  await migrate(url);
  db = createPrismaClient(url, 4);
  await seedDemo(db);
  port = await freePort();
});

afterAll(async () => {
  for (const child of apps) if (child.exitCode === null) child.kill("SIGKILL");
  await db?.$disconnect();
  await server?.stop();
  fs.rmSync(keyDir, { recursive: true, force: true });
});

describe("an app server killed mid-load", () => {
  it("loses nothing it acknowledged, and no retried key makes two participants", async () => {
    let app = startApp();
    const base = `http://localhost:${port}`;
    await waitForHealth(base, 60_000);
    const cookie = await signIn(base, "coordinator.us@example.org");
    const trial = (await api<{ items: { id: string; code: string }[] }>(base, cookie, "/api/v1/trials")).body.items.find((t) => t.code === "TB-201")!;
    const siteId = (await api<{ items: { siteId: string }[] }>(base, cookie, `/api/v1/trials/${trial.id}/participants?limit=1`)).body.items[0]!.siteId;
    const before = await db.participant.count({ where: { trialId: trial.id } });

    const acknowledged = new Map<string, string>(); // key -> participant id
    let retries = 0;
    const register = async (key: string) => {
      for (;;) {
        try {
          const answer = await api<{ id: string }>(base, cookie, `/api/v1/trials/${trial.id}/participants`, {
            method: "POST",
            headers: { "Idempotency-Key": key },
            body: {
              siteId,
              screeningDate: new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10),
              ageAtScreening: 52,
              sex: "male",
              results: [{ subtype: "EGFR L858R", result: "detected", method: "NGS_PLASMA" }],
            },
          });
          if (answer.status === 201 || answer.status === 200) return answer.body.id;
          if (answer.status < 500) throw new Error(`refused: ${answer.status} ${JSON.stringify(answer.body)}`);
        } catch (error) {
          if (error instanceof Error && error.message.startsWith("refused")) throw error;
        }
        retries++;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const load = Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let n = 0; n < PER_CLIENT; n++) {
          const key = randomUUID();
          acknowledged.set(key, await register(key));
        }
      }),
    );
    while (acknowledged.size < CLIENTS * 3) await new Promise((r) => setTimeout(r, 20));
    app.kill("SIGKILL");
    await new Promise((r) => app.once("exit", r));
    const atKill = acknowledged.size;
    await new Promise((r) => setTimeout(r, 500));
    app = startApp();
    await load;

    expect(atKill).toBeLessThan(CLIENTS * PER_CLIENT);
    expect(retries).toBeGreaterThan(0);
    expect(acknowledged.size).toBe(CLIENTS * PER_CLIENT);
    const ids = [...acknowledged.values()];
    expect(new Set(ids).size).toBe(ids.length);
    expect(await db.participant.count({ where: { id: { in: ids } } })).toBe(ids.length);
    // Exactly one participant per key: nothing was written twice by a retry.
    expect(await db.participant.count({ where: { trialId: trial.id } })).toBe(before + CLIENTS * PER_CLIENT);
    expect(await db.idempotencyKey.count({ where: { key: { in: [...acknowledged.keys()] } } })).toBe(CLIENTS * PER_CLIENT);
    expect(compare(await keptTallies(db, trial.id), await recount(db, trial.id))).toEqual([]);
    expect(await db.auditEvent.count({ where: { action: "participant.create", entityId: { in: ids } } })).toBe(ids.length);
    await sealAll(db);
    expect((await verifyAuditChain(db)).broken).toBeNull();
  }, 300_000);
});
