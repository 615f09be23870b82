// Email digests (issue 18): a person who asks for one gets, once a day or once a week in their own time zone, the
// notifications that came since their last digest, in their language. Each instance's sweep enqueues the digests
// due (lib/jobs/background.ts); the job sends one under the person's lock and records it (DigestSent, unique per
// person and period) in the same transaction, so two instances or a retry send a period's digest once. Nothing is
// sent when the deployment names no SMTP server, or when nothing new came. Codes and counts only, as in the app.
import type { Transporter } from "nodemailer";
import type { Db } from "@/lib/db/prisma";
import { addDays, daysBetween, todayIn, toDbDate } from "@/lib/dates/calendar";
import { isLocale, type Locale } from "@/lib/i18n/config";
import { msg, renderMessage } from "@/lib/i18n/messages";
import { notificationLink, notificationMessage } from "./text";

/** Digests go out from this hour of the recipient's day. */
export const DIGEST_HOUR = 7;
const MAX_ITEMS = 200;

function hourIn(timeZone: string, now: Date): number {
  return Number(new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(now));
}

/** The ISO 8601 week (YYYY-Www) of a calendar date. */
export function isoWeek(date: string): string {
  const d = toDbDate(date);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = addDays(date, 3 - weekday);
  const year = thursday.slice(0, 4);
  const week = Math.floor(daysBetween(`${year}-01-01`, thursday) / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The digest period a person is in now, or null before the hour digests go out in their day. */
export function digestPeriod(frequency: "DAILY" | "WEEKLY", timeZone: string, now = new Date()): string | null {
  if (hourIn(timeZone, now) < DIGEST_HOUR) return null;
  const today = todayIn(timeZone, now);
  return frequency === "DAILY" ? `day:${today}` : `week:${isoWeek(today)}`;
}

export function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** People whose digest for their current period has not gone yet. */
export async function dueDigests(db: Db, now = new Date()): Promise<{ userId: string; period: string }[]> {
  const users = await db.user.findMany({ where: { active: true, digest: { not: "NEVER" } }, select: { id: true, digest: true, timeZone: true } });
  const due = users.flatMap((u) => {
    const zone = u.timeZone && validTimeZone(u.timeZone) ? u.timeZone : "UTC";
    const period = digestPeriod(u.digest as "DAILY" | "WEEKLY", zone, now);
    return period ? [{ userId: u.id, period }] : [];
  });
  if (!due.length) return [];
  const sent = await db.digestSent.findMany({
    where: { OR: due.map((d) => ({ userId: d.userId, period: d.period })) },
    select: { userId: true, period: true },
  });
  const done = new Set(sent.map((s) => `${s.userId} ${s.period}`));
  return due.filter((d) => !done.has(`${d.userId} ${d.period}`));
}

export interface Mail {
  transport: Transporter;
  from: string;
  /** The app's address, for the links in the email. */
  baseUrl: string;
}

export interface DigestMessage {
  subject: string;
  text: string;
  html: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The digest's email in a language, its times in a time zone. */
export function composeDigest(
  items: { id: bigint; createdAt: Date; trialId: string; occasion: string; params: unknown; trial: { code: string }; rule: { kind: string } | null }[],
  locale: Locale,
  timeZone: string,
  baseUrl: string,
): DigestMessage {
  const t = (key: string, params?: Record<string, string | number>) => renderMessage(msg(key, params), locale);
  const when = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: "medium", timeStyle: "short" });
  const lines = items.map((n) => {
    const m = notificationMessage(n);
    return { text: t(m.key, m.params), at: when.format(n.createdAt), href: new URL(notificationLink(n), baseUrl).toString() };
  });
  const subject = t("digest.subject", { count: items.length });
  const intro = t("digest.intro", { count: items.length });
  const footer = t("digest.footer", { url: new URL("/notifications", baseUrl).toString() });
  const text = [intro, "", ...lines.map((l) => `- ${l.text} (${l.at})\n  ${l.href}`), "", footer].join("\n");
  const html = `<!doctype html><html lang="${locale}"><body><p>${escape(intro)}</p><ul>${lines
    .map((l) => `<li><a href="${escape(l.href)}">${escape(l.text)}</a> <small>${escape(l.at)}</small></li>`)
    .join("")}</ul><p><small>${escape(footer)}</small></p></body></html>`;
  return { subject, text, html };
}

export interface DigestOutcome {
  /** The notifications in it; 0: nothing new, so no email. */
  count: number;
  /** False when the period's digest had gone already. */
  sent: boolean;
}

/** Sends a person's digest for a period, once (`period` "now:..." for one asked for by hand). */
export async function sendDigest(db: Db, job: { userId: string; period: string }, mail: Mail | null): Promise<DigestOutcome> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('digest'), hashtext(${job.userId}))`;
      if (await tx.digestSent.findUnique({ where: { userId_period: job }, select: { id: true } })) return { count: 0, sent: false };
      const user = await tx.user.findUniqueOrThrow({ where: { id: job.userId }, select: { email: true, locale: true, timeZone: true, active: true } });
      const last = await tx.digestSent.aggregate({ where: { userId: job.userId }, _max: { upToId: true } });
      const after = last._max.upToId ?? 0n;
      const items = user.active
        ? await tx.notification.findMany({
            where: { userId: job.userId, id: { gt: after } },
            orderBy: { id: "asc" },
            take: MAX_ITEMS,
            select: {
              id: true,
              createdAt: true,
              trialId: true,
              occasion: true,
              params: true,
              trial: { select: { code: true } },
              rule: { select: { kind: true } },
            },
          })
        : [];
      if (items.length && mail) {
        const locale: Locale = isLocale(user.locale) ? user.locale : "en";
        const zone = user.timeZone && validTimeZone(user.timeZone) ? user.timeZone : "UTC";
        const message = composeDigest(items, locale, zone, mail.baseUrl);
        // Sent before the record commits: a failure rolls the record back and the queue tries again.
        await mail.transport.sendMail({ from: mail.from, to: user.email, subject: message.subject, text: message.text, html: message.html });
      }
      const sent = items.length > 0 && mail !== null;
      await tx.digestSent.create({ data: { userId: job.userId, period: job.period, count: sent ? items.length : 0, upToId: sent ? items.at(-1)!.id : after } });
      return { count: sent ? items.length : 0, sent };
    },
    { timeout: 60_000 },
  );
}

export const DIGEST_FREQUENCIES = ["NEVER", "DAILY", "WEEKLY"] as const;
