// Two deployments of one trial, as a partnership runs them: a US node and a Chinese node, each a real app with its own
// embedded PostgreSQL, key file, demo accounts and only its own country's patients, paired with the command line,
// the Chinese node connecting through a relay that the test can cut. The thresholds are scaled down (a heartbeat each
// second, stale after eight) so that "cut for ten minutes" takes seconds; the behaviour is the same.
import { spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { chromium } from "@playwright/test";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runningEmbeddedPostgres, withDatabase } from "@/lib/db/embedded";
import { signSnapshot, snapshotHash, type Snapshot } from "@/lib/federation/snapshot";
import type { ForecastInputJson } from "@/lib/forecast/schema";
import { DEMO_ACCOUNTS } from "../../prisma/demo/accounts";
import { alive, startDemoProcess, stopDemoProcess } from "../support/demo-process";
import { api, freePort, signIn } from "../support/http";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-federation-"));
fs.chmodSync(root, 0o755);
const running: ChildProcess[] = [];

type Country = "US" | "CN";
interface Node {
  country: Country;
  dataDir: string;
  base: string;
  env: NodeJS.ProcessEnv;
  log: () => string;
  sql: pg.Client;
}

async function startNode(country: Country): Promise<Node> {
  const dataDir = path.join(root, country.toLowerCase());
  const { base, env, log } = await startDemoProcess(dataDir, running, {
    NODE_COUNTRY: country,
    NODE_ID: `trialbridge-${country.toLowerCase()}`,
    FEDERATION_SNAPSHOT_MS: "200",
    FEDERATION_HEARTBEAT_SECONDS: "1",
    FEDERATION_STALE_SECONDS: "8", // margin for a loaded machine: CI runs this beside the other suites
    FEDERATION_POLL_SECONDS: "2",
    AUDIT_CHECKPOINT_SECONDS: "1",
  });
  const server = runningEmbeddedPostgres(path.join(dataDir, "postgres"))!;
  const sql = new pg.Client({ connectionString: withDatabase(server.url, "trialbridge") });
  await sql.connect();
  return { country, dataDir, base, env, log, sql };
}

function command(node: Node, ...args: string[]) {
  const run = spawnSync("npm", ["run", "--silent", ...args], { env: node.env, encoding: "utf8", timeout: 120_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A TCP relay from the Chinese node to the US node that the test can cut (every connection dropped) and restore. */
async function relay(target: number) {
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    const upstream = net.connect(target, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    port,
    cut: () => {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => (cut = false),
    close: () => {
      for (const s of sockets) s.destroy(); // the Chinese node's keep-alive and long-poll connections
      return new Promise((r) => server.close(r));
    },
  };
}

let us: Node;
let cn: Node;
let link: Awaited<ReturnType<typeof relay>>;
let usAdmin: string;
let usInvestigator: string;
let cnInvestigator: string;
let cnCoordinator: string;
let usCoordinator: string;
const trials: Record<Country, string> = { US: "", CN: "" };

interface Summary {
  totals: { screened: number; enrolled: number };
  byCountry: Record<Country, { screened: number; enrolled: number }>;
  byCohort: { cohortId: string; code: string; target: number; enrolled: number; byCountry: Record<Country, number> }[];
  federation: { state: string; asOf: string | null; origin: string } | null;
}
const summary = async (node: Node, cookie: string) => (await api<Summary>(node.base, cookie, `/api/v1/trials/${trials[node.country]}/enrolment`)).body;

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await probe();
  }
  return last;
}

const cnOutbox = async (after: number) =>
  (await cn.sql.query<{ seq: number; jws: string }>(`SELECT "seq", "jws" FROM "FederationOutbox" WHERE "seq" > $1 ORDER BY "seq"`, [after])).rows;
const usPeer = async () =>
  (await us.sql.query<{ appliedSeq: number; rejection: string | null }>(`SELECT "appliedSeq", "rejection" FROM "FederationPeer"`)).rows[0]!;
const push = (jws: string[]) =>
  fetch(`${us.base}/api/federation/v1/snapshots`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ snapshots: jws }),
  });

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

