import { formatCalendarDate } from "@/lib/i18n/format";

/** A clinical calendar date, in the reader's language, never shifted by time zone. */
export function CalendarDate({ iso, locale }: { iso: string; locale: string }) {
  return <time dateTime={iso}>{formatCalendarDate(iso, locale)}</time>;
}
