// Alerts reaching people outside the app (issue 18): webhooks signed per Standard Webhooks and delivered to a real
// HTTP receiver (retried, logged, given up, the endpoint disabled), only to public addresses unless allowed; email
// digests through a real SMTP receiver (smtp-server), in English and in Chinese, once a period; a silent site's rule
// checked once per period however many checks run at once; a site behind plan and a stale peer told once an occasion.
import nodemailer from "nodemailer";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendDigest, type Mail } from "@/lib/alerts/digest";
import { createAlertRule, exportAlertRules, importAlertRules } from "@/lib/alerts/rules";
import { runAlertCheck } from "@/lib/alerts/schedule";
import { tell } from "@/lib/alerts/tell";
import type { Actor } from "@/lib/auth/session";
import { encryptSecret } from "@/lib/auth/totp";
import { sitePerformance } from "@/lib/performance/sites";
import { db } from "@/lib/db/client";
import { checkWebhookUrl, isPrivateAddress } from "@/lib/webhooks/address";
import { attemptDelivery, SECRET_PURPOSE, takeWaiting } from "@/lib/webhooks/deliver";
import { createWebhook } from "@/lib/webhooks/endpoints";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";
import { smtpReceiver, webhookReceiver, type SmtpReceiver } from "../support/receivers";

let trialId: string;
let investigator: Actor;
let sponsor: Actor;
let coordinator: Actor;
const SECRET = `whsec_${Buffer.from("a secret of twenty-four!!").toString("base64")}`;

async function endpointAt(url: string) {
  return db().webhookEndpoint.create({
    data: { trialId, url, secret: encryptSecret(SECRET, SECRET_PURPOSE), createdById: investigator.id },
    select: { id: true },
  });
}

/** A rule of the trial's, told of an occasion of the test's own (as a crossing would be). */
async function tellOnce(occasion: string) {
  const rule = await db().alertRule.create({
    data: { trialId, kind: "SITE_FIRST_SCREENED", roles: ["INVESTIGATOR"], createdById: investigator.id },
    select: { id: true, kind: true, roles: true, baseline: true },
  });
  return db().$transaction((tx) => tell(tx, trialId, rule, [{ occasion, siteId: null, params: { site: "US-TEST" } }]));
}

beforeAll(async () => {
  await seedDemoData();
  trialId = (await db().trial.findFirstOrThrow({ where: { code: "TB-201" } })).id;
  investigator = await actorFor(DEMO_ACCOUNTS.investigator);
  sponsor = await actorFor(DEMO_ACCOUNTS.sponsor);
  coordinator = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
});

