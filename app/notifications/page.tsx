import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { ActionForm } from "@/app/components/ActionForm";
import { listNotifications } from "@/lib/alerts/rules";
import { requirePageActor } from "@/lib/auth/page";
import { markAllReadAction } from "./actions";

export const dynamic = "force-dynamic";

/** What the reader's alert rules have told them, newest first, each with a link to the view that explains it. */
export default async function NotificationsPage() {
  const actor = await requirePageActor();
  const [items, t, format] = await Promise.all([listNotifications(actor), getTranslations("notifications"), getFormatter()]);
  const unread = items.filter((n) => !n.readAt).length;
  const text = (n: (typeof items)[number]) => {
    const p = n.params as Record<string, string | number>;
    if (n.rule.kind === "COHORT_PERCENT")
      return t("cohortPercent", {
        trial: n.trial.code,
        cohort: String(p.cohort),
        percent: Number(p.percent),
        enrolled: Number(p.enrolled),
        target: Number(p.target),
      });
    return t(n.rule.kind === "SITE_FIRST_SCREENED" ? "firstScreened" : "firstEnrolled", { trial: n.trial.code, site: String(p.site) });
  };
  const link = (n: (typeof items)[number]) => (n.rule.kind === "COHORT_PERCENT" ? `/trials/${n.trialId}` : `/trials/${n.trialId}/performance`);
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
                {!n.readAt && <strong className="badge">{t("new")}</strong>} <Link href={link(n)}>{text(n)}</Link>{" "}
                <span className="muted">{format.dateTime(n.createdAt, { dateStyle: "medium", timeStyle: "short" })}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
