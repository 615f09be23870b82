import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import { db } from "@/lib/db/client";
import { listWebhooks } from "@/lib/webhooks/endpoints";
import { createWebhookAction, replayDeliveryAction, setWebhookEnabledAction } from "./actions";

export const dynamic = "force-dynamic";

/** A trial's webhook endpoints and their delivery log. Its investigators, sponsors and administrators only. */
export default async function WebhooksPage({ params }: { params: Promise<{ trialId: string }> }) {
  const { trialId } = await params;
  const actor = await requirePageActor();
  const endpoints = await loadOrNotFound(() => listWebhooks(actor, trialId), { forbiddenToo: true }); // out of scope is not found
  const [trial, t, format] = await Promise.all([
    db().trial.findUniqueOrThrow({ where: { id: trialId }, select: { code: true } }),
    getTranslations("webhooks"),
    getFormatter(),
  ]);
  const when = (d: Date) => format.dateTime(d, { dateStyle: "medium", timeStyle: "medium" });
  return (
    <>
      <p>
        <Link href={`/trials/${trialId}`}>← {trial.code}</Link>
      </p>
      <h1>
        {t("title")}: {trial.code}
      </h1>
      <p className="muted">{t("intro")}</p>
      {endpoints.length === 0 && <p className="muted">{t("none")}</p>}
      {endpoints.map((e) => (
        <section key={e.id} className="card" data-testid="webhook" aria-label={e.url}>
          <h2 translate="no">{e.url}</h2>
          <p>
            {e.description && <>{e.description} · </>}
            {t("by", { name: e.createdBy.displayName, date: format.dateTime(e.createdAt, { dateStyle: "medium" }) })} ·{" "}
            {e.disabledAt ? (
              <strong>{t(e.disabledReason === "failures" ? "disabledFailures" : "disabledOwner", { date: when(e.disabledAt) })}</strong>
            ) : (
              t("active")
            )}
          </p>
          <ActionForm
            action={setWebhookEnabledAction.bind(null, trialId, e.id, Boolean(e.disabledAt))}
            submit={t(e.disabledAt ? "enable" : "disable")}
            title={t(e.disabledAt ? "enable" : "disable")}
            danger={!e.disabledAt}
          >
            <></>
          </ActionForm>
          {e.deliveries.length === 0 ? (
            <p className="muted">{t("noDeliveries")}</p>
          ) : (
            <div className="table-scroll" tabIndex={0} role="region" aria-label={t("log")}>
              <table data-testid="delivery-log">
                <caption>{t("log")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("message")}</th>
                    <th scope="col">{t("status")}</th>
                    <th scope="col">{t("attempts")}</th>
                    <th scope="col">{t("replay")}</th>
                  </tr>
                </thead>
                <tbody>
                  {e.deliveries.map((d) => (
                    <tr key={d.id} data-testid="delivery" data-status={d.status}>
                      <th scope="row">
                        <code translate="no">{d.id}</code> {d.type} <span className="muted">{when(d.createdAt)}</span>
                      </th>
                      <td>{t(`state.${d.status}`)}</td>
                      <td>
                        <ol className="attempts">
                          {d.log.map((a) => (
                            <li key={a.attempt} data-testid="attempt">
                              {when(a.at)}: {a.status === null ? t("noAnswer") : `HTTP ${a.status}`}
                              {a.error && a.status !== null && a.status >= 300 ? "" : a.error ? ` (${a.error})` : ""} · {a.durationMs} ms
                            </li>
                          ))}
                        </ol>
                      </td>
                      <td>
                        {d.status !== "PENDING" && !e.disabledAt && (
                          <ActionForm action={replayDeliveryAction.bind(null, trialId, d.id)} submit={t("replay")} title={t("replayTitle", { id: d.id })}>
                            <></>
                          </ActionForm>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
      <ActionForm action={createWebhookAction.bind(null, trialId)} submit={t("create")} title={t("create")}>
        <Field name="url" type="text" label={t("url")} help={t("urlHelp")} required />
        <Field name="description" type="text" label={t("description")} />
      </ActionForm>
    </>
  );
}