describe("webhooks", () => {
  const settings = { allowPrivate: true, disableAfter: 2 };

  it("deliver a signed message that verifies with the standard library, on the fourth attempt after three 500s", async () => {
    const hook = await webhookReceiver(3);
    const endpoint = await endpointAt(hook.url);
    await tellOnce("retried");
    const waiting = await takeWaiting(db());
    const deliveryId = (await db().webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } })).id;
    expect(waiting).toContain(deliveryId);
    expect(await takeWaiting(db())).not.toContain(deliveryId); // taken once
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await attemptDelivery(db(), deliveryId, false, settings));
    expect(outcomes.map((o) => o.delivered)).toEqual([false, false, false, true]);
    // Once delivered, a stray retry sends nothing more.
    expect(await attemptDelivery(db(), deliveryId, false, settings)).toMatchObject({ skipped: true });
    expect(hook.received).toHaveLength(4);
    const last = hook.received[3]!;
    const payload = new Webhook(SECRET).verify(last.body, last.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({ type: "alert.triggered", data: { trial: "TB-201", occasion: "retried", site: "US-TEST" } });
    expect(last.headers["webhook-id"]).toBe(deliveryId);
    expect(new Set(hook.received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([deliveryId])); // one id throughout
    // A signature made with another secret does not verify.
    expect(() =>
      new Webhook(`whsec_${Buffer.from("another secret entirely!").toString("base64")}`).verify(last.body, last.headers as Record<string, string>),
    ).toThrow();
    const delivery = await db().webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { log: { orderBy: { attempt: "asc" } } } });
    expect(delivery).toMatchObject({ status: "DELIVERED", attempts: 4, lastStatus: 200 });
    expect(delivery.log.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 200],
    ]);
    await hook.close();
  });

  it("give a delivery up when its retries are spent, and disable the endpoint after repeated failure, telling its owner", async () => {
    const hook = await webhookReceiver(99);
    const endpoint = await endpointAt(hook.url);
    for (const occasion of ["down-1", "down-2"]) {
      await tellOnce(occasion);
      const delivery = await db().webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id, status: "PENDING" } });
      expect(await attemptDelivery(db(), delivery.id, true, settings)).toMatchObject({ delivered: false });
      expect((await db().webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).status).toBe("FAILED");
    }
    const after = await db().webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(after).toMatchObject({ consecutiveFailures: 2, disabledReason: "failures" });
    expect(after.disabledAt).not.toBeNull();
    const notice = await db().notification.findFirst({ where: { userId: investigator.id, occasion: `webhook-disabled:${endpoint.id}` } });
    expect(notice?.ruleId).toBeNull();
    // A disabled endpoint is sent nothing new.
    await tellOnce("down-3");
    expect(await db().webhookDelivery.count({ where: { endpointId: endpoint.id } })).toBe(2);
    await hook.close();
  });

  it("never connect to a private address unless allowed, and refuse such URLs when registered", async () => {
    const hook = await webhookReceiver();
    const endpoint = await endpointAt(hook.url.replace("127.0.0.1", "localhost"));
    await tellOnce("private");
    const delivery = await db().webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
    const outcome = await attemptDelivery(db(), delivery.id, false, { allowPrivate: false, disableAfter: 5 });
    expect(outcome.delivered).toBe(false);
    expect(outcome.error).toMatch(/private/);
    expect(hook.received).toHaveLength(0);
    await hook.close();

    for (const [url, problem] of [
      ["http://example.org/hook", "scheme"],
      ["https://127.0.0.1/hook", "private"],
      ["https://10.2.3.4/hook", "private"],
      ["https://169.254.169.254/latest/meta-data", "private"],
      ["https://[::1]/hook", "private"],
      ["https://[::ffff:192.168.1.1]/hook", "private"],
      ["https://user:pw@8.8.8.8/hook", "credentials"],
      ["not a url", "invalid"],
      ["https://8.8.8.8/hook", null],
    ] as const)
      expect([url, await checkWebhookUrl(url, false)]).toEqual([url, problem]);
    expect(isPrivateAddress("172.20.0.1")).toBe(true);
    expect(isPrivateAddress("172.32.0.1")).toBe(false);
    expect(isPrivateAddress("fd00::1")).toBe(true);
    await expect(createWebhook(investigator, trialId, { url: "https://127.0.0.1/hook" })).rejects.toMatchObject({ code: "invalid" });
    await expect(createWebhook(coordinator, trialId, { url: "https://8.8.8.8/hook" })).rejects.toMatchObject({ code: "forbidden" });
    // A sponsor registers one for their own systems, with a Standard Webhooks secret shown once.
    const made = await createWebhook(sponsor, trialId, { url: "https://8.8.8.8/hook" });
    expect(made.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect((await db().webhookEndpoint.findUniqueOrThrow({ where: { id: made.id } })).secret).not.toContain(made.secret.slice(6));
  });
});

