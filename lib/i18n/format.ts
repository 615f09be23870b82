import type { Locale } from "./config";

/** A site's name in the viewer's language: the local (Chinese) name for zh-CN, the English name otherwise. */
export function siteName(site: { nameEn: string; nameLocal: string }, locale: string): string {
  return (locale as Locale) === "zh-CN" ? site.nameLocal : site.nameEn;
}

/**
 * A calendar date (YYYY-MM-DD) in the reader's language. Formatted as a UTC date because it is a date, not an
 * instant: "2026-03-14" reads as 14 March 2026 (2026年3月14日) in every time zone.
 */
export function formatCalendarDate(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));
}
