"use client";
// The header's link to the notification centre, its unread count kept live by the person's own stream
// (/api/v1/notifications/events): an alert told on any instance shows here within moments, without a reload. On the
// notification centre itself, a new notification refreshes the list.
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";

export function NotificationsLink({ unread: initial }: { unread: number }) {
  const t = useTranslations("notifications");
  const [live, setLive] = useState<number | null>(null); // from the stream; the page's count until it speaks
  const unread = live ?? initial;
  const newest = useRef<string | null>(null);
  const router = useRouter();
  const pathname = usePathname();
  const onCentre = useRef(false);
  useEffect(() => {
    onCentre.current = pathname === "/notifications";
  }, [pathname]);
  useEffect(() => {
    const source = new EventSource("/api/v1/notifications/events");
    source.addEventListener("notification", (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { unread: number };
      setLive(data.unread);
      const id = (event as MessageEvent<string>).lastEventId;
      if (newest.current !== null && id !== newest.current && onCentre.current) router.refresh();
      newest.current = id;
    });
    return () => source.close();
  }, [router]);

  return (
    <Link href="/notifications" data-testid="notifications-link" aria-live="polite">
      {unread ? t("navUnread", { count: unread }) : t("nav")}
    </Link>
  );
}