describe("email digests", () => {
  let smtp: SmtpReceiver;
  let mail: Mail;

  beforeAll(async () => {
    smtp = await smtpReceiver();
    mail = {
      transport: nodemailer.createTransport({ host: "127.0.0.1", port: smtp.port, secure: false, ignoreTLS: true }),
      from: "TrialBridge <alerts@trialbridge.test>",
      baseUrl: "https://trialbridge.test",
    };
  });
  afterAll(() => smtp.close());

  it("send each person what came since their last digest, in their language and time zone, once a period", async () => {
    const people = [
      { email: "digest.en@example.org", locale: "en", timeZone: "America/New_York" },
      { email: "digest.zh@example.org", locale: "zh-CN", timeZone: "Asia/Shanghai" },
    ];
    const rule = await db().alertRule.findFirstOrThrow({ where: { trialId } });
    const users = [];
    for (const p of people) {
      const user = await db().user.create({ data: { email: p.email, displayName: p.email, locale: p.locale, timeZone: p.timeZone, digest: "DAILY" } });
      await db().notification.createMany({
        data: [
          { userId: user.id, trialId, ruleId: null, occasion: "webhook-disabled:x", params: { url: "https://hooks.example.org/a", failures: 5 } },
          { userId: user.id, trialId, ruleId: rule.id, occasion: `site:digest-${user.id}`, params: { site: "CN-SH1" } },
        ],
      });
      users.push(user);
    }
    for (const user of users) expect(await sendDigest(db(), { userId: user.id, period: "day:2026-12-02" }, mail)).toEqual({ count: 2, sent: true });
    const en = smtp.inbox.find((m) => m.to && JSON.stringify(m.to).includes("digest.en@"))!;
    const zh = smtp.inbox.find((m) => m.to && JSON.stringify(m.to).includes("digest.zh@"))!;
    expect(en.subject).toBe("TrialBridge: 2 new notifications");
    expect(en.text).toContain("site CN-SH1 has screened its first patient");
    expect(en.text).toContain("https://trialbridge.test/trials/");
    expect(zh.subject).toBe("TrialBridge：2 条新通知");
    expect(zh.text).toContain("中心CN-SH1已筛选第一名患者");
    expect(zh.html).toContain('lang="zh-CN"');
    // The same period again (another instance, a retry): nothing more is sent.
    expect(await sendDigest(db(), { userId: users[0]!.id, period: "day:2026-12-02" }, mail)).toEqual({ count: 0, sent: false });
    // The next period with nothing new: recorded, no email.
    expect(await sendDigest(db(), { userId: users[0]!.id, period: "day:2026-12-03" }, mail)).toEqual({ count: 0, sent: false });
    expect(smtp.inbox).toHaveLength(2);
    // Something new: the next digest carries only that.
    await db().notification.create({
      data: { userId: users[0]!.id, trialId, ruleId: rule.id, occasion: `site:later-${users[0]!.id}`, params: { site: "US-LAX1" } },
    });
    expect(await sendDigest(db(), { userId: users[0]!.id, period: "day:2026-12-04" }, mail)).toEqual({ count: 1, sent: true });
    expect(smtp.inbox[2]!.subject).toBe("TrialBridge: 1 new notification");
    expect(smtp.inbox[2]!.text).toContain("US-LAX1");
    expect(smtp.inbox[2]!.text).not.toContain("CN-SH1");
  });
});

