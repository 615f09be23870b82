import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getMessages, getTranslations } from "next-intl/server";
import { AuditChanges } from "@/app/components/AuditChanges";
import { LocalTime } from "@/app/components/LocalTime";
import { auditChoices, searchAudit } from "@/lib/audit/query";
import { requirePageActor } from "@/lib/auth/page";
import { AppError } from "@/lib/http/errors";
import type { Locale } from "@/lib/i18n/config";
import { renderRefusal } from "@/lib/i18n/messages";

export const dynamic = "force-dynamic";

const FILTERS = ["action", "actor", "entityId", "trialId", "siteId", "from", "to", "before"] as const;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor();
  const locale = (await getLocale()) as Locale;
  const raw = await searchParams;
  const query: Record<string, string> = {};
  for (const key of FILTERS) if (typeof raw[key] === "string" && raw[key]) query[key] = raw[key] as string;
  let result: Awaited<ReturnType<typeof searchAudit>> = { items: [], next: null };
  const { trials, sites } = await auditChoices(actor).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  let filterError: string | null = null;
  try {
    result = await searchAudit(actor, { ...query, limit: "100" });
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    if (!(error instanceof AppError)) throw error;
    filterError = renderRefusal(error, locale); // a bad filter is said on the page, never a 500
  }
  const t = await getTranslations("audit");
  // The actions the catalogue names ("participant_correct" is participant.correct), by their label; the filter
  // matches an action and those under it (participant.transition and participant.transition.override).
  const actions = Object.keys((await getMessages()).audit.actions)
    .map((key) => [key.replaceAll("_", "."), t(`actions.${key}` as "actions.trial_update")] as const)
    .sort((a, b) => a[1].localeCompare(b[1], locale));
  const exportQuery = new URLSearchParams(Object.fromEntries(Object.entries(query).filter(([k]) => k !== "before")));
  return (
    <>
      <h1>{t("title")}</h1>
      <p className="muted">{t("help")}</p>
      <form method="get" className="card filters">
        <div className="field">
          <label htmlFor="a-action">{t("action")}</label>
          <select id="a-action" name="action" defaultValue={query.action ?? ""}>
            <option value="">{t("allActions")}</option>
            {actions.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
            {query.action && !actions.some(([value]) => value === query.action) && <option value={query.action}>{query.action}</option>}
          </select>
        </div>
        {(
          [
            ["actor", "actor"],
            ["entityId", "entity"],
          ] as const
        ).map(([name, label]) => (
          <div className="field" key={name}>
            <label htmlFor={`a-${name}`}>{t(label)}</label>
            <input id={`a-${name}`} name={name} defaultValue={query[name] ?? ""} maxLength={254} />
          </div>
        ))}
        {(
          [
            ["trialId", t("trial"), t("allTrials"), trials],
            ["siteId", t("site"), t("allSites"), sites],
          ] as const
        ).map(([name, label, all, records]) => (
          <div className="field" key={name}>
            <label htmlFor={`a-${name}`}>{label}</label>
            <select id={`a-${name}`} name={name} defaultValue={query[name] ?? ""}>
              <option value="">{all}</option>
              {records.map((r) => (
                <option key={r.id} value={r.id} translate="no">
                  {r.code}
                </option>
              ))}
            </select>
          </div>
        ))}
        <div className="field">
          <label htmlFor="a-from">{t("from")}</label>
          <input id="a-from" name="from" type="date" defaultValue={query.from ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="a-to">{t("to")}</label>
          <input id="a-to" name="to" type="date" defaultValue={query.to ?? ""} />
        </div>
        <div className="field" style={{ alignSelf: "end" }}>
          <button type="submit">{t("apply")}</button>
        </div>
      </form>
      {filterError && (
        <p className="error" role="alert">
          {filterError}
        </p>
      )}
      <p>
        <a href={`/api/v1/audit.csv?${exportQuery}`} download>
          {t("export")}
        </a>
      </p>
      <div className="scroll" tabIndex={0} role="region" aria-label={t("title")}>
        <table data-testid="audit-log">
          <thead>
            <tr>
              <th scope="col">{t("when")}</th>
              <th scope="col">{t("who")}</th>
              <th scope="col">{t("what")}</th>
              <th scope="col">{t("record")}</th>
              <th scope="col">{t("reason")}</th>
              <th scope="col">{t("change")}</th>
            </tr>
          </thead>
          <tbody>
            {result.items.map((row) => (
              <tr key={row.id}>
                <td>
                  <LocalTime iso={row.at} />
                </td>
                <td translate="no">{row.actor ?? "—"}</td>
                <td>
                  {t.has(`actions.${row.action.replaceAll(".", "_")}`) ? (
                    <>
                      <span>{t(`actions.${row.action.replaceAll(".", "_")}` as "actions.trial_update")}</span>
                      <br />
                    </>
                  ) : null}
                  <code translate="no">{row.action}</code>
                </td>
                <td translate="no">
                  {row.entityType} {row.entityName ? <strong>{row.entityName}</strong> : null}
                  {row.entityId && row.entityId !== row.entityName ? <small className="muted"> {row.entityId}</small> : null}
                </td>
                <td>{row.reason}</td>
                <td>
                  <AuditChanges before={row.before} after={row.after} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {result.next && (
        <p>
          <Link href={`?${new URLSearchParams({ ...query, before: result.next })}`}>{t("more")}</Link>
        </p>
      )}
    </>
  );
}
