import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { ActionForm } from "@/app/components/ActionForm";
import { listNotifications } from "@/lib/alerts/rules";
import { notificationLink, notificationMessage } from "@/lib/alerts/text";
import { requirePageActor } from "@/lib/auth/page";
import { Field } from "@/app/components/ActionForm";
import { DIGEST_FREQUENCIES } from "@/lib/alerts/digest";
import { digestSettings } from "@/lib/alerts/digest-settings";
import { markAllReadAction, sendDigestNowAction, setDigestAction } from "./actions";

export const dynamic = "force-dynamic";

/** What the reader's alert rules have told them, newest first, each with a link to the view that explains it. */
export default async function NotificationsPage() {
  const actor = await requirePageActor();
  const [items, t, format, digest] = await Promise.all([listNotifications(actor), getTranslations("notifications"), getFormatter(), digestSettings(actor)]);
  const unread = items.filter((n) => !n.readAt).length;
  const text = (n: (typeof items)[number]) => {
    const m = notificationMessage(n);
    return t(m.key.replace(/^notifications\./, ""), m.params);
  };
  return (
    <>
      <h1>{t("title")}</h1>
      {items.length === 0 ? (
        <p className="muted">{t("none")}</p>
      ) : (
        <>
          {unread > 0 && (
            <ActionForm action={markAllReadAction} submit={t("markAllRead")} title={t("markAllRead")}>
              <input type="hidden" name="upTo" value={String(items[0]!.id)} />
            </ActionForm>
          )}
          <ul className="notifications" data-testid="notifications">
            {items.map((n) => (
              <li key={String(n.id)} data-unread={n.readAt ? undefined : "true"}>
                {!n.readAt && <strong className="badge">{t("new")}</strong>} <Link href={notificationLink(n)}>{text(n)}</Link>{" "}
                <span className="muted">{format.dateTime(n.createdAt, { dateStyle: "medium", timeStyle: "short" })}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{t("digestTitle")}</h2>
      <p className="muted">{digest.emailConfigured ? t("digestIntro") : t("digestOff")}</p>
      <ActionForm action={setDigestAction} submit={t("digestSave")} title={t("digestTitle")}>
        <Field
          name="digest"
          type="select"
          label={t("digestFrequency")}
          defaultValue={digest.digest}
          options={DIGEST_FREQUENCIES.map((f) => ({ value: f, label: t(`frequency.${f}`) }))}
        />
        <Field
          name="timeZone"
          type="select"
          label={t("timeZone")}
          defaultValue={digest.timeZone ?? "UTC"}
          options={["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")].map((z) => ({ value: z, label: z }))}
        />
      </ActionForm>
      {digest.emailConfigured && (
        <ActionForm action={sendDigestNowAction} submit={t("digestNow")} title={t("digestNow")}>
          <></>
        </ActionForm>
      )}
    </>
  );
}