describe("a silent site's rule", () => {
  it("is checked once per period however many checks run at once, and tells each silence once", async () => {
    const rule = await createAlertRule(investigator, trialId, { kind: "SITE_SILENT", days: 1, roles: ["INVESTIGATOR"] });
    const period = "2026-12-02T10:00:00.000Z";
    const outcomes = await Promise.all([1, 2, 3].map(() => runAlertCheck(db(), { ruleId: rule.id, period })));
    expect(outcomes.filter((o) => o.checked)).toHaveLength(1);
    expect(await db().alertCheck.count({ where: { ruleId: rule.id } })).toBe(1);
    const told = outcomes.find((o) => o.checked)!.told;
    // The demo's open sites that screened nobody today or yesterday are silent; the investigator hears each once.
    expect(told).toBeGreaterThan(0);
    expect(await db().notification.count({ where: { ruleId: rule.id } })).toBe(told);
    const next = await runAlertCheck(db(), { ruleId: rule.id, period: "2026-12-02T11:00:00.000Z" });
    expect(next).toEqual({ checked: true, told: 0 }); // the same silences: told already
    expect(await db().alertCheck.count({ where: { ruleId: rule.id } })).toBe(2);
  });

  it("and every rule travel to another trial as a file", async () => {
    const file = await exportAlertRules(investigator, trialId);
    expect(file.rules).toContainEqual({ kind: "SITE_SILENT", days: 1, roles: ["INVESTIGATOR"] });
    expect(await importAlertRules(investigator, trialId, file)).toEqual({ created: 0, skipped: file.rules.length });
    const bad = { ...file, rules: [{ kind: "COHORT_PERCENT", cohort: "NO-SUCH", percent: 50, roles: ["INVESTIGATOR"] }] };
    await expect(importAlertRules(investigator, trialId, bad)).rejects.toMatchObject({ code: "invalid", fields: { "rules.0.cohort": [expect.any(String)] } });
    await expect(importAlertRules(investigator, trialId, { format: "other", rules: [] })).rejects.toMatchObject({ code: "invalid" });
    await expect(importAlertRules(sponsor, trialId, file)).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("a site behind plan's rule", () => {
  it("tells of each site the performance page holds behind, coordinators of their own sites only, once a month", async () => {
    // A plan no site could keep: an open site asked for 40 patients a month is all but sure to miss its share.
    const open = await db().trialSite.findFirstOrThrow({
      where: { trialId, status: "ACTIVE", activationDate: { lte: new Date(Date.now() - 120 * 86_400_000) }, site: { code: "CN-GZ1" } },
      select: { id: true, siteId: true },
    });
    await db().trialSite.update({ where: { id: open.id }, data: { plannedScreeningRate: 40 } });
    await expect(createAlertRule(investigator, trialId, { kind: "SITE_BEHIND_PLAN", percent: 100, roles: ["INVESTIGATOR"] })).rejects.toMatchObject({
      code: "invalid",
    });
    const rule = await createAlertRule(investigator, trialId, { kind: "SITE_BEHIND_PLAN", percent: 90, roles: ["INVESTIGATOR", "COORDINATOR"] });
    const report = await sitePerformance(investigator, trialId);
    const behind = report.sites.filter((s) => s.missProbability !== null && s.monthsOpen >= 3 && s.missProbability >= 0.9).map((s) => s.siteId);
    expect(behind).toContain(open.siteId);

    const outcome = await runAlertCheck(db(), { ruleId: rule.id, period: "2026-12-02T10:00:00.000Z" });
    expect(outcome.checked).toBe(true);
    const month = new Date().toISOString().slice(0, 7);
    const heard = await db().notification.findMany({ where: { ruleId: rule.id }, select: { userId: true, occasion: true, params: true } });
    const toInvestigator = heard.filter((n) => n.userId === investigator.id);
    expect(toInvestigator.map((n) => n.occasion).sort()).toEqual(behind.map((id) => `behind:${id}:${month}`).sort());
    const gz = toInvestigator.find((n) => n.occasion.startsWith(`behind:${open.siteId}:`))!;
    expect(gz.params).toMatchObject({ site: "CN-GZ1", screened: expect.any(Number), chance: expect.any(Number) });
    expect((gz.params as { chance: number }).chance).toBeGreaterThanOrEqual(90);
    // A coordinator hears of their own sites only.
    const own = (await db().membership.findMany({ where: { userId: coordinator.id, trialId, revokedAt: null }, select: { siteId: true } })).map(
      (m) => m.siteId,
    );
    const toCoordinator = heard.filter((n) => n.userId === coordinator.id);
    expect(toCoordinator.length).toBeGreaterThan(0);
    for (const n of toCoordinator) expect(own).toContain(n.occasion.split(":")[1]);

    expect(await runAlertCheck(db(), { ruleId: rule.id, period: "2026-12-02T11:00:00.000Z" })).toEqual({ checked: true, told: 0 }); // this month: told
  });
});

describe("a stale peer's rule", () => {
  it("tells of a stale, then a paused peer once each, and of nothing on a node with no peer", async () => {
    const rule = await createAlertRule(investigator, trialId, { kind: "PEER_STALE", roles: ["INVESTIGATOR"] });
    expect(await runAlertCheck(db(), { ruleId: rule.id, period: "2026-12-03T00:00:00.000Z" })).toEqual({ checked: true, told: 0 }); // one node: no peer
    const saved = process.env.NODE_COUNTRY;
    process.env.NODE_COUNTRY = "US";
    try {
      const lastAsOf = new Date(Date.now() - 86_400_000);
      await db().federationPeer.create({ data: { origin: "trialbridge-cn", country: "CN", keys: [], appliedSeq: 3, lastAsOf, lastReceivedAt: lastAsOf } });
      expect(await runAlertCheck(db(), { ruleId: rule.id, period: "2026-12-03T01:00:00.000Z" })).toEqual({ checked: true, told: 1 });
      expect(await runAlertCheck(db(), { ruleId: rule.id, period: "2026-12-03T02:00:00.000Z" })).toEqual({ checked: true, told: 0 }); // the same outage
      await db().federationPeer.update({ where: { origin: "trialbridge-cn" }, data: { pausedByOrigin: true } });
      expect(await runAlertCheck(db(), { ruleId: rule.id, period: "2026-12-03T03:00:00.000Z" })).toEqual({ checked: true, told: 1 });
      const told = await db().notification.findMany({ where: { ruleId: rule.id }, orderBy: { id: "asc" }, select: { params: true } });
      expect(told.map((n) => (n.params as { state: string }).state)).toEqual(["stale", "paused"]);
      expect(told[0]!.params).toMatchObject({ origin: "trialbridge-cn", country: "CN", since: lastAsOf.toISOString() });
      // Fresh again: nothing to tell.
      await db().federationPeer.update({ where: { origin: "trialbridge-cn" }, data: { pausedByOrigin: false, lastAsOf: new Date() } });
      expect(await runAlertCheck(db(), { ruleId: rule.id, period: "2026-12-03T04:00:00.000Z" })).toEqual({ checked: true, told: 0 });
    } finally {
      if (saved === undefined) delete process.env.NODE_COUNTRY;
      else process.env.NODE_COUNTRY = saved;
      await db().federationPeer.deleteMany({ where: { origin: "trialbridge-cn" } });
    }
  });
});
