"use client";
// An instant (audit rows, events) shown in the viewer's own time zone, with the zone named. The server does not know
// the viewer's zone, so it renders UTC; the browser then renders its own zone.
import { useLocale } from "next-intl";
import { useSyncExternalStore } from "react";

const format = (iso: string, locale: string, timeZone?: string) =>
  new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));

const noSubscription = () => () => {};

export function LocalTime({ iso }: { iso: string }) {
  const locale = useLocale();
  const inBrowser = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  return <time dateTime={iso}>{format(iso, locale, inBrowser ? undefined : "UTC")}</time>;
}