async function registerAtCn(subtype = "KRAS G12C") {
  return registerAt(cn, cnCoordinator, subtype);
}

async function registerAt(node: Node, cookie: string, subtype = "KRAS G12C") {
  const trial = trials[node.country];
  const sites = await api<{ items: { siteId: string }[] }>(node.base, cookie, `/api/v1/trials/${trial}/participants?limit=1`);
  const response = await api<{ id: string; version: number; screeningNumber: string }>(node.base, cookie, `/api/v1/trials/${trial}/participants`, {
    method: "POST",
    headers: { "Idempotency-Key": randomUUID() },
    body: {
      siteId: sites.body.items[0]!.siteId,
      screeningDate: daysAgo(3),
      ageAtScreening: 58,
      sex: "male",
      results: [{ subtype, result: "detected", method: "NGS_TISSUE" }],
    },
  });
  expect(response.status).toBe(201);
  return response.body;
}

beforeAll(async () => {
  us = await startNode("US"); // first: it builds the app if the build is not current
  cn = await startNode("CN");
  link = await relay(Number(new URL(us.base).port));
  const identities = { US: path.join(root, "us.json"), CN: path.join(root, "cn.json") };
  for (const node of [us, cn]) {
    const identity = command(node, "federation", "--", "identity");
    expect(identity.status, identity.output).toBe(0);
    fs.writeFileSync(identities[node.country], identity.output);
  }
  expect(command(us, "federation", "--", "pair", "--identity", identities.CN).status).toBe(0);
  const paired = command(cn, "federation", "--", "pair", "--identity", identities.US, "--url", `http://127.0.0.1:${link.port}`, "--connect");
  expect(paired, paired.output).toMatchObject({ status: 0, output: expect.stringContaining("this node connects") });

  usAdmin = await signIn(us.base, DEMO_ACCOUNTS.admin);
  usInvestigator = await signIn(us.base, DEMO_ACCOUNTS.investigator);
  cnInvestigator = await signIn(cn.base, DEMO_ACCOUNTS.investigator);
  cnCoordinator = await signIn(cn.base, DEMO_ACCOUNTS.coordinatorCn);
  usCoordinator = await signIn(us.base, DEMO_ACCOUNTS.coordinatorUs);
  for (const [node, cookie] of [
    [us, usInvestigator],
    [cn, cnInvestigator],
  ] as const) {
    const list = await api<{ items: { id: string; code: string }[] }>(node.base, cookie, "/api/v1/trials");
    trials[node.country] = list.body.items.find((t) => t.code === "TB-201")!.id;
  }
}, 900_000);

afterAll(async () => {
  await Promise.all([us?.sql.end(), cn?.sql.end(), link?.close()]);
  await Promise.all(running.filter(alive).map(stopDemoProcess));
  fs.rmSync(root, { recursive: true, force: true });
});

