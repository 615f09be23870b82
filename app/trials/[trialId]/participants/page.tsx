import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { canSeePatientRows } from "@/lib/auth/access";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import { db } from "@/lib/db/client";
import { siteName } from "@/lib/i18n/format";
import { registrationOptions } from "@/lib/participants/options";
import { listParticipants } from "@/lib/participants/queries";
import { AppError } from "@/lib/http/errors";
import type { Locale } from "@/lib/i18n/config";
import { renderRefusal } from "@/lib/i18n/messages";
import { CalendarDate } from "@/app/components/CalendarDate";

export const dynamic = "force-dynamic";

const STATUSES = ["SCREENED", "ELIGIBLE", "SCREEN_FAILED", "CONSENTED", "ENROLLED", "WITHDRAWN", "COMPLETED"] as const;
const FILTERS = ["siteId", "status", "subtype", "from", "to", "includeVoided", "cursor"] as const;

export default async function ParticipantsPage({
  params,
  searchParams,
}: {
  params: Promise<{ trialId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { trialId } = await params;
  const raw = await searchParams;
  const actor = await requirePageActor();
  const options = await loadOrNotFound(() => registrationOptions(actor, trialId));
  const [t, locale] = await Promise.all([getTranslations(), getLocale()]);
  if (!canSeePatientRows(options.access)) {
    return (
      <p className="notice" data-testid="counts-only">
        {t("trial.countsOnly")}
      </p>
    );
  }
  const query: Record<string, string> = { limit: "50" };
  for (const key of FILTERS) {
    const value = raw[key];
    if (typeof value === "string" && value.trim()) query[key] = value.trim();
  }
  let list: Awaited<ReturnType<typeof listParticipants>> | null = null;
  let filterError: string | null = null;
  try {
    list = await listParticipants(actor, trialId, query);
  } catch (error) {
    if (!(error instanceof AppError) || error.code === "not_found") throw error;
    filterError = renderRefusal(error, locale as Locale);
  }
  const sites = await db().site.findMany({
    where: options.access.patientSites === "all" ? { trialSites: { some: { trialId } } } : { id: { in: [...options.access.patientSites] } },
    select: { id: true, nameEn: true, nameLocal: true, code: true },
    orderBy: { code: "asc" },
  });
  const siteById = new Map(sites.map((s) => [s.id, s]));
  const cohortById = new Map(options.cohorts.map((c) => [c.id, c]));
  const nextHref = list?.nextCursor ? `?${new URLSearchParams({ ...query, cursor: list.nextCursor, limit: "50" })}` : null;

  return (
    <>
      <p translate="no">
        <Link href={`/trials/${trialId}`}>← {options.trialCode}</Link>
      </p>
      <h1>
        {t("participants.title")}: <span translate="no">{options.trialCode}</span>
      </h1>
      {options.sites.length > 0 && (
        <p>
          <Link className="button primary" href={`/trials/${trialId}/participants/new`}>
            {t("participants.register")}
          </Link>{" "}
          <Link href={`/trials/${trialId}/participants/import`}>{t("import.link")}</Link>
        </p>
      )}
      <form method="get" className="card filters" aria-label={t("participants.filters")}>
        <div className="field">
          <label htmlFor="f-site">{t("participants.site")}</label>
          <select id="f-site" name="siteId" defaultValue={query.siteId ?? ""}>
            <option value="">{t("participants.allSites")}</option>
            {sites.map((s) => (
              <option key={s.id} value={s.id} translate="no">
                {siteName(s, locale)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-status">{t("participants.status")}</label>
          <select id="f-status" name="status" defaultValue={query.status ?? ""}>
            <option value="">{t("participants.anyStatus")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-subtype">{t("participants.subtype")}</label>
          <input id="f-subtype" name="subtype" defaultValue={query.subtype ?? ""} placeholder={t("participants.subtypePlaceholder")} maxLength={100} />
        </div>
        <div className="field">
          <label htmlFor="f-from">{t("participants.from")}</label>
          <input id="f-from" name="from" type="date" defaultValue={query.from ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="f-to">{t("participants.toDate")}</label>
          <input id="f-to" name="to" type="date" defaultValue={query.to ?? ""} />
        </div>
        <div className="field checkbox" style={{ alignSelf: "end" }}>
          <label>
            <input type="checkbox" name="includeVoided" value="true" defaultChecked={query.includeVoided === "true"} /> {t("participants.showVoided")}
          </label>
        </div>
        <div className="field" style={{ alignSelf: "end" }}>
          <button type="submit">{t("participants.apply")}</button>
        </div>
      </form>
      {filterError && (
        <p className="error" role="alert">
          {filterError}
        </p>
      )}
      {list && (
        <>
          <p className="muted" data-testid="total">
            {t("participants.total", { total: list.total })}
          </p>
          {list.items.length === 0 ? (
            <p>{t("participants.none")}</p>
          ) : (
            <table data-testid="participant-list">
              <thead>
                <tr>
                  <th scope="col">{t("participants.screeningNumber")}</th>
                  <th scope="col">{t("participants.site")}</th>
                  <th scope="col">{t("participants.screeningDate")}</th>
                  <th scope="col">{t("participants.status")}</th>
                  <th scope="col">{t("participants.results")}</th>
                  <th scope="col">{t("participants.cohort")}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((p) => (
                  <tr key={p.id}>
                    <td translate="no">
                      <Link href={`/trials/${trialId}/participants/${p.id}`}>{p.screeningNumber}</Link>
                    </td>
                    <td translate="no">{siteById.get(p.siteId) ? siteName(siteById.get(p.siteId)!, locale) : p.siteId}</td>
                    <td>
                      <CalendarDate iso={p.screeningDate} locale={locale} />
                    </td>
                    <td>
                      {t(`status.${p.status}`)}
                      {p.screenFailureReason ? (
                        <small className="muted"> · {t(`participants.reasons.${p.screenFailureReason}` as "participants.reasons.OTHER")}</small>
                      ) : null}
                      {p.voided ? (
                        <>
                          {" "}
                          <span className="badge" data-testid="voided">
                            {t("participants.voided")}
                          </span>
                        </>
                      ) : null}
                    </td>
                    <td translate="no">
                      {p.results
                        .filter((r) => r.result === "detected")
                        .map((r) => r.subtype)
                        .join(", ") || "—"}
                    </td>
                    <td translate="no">{p.cohortId ? cohortById.get(p.cohortId)?.code : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p>
            {query.cursor && (
              <Link href={`?${new URLSearchParams(Object.fromEntries(Object.entries(query).filter(([k]) => k !== "cursor")))}`}>{t("participants.first")}</Link>
            )}{" "}
            {nextHref && <Link href={nextHref}>{t("participants.next")}</Link>}
          </p>
        </>
      )}
    </>
  );
}