describe("two nodes, one trial", () => {
  it("exchange counts only: each side's totals are both sides' own, and no patient-level value ever crosses", async () => {
    // Planted in the Chinese node's patient rows: ids, screening numbers, and a free-text reason.
    const marker = `MARKER-${randomUUID()}`;
    const planted = await registerAtCn();
    const voided = await api(cn.base, cnCoordinator, `/api/v1/trials/${trials.CN}/participants/${planted.id}/void`, {
      method: "POST",
      body: { version: planted.version, reason: marker },
    });
    expect(voided.status).toBe(200);
    const kept = await registerAtCn();

    const own = async (node: Node) =>
      (
        await node.sql.query<{ screened: number }>(
          `SELECT count(*)::int AS screened FROM "Participant" p JOIN "Trial" t ON t."id" = p."trialId" WHERE t."code" = 'TB-201' AND p."voidedAt" IS NULL`,
        )
      ).rows[0]!.screened;
    const [usOwn, cnOwn] = [await own(us), await own(cn)];
    for (const [node, cookie] of [
      [us, usInvestigator],
      [cn, cnInvestigator],
    ] as const) {
      const s = await until(
        `${node.country} to show both sides`,
        () => summary(node, cookie),
        // (live too: a node still warming up on a loaded machine may be a heartbeat late at first)
        (s) => s.totals.screened === usOwn + cnOwn && s.federation?.state === "live",
      );
      expect(s.byCountry).toMatchObject({ US: { screened: usOwn }, CN: { screened: cnOwn } });
      expect(s.federation).toMatchObject({ state: "live" });
    }

    // The US database holds no Chinese patient row, and none of the planted values anywhere.
    const foreign = await us.sql.query(`SELECT count(*)::int AS n FROM "Participant" p JOIN "Site" s ON s."id" = p."siteId" WHERE s."country" = 'CN'`);
    expect(foreign.rows[0].n).toBe(0);
    const cnRows = await cn.sql.query<{ id: string; screeningNumber: string }>(`SELECT "id", "screeningNumber" FROM "Participant"`);
    const markers = [marker, ...cnRows.rows.flatMap((r) => [r.id, r.screeningNumber])];
    expect(markers).toContain(kept.screeningNumber);
    const backupFile = path.join(root, "us.backup.gz");
    expect(command(us, "db:backup", "--", backupFile)).toMatchObject({ status: 0 });
    const usBytes = zlib.gunzipSync(fs.readFileSync(backupFile)).toString("utf8");
    const payloads = [
      ...(await cn.sql.query<{ jws: string }>(`SELECT "jws" FROM "FederationOutbox"`)).rows,
      ...(await us.sql.query<{ jws: string }>(`SELECT "jws" FROM "FederationInbox"`)).rows,
    ].map((r) => `${r.jws}\n${Buffer.from(r.jws.split(".")[1]!, "base64url").toString("utf8")}`);
    expect(payloads.length).toBeGreaterThan(2);
    expect(usBytes).toContain("FederationInbox"); // the scan reads the whole database, the received snapshots with it
    for (const value of markers) {
      expect(usBytes.includes(value), `${value} in the US database`).toBe(false);
      expect(
        payloads.some((p) => p.includes(value)),
        `${value} in a payload`,
      ).toBe(false);
    }
  });

  it("one trial, one forecast: both nodes learn the same trend and delays from the same counts, month by month", async () => {
    type Live = { input: ForecastInputJson };
    const inputOf = async (node: Node, cookie: string) => {
      const live = (await api<Live>(node.base, cookie, `/api/v1/trials/${trials[node.country]}/forecast`)).body.input;
      return { ...live, sites: [...live.sites].sort((a, b) => a.id.localeCompare(b.id)) };
    };
    const [usInput, cnInput] = await until(
      "both nodes to forecast from the same counts",
      async () => [await inputOf(us, usInvestigator), await inputOf(cn, cnInvestigator)] as const,
      ([a, b]) => JSON.stringify(a.sites) === JSON.stringify(b.sites),
    );
    // Each side's sites carry their history by month, the peer's as well as its own (snapshot v2's site-month cells).
    for (const country of ["US", "CN"] as const) {
      const open = usInput.sites.filter((s) => s.country === country && s.observed && s.observed.screened > 0);
      expect(open.length).toBeGreaterThan(0);
      for (const site of open) expect(site.observed!.periods!.reduce((n, p) => n + p.screened, 0)).toBe(site.observed!.screened);
    }
    expect(usInput.rateModels).toBeDefined();
    expect(cnInput.rateModels).toEqual(usInput.rateModels);
    expect(cnInput.openingDelay).toEqual(usInput.openingDelay);
  });

  it("each node owns its own sites' facts: a Chinese site's planned rate set on the Chinese node reaches the US node", async () => {
    const rate = `SELECT ts."plannedScreeningRate" AS rate FROM "TrialSite" ts JOIN "Site" s ON s."id" = ts."siteId" JOIN "Trial" t ON t."id" = ts."trialId"
                   WHERE t."code" = 'TB-201' AND s."code" = 'CN-GZ1'`;
    await cn.sql.query(
      `UPDATE "TrialSite" SET "plannedScreeningRate" = 7.5 WHERE "id" IN (SELECT ts."id" FROM "TrialSite" ts JOIN "Site" s ON s."id" = ts."siteId"
         JOIN "Trial" t ON t."id" = ts."trialId" WHERE t."code" = 'TB-201' AND s."code" = 'CN-GZ1')`,
    ); // as the Chinese administrator's edit writes it
    await until(
      "the US copy",
      async () => (await us.sql.query<{ rate: number }>(rate)).rows[0]!.rate,
      (r) => r === 7.5,
      20_000,
    );
  });

  it("the owner's signed definition reaches the peer: a cohort renamed on the US node is renamed on the Chinese node", async () => {
    const name = `MET exon 14 skipping (${randomUUID().slice(0, 8)})`;
    await us.sql.query(`UPDATE "Cohort" SET "name" = $1 WHERE "code" = 'MET14' AND "trialId" = (SELECT "id" FROM "Trial" WHERE "code" = 'TB-201')`, [name]); // as the owner's edit writes it
    const cnName = async () =>
      (
        await cn.sql.query<{ name: string }>(
          `SELECT c."name" FROM "Cohort" c JOIN "Trial" t ON t."id" = c."trialId" WHERE t."code" = 'TB-201' AND c."code" = 'MET14'`,
        )
      ).rows[0]!.name;
    await until("the Chinese copy", cnName, (n) => n === name, 20_000);
    const applied = await cn.sql.query(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "action" = 'federation.definition'`);
    expect(applied.rows[0].n).toBeGreaterThan(0);
  });

  it("witness each other's audit trail: the US node's copy of the Chinese checkpoints verifies the Chinese trail", async () => {
    await registerAtCn(); // the Chinese trail moves, so a new checkpoint is signed and carried over
    const file = path.join(root, "cn-witnessed.json");
    const witnessed = await until(
      "a witnessed checkpoint",
      async () => command(us, "federation", "--", "witness"),
      (r) => r.status === 0 && (JSON.parse(r.output) as { checkpoints: unknown[] }).checkpoints.length > 0,
      30_000,
    );
    fs.writeFileSync(file, witnessed.output);
    const verified = command(cn, "audit:verify", "--", "--checkpoint", file);
    expect(verified, verified.output).toMatchObject({ status: 0, output: expect.stringContaining("intact") });
  });

  it("cut: the US side shows the Chinese counts as stale with their as-of time, never zeros; restored, both converge", async () => {
    const agreed = async () => [await summary(us, usInvestigator), await summary(cn, cnInvestigator)] as const;
    const [before] = await until("both sides to agree", agreed, ([a, b]) => a.byCountry.CN.screened === b.byCountry.CN.screened);
    link.cut();
    // Stale for a while: a push already in flight when the link was cut may still land (and rightly make it live).
    const stale = await until(
      "stale",
      () => summary(us, usInvestigator),
      (s) => s.federation?.state === "stale" && Date.now() - Date.parse(s.federation.asOf!) > 9_000,
      40_000,
    );
    expect(stale.byCountry.CN.screened).toBe(before.byCountry.CN.screened); // the last verified figures
    expect(stale.byCountry.CN.screened).toBeGreaterThan(0);
    expect(Date.parse(stale.federation!.asOf!)).toBeLessThan(Date.now() - 5_000);
    // So does the dashboard, in a real browser: the Chinese counts are there, said to be stale.
    // The system's Chromium, as the browser tests use it (playwright.config.ts: never a downloaded browser).
    const executablePath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
    const browser = await chromium.launch(executablePath ? { executablePath } : {});
    try {
      const context = await browser.newContext();
      const [name, ...value] = usInvestigator.split("=");
      await context.addCookies([{ name: name!, value: value.join("="), url: us.base }]);
      const page = await context.newPage();
      await page.goto(`${us.base}/trials/${trials.US}`);
      const banner = page.getByTestId("peer-banner");
      await banner.waitFor();
      const seen = { state: await banner.getAttribute("data-state"), text: await banner.textContent(), api: (await summary(us, usInvestigator)).federation };
      expect(seen.state, JSON.stringify(seen)).toBe("stale");
      expect(await banner.textContent()).toContain("has not been heard from since");
      expect(Number(await page.getByTestId("enrolled-CN").locator(".big").getAttribute("data-value"))).toBe(stale.byCountry.CN.enrolled);
    } finally {
      await browser.close();
    }
    // The reports say so too, with the as-of time of the counts they include.
    const csv = await fetch(`${us.base}/api/v1/trials/${trials.US}/reports/enrolment.csv`, { headers: { cookie: usInvestigator } });
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain(`includes the CN node's counts (trialbridge-cn): stale, as of ${stale.federation!.asOf}`);

    await registerAtCn(); // while cut: the Chinese side moves on
    const cnNow = await summary(cn, cnInvestigator);
    expect(cnNow.byCountry.CN.screened).toBe(before.byCountry.CN.screened + 1);
    link.restore();
    const started = Date.now();
    const converged = await until(
      "convergence",
      async () => [await summary(us, usInvestigator), await summary(cn, cnInvestigator)] as const,
      ([a, b]) => a.federation?.state === "live" && JSON.stringify([a.totals, a.byCountry]) === JSON.stringify([b.totals, b.byCountry]),
      60_000,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(converged[0].byCountry.CN.screened).toBe(before.byCountry.CN.screened + 1);
  });

  it("refuses a flipped byte (reported), applies a sequence once however often it comes, and waits for a gap to fill", async () => {
    link.cut();
    const { appliedSeq } = await usPeer();
    const pending = await until(
      "three new Chinese snapshots",
      () => cnOutbox(appliedSeq),
      (rows) => rows.length >= 3,
      20_000,
    );
    const [a, b, c] = pending as [{ seq: number; jws: string }, { seq: number; jws: string }, { seq: number; jws: string }];

    const [header, payload, signature] = a.jws.split(".") as [string, string, string];
    const bytes = Buffer.from(payload, "base64url");
    bytes[20] = bytes[20]! ^ 0x01;
    const flipped = await push([`${header}.${bytes.toString("base64url")}.${signature}`]);
    expect(flipped.status).toBe(422);
    expect(await until("the refusal", usPeer, (p) => p.rejection !== null)).toMatchObject({ appliedSeq, rejection: expect.stringContaining("bad_signature") });
    expect((await summary(us, usInvestigator)).federation?.state).toBe("rejected");

    for (let i = 0; i < 3; i++) expect(await (await push([a.jws])).json()).toEqual({ appliedSeq: a.seq, missing: null });
    expect(await (await push([c.jws])).json()).toEqual({ appliedSeq: a.seq, missing: b.seq }); // early: waits
    expect(await (await push([b.jws])).json()).toEqual({ appliedSeq: c.seq, missing: null });
    const inbox = await us.sql.query(`SELECT count(*)::int AS n FROM "FederationInbox" WHERE "seq" BETWEEN $1 AND $2`, [a.seq, c.seq]);
    expect(inbox.rows[0].n).toBe(3);
    link.restore();
    await until(
      "live again",
      () => summary(us, usInvestigator),
      (s) => s.federation?.state === "live",
      30_000,
    );
  });

  it("refuses an unknown key id and an over-age signature", async () => {
    const { appliedSeq } = await usPeer();
    const [latest] = (await us.sql.query<{ jws: string }>(`SELECT "jws" FROM "FederationInbox" WHERE "seq" = $1`, [appliedSeq])).rows;
    const base = JSON.parse(Buffer.from(latest!.jws.split(".")[1]!, "base64url").toString("utf8")) as Snapshot;
    const next = { ...base, seq: appliedSeq + 1, prev: snapshotHash(latest!.jws), unchanged: true, trials: [] };
    const stranger = await signSnapshot({ ...next, asOf: new Date().toISOString() }, path.join(root, "stranger-keys.json"));
    const unknown = await push([stranger.jws]);
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(await unknown.json())).toContain("unknown_key");
    const old = await signSnapshot({ ...next, asOf: new Date(Date.now() - 3_600_000).toISOString() }, path.join(cn.dataDir, "node-keys.json"));
    const tooOld = await push([old.jws]);
    expect(tooOld.status).toBe(422);
    expect(JSON.stringify(await tooOld.json())).toContain("too_old");
  });

  it("rotates the Chinese key with an overlap: never stale or refused, and the old key is refused after it", async () => {
    await until(
      "live",
      () => summary(us, usInvestigator),
      (s) => s.federation?.state === "live",
      15_000,
    ); // past the refusals above
    const oldKeys = path.join(root, "cn-old-keys.json");
    fs.copyFileSync(path.join(cn.dataDir, "node-keys.json"), oldKeys);
    const seqBefore = (await usPeer()).appliedSeq;
    const rotated = command(cn, "keys:rotate", "--", "--overlap-hours", "0.002"); // about seven seconds
    expect(rotated, rotated.output).toMatchObject({ status: 0 });
    const states = new Set<string>();
    const until15 = Date.now() + 15_000;
    while (Date.now() < until15) {
      states.add((await summary(us, usInvestigator)).federation!.state);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([...states]).toEqual(["live"]);
    const { appliedSeq } = await usPeer();
    const keys = await us.sql.query<{ keys: { kid: string }[] }>(`SELECT "keys" FROM "FederationPeer"`);
    expect(keys.rows[0]!.keys.length).toBe(2); // learnt from a snapshot signed by the key it knew
    const newest = await cnOutbox(appliedSeq - 1);
    const header = JSON.parse(Buffer.from(newest[0]!.jws.split(".")[0]!, "base64url").toString("utf8")) as { kid: string };
    expect(header.kid).toBe(keys.rows[0]!.keys[1]!.kid); // the new key signs now
    const [latest] = (await us.sql.query<{ jws: string }>(`SELECT "jws" FROM "FederationInbox" WHERE "seq" = $1`, [appliedSeq])).rows;
    const base = JSON.parse(Buffer.from(latest!.jws.split(".")[1]!, "base64url").toString("utf8")) as Snapshot;
    // Delivered again after the old key retired (as a sender does when an acknowledgement was lost, or a slow link
    // delivers late): the overlap's snapshots, signed by the old key while it was live, are still good.
    const kidOf = (jws: string) => (JSON.parse(Buffer.from(jws.split(".")[0]!, "base64url").toString("utf8")) as { kid: string }).kid;
    const sent = await cnOutbox(seqBefore);
    const byOldKey = sent.filter((r) => kidOf(r.jws) === keys.rows[0]!.keys[0]!.kid);
    expect(byOldKey.length).toBeGreaterThan(0);
    const again = await push([...byOldKey.map((r) => r.jws), sent.at(-1)!.jws]);
    expect(again.status, await again.clone().text()).toBe(200);
    expect((await summary(us, usInvestigator)).federation!.state).toBe("live");
    const forged = await signSnapshot({ ...base, seq: appliedSeq + 1, prev: snapshotHash(latest!.jws), asOf: new Date().toISOString() }, oldKeys);
    const refused = await push([forged.jws]);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toContain("unknown_key");
  });

  it("pause: the US side shows 'paused by origin' within a poll, the outbox sends nothing more, and the pause is audited", async () => {
    const paused = command(cn, "federation", "--", "pause", "--reason", "ethics committee review");
    expect(paused, paused.output).toMatchObject({ status: 0 });
    const seen = await until(
      "paused",
      () => summary(us, usInvestigator),
      (s) => s.federation?.state === "paused",
      15_000,
    );
    expect(seen.byCountry.CN.screened).toBeGreaterThan(0); // the last verified figures stay
    const count = async () => (await cn.sql.query(`SELECT max("seq")::int AS n FROM "FederationOutbox"`)).rows[0].n as number;
    const atPause = await count();
    await registerAtCn();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await count()).toBe(atPause);
    const audit = await cn.sql.query(`SELECT "reason" FROM "AuditEvent" WHERE "action" = 'federation.pause'`);
    expect(audit.rows.map((r) => r.reason)).toEqual(["ethics committee review"]);
    expect(command(cn, "federation", "--", "resume", "--reason", "review complete").status).toBe(0);
    await until(
      "live again",
      () => summary(us, usInvestigator),
      (s) => s.federation?.state === "live",
      15_000,
    );
  });

  it("both nodes enrolling into a cohort's last places at once never pass its target", async () => {
    const code = "KRAS-G12C";
    const cohortOf = async (node: Node, cookie: string) => (await summary(node, cookie)).byCohort.find((c) => c.code === code)!;
    const joint = await cohortOf(us, usInvestigator);
    const enrolled = { US: joint.byCountry.US, CN: joint.byCountry.CN };
    const target = enrolled.US + enrolled.CN + 4;
    // Four places left: the trial's definition on both nodes (its signed definition document is still to come).
    for (const node of [us, cn])
      await node.sql.query(`UPDATE "Cohort" SET "target" = $1 WHERE "code" = $2 AND "trialId" = (SELECT "id" FROM "Trial" WHERE "code" = 'TB-201')`, [
        target,
        code,
      ]);
    const set = await api(us.base, usAdmin, `/api/v1/trials/${trials.US}/cohorts/${joint.cohortId}/allocation`, {
      method: "PUT",
      body: { US: enrolled.US + 2, CN: enrolled.CN + 2, reason: "two places each for the last four" },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const refused = await api(cn.base, await signIn(cn.base, DEMO_ACCOUNTS.admin), `/api/v1/trials/${trials.CN}/cohorts/x/allocation`, {
      method: "PUT",
      body: { US: 1, CN: 1, reason: "not the owner" },
    });
    expect(refused.status).toBe(403); // the owner's node sets them
    const cnPlaces = async () =>
      (
        await cn.sql.query<{ places: number }>(
          `SELECT a."places" FROM "CohortAllocation" a JOIN "Cohort" c ON c."id" = a."cohortId" JOIN "Trial" t ON t."id" = c."trialId"
            WHERE t."code" = 'TB-201' AND c."code" = $1 AND a."country" = 'CN'`,
          [code],
        )
      ).rows[0]?.places;
    await until("the allocation on the Chinese node", cnPlaces, (p) => p === enrolled.CN + 2, 15_000);

    // Four patients ready at each node, then all eight enrolled at once.
    const ready = async (node: Node, cookie: string, reader: string) => {
      const cohortId = (await cohortOf(node, reader)).cohortId;
      const out: (() => Promise<number>)[] = [];
      for (let i = 0; i < 4; i++) {
        const p = await registerAt(node, cookie);
        const path = `/api/v1/trials/${trials[node.country]}/participants/${p.id}/transitions`;
        expect((await api(node.base, cookie, path, { method: "POST", body: { to: "ELIGIBLE", date: daysAgo(2), version: 1 } })).status).toBe(200);
        expect((await api(node.base, cookie, path, { method: "POST", body: { to: "CONSENTED", date: daysAgo(2), version: 2 } })).status).toBe(200);
        out.push(async () => (await api(node.base, cookie, path, { method: "POST", body: { to: "ENROLLED", date: daysAgo(1), version: 3, cohortId } })).status);
      }
      return out;
    };
    const enrolments = [...(await ready(us, usCoordinator, usInvestigator)), ...(await ready(cn, cnCoordinator, cnInvestigator))];
    const statuses = await Promise.all(enrolments.map((enrol) => enrol()));
    expect(statuses.slice(0, 4).filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.slice(4).filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 409)).toBe(true);
    for (const [node, cookie] of [
      [us, usInvestigator],
      [cn, cnInvestigator],
    ] as const) {
      const seen = await until(
        `${node.country} to see both`,
        () => cohortOf(node, cookie),
        (c) => c.enrolled === target,
        30_000,
      );
      expect(seen.byCountry).toEqual({ US: enrolled.US + 2, CN: enrolled.CN + 2 });
    }
  });
});
