import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { CalendarDate } from "@/app/components/CalendarDate";
import { AuditChanges } from "@/app/components/AuditChanges";
import { LocalTime } from "@/app/components/LocalTime";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import { db } from "@/lib/db/client";
import { siteName } from "@/lib/i18n/format";
import { getParticipant, participantAudit } from "@/lib/participants/queries";
import { SCREEN_FAILURE_REASONS, WITHDRAWAL_REASONS } from "@/lib/participants/status";
import { NEXT } from "@/lib/participants/transition";
import { CorrectionForm, PlaceForm, StepCorrectionForm, TransitionForm, VoidForm } from "./forms";
import { recordedPatientCohorts } from "@/lib/matching/match";
import type { Locale } from "@/lib/i18n/config";

export const dynamic = "force-dynamic";

export default async function ParticipantPage({ params }: { params: Promise<{ trialId: string; participantId: string }> }) {
  const { trialId, participantId } = await params;
  const actor = await requirePageActor();
  const { participant: p, history, can } = await loadOrNotFound(() => getParticipant(actor, trialId, participantId));
  const [audit, site, vocabulary, t, locale, fits] = await Promise.all([
    participantAudit(actor, trialId, participantId),
    db().site.findUniqueOrThrow({ where: { id: p.siteId }, select: { nameEn: true, nameLocal: true, timeZone: true } }),
    db().subtype.findMany({ where: { active: true }, select: { key: true, synonyms: true }, orderBy: { key: "asc" } }),
    getTranslations(),
    getLocale(),
    getLocale().then((l) => recordedPatientCohorts(trialId, participantId, l as Locale)),
  ]);
  const cohortName = (id: string | null) => fits.find((c) => c.cohortId === id)?.name ?? "—"; // fits: every cohort of the trial
  const reasonLabel = (code: string | null) => (code ? t(`participants.reasons.${code}` as "participants.reasons.OTHER") : "");
  const next = NEXT[p.status];
  // The cohort to offer first at enrolment: one whose criteria in force the patient's results meet.
  const suggestedCohortId = fits.find((f) => f.outcome === "met" && f.state !== "closed" && f.state !== "suspended")?.cohortId ?? null;
  const mayHold = !p.voided && can.transition && p.status === "CONSENTED";
  const editable = !p.voided && can.edit;
  const stepReasons = (to: string) => (to === "SCREEN_FAILED" ? [...SCREEN_FAILURE_REASONS] : to === "WITHDRAWN" ? [...WITHDRAWAL_REASONS] : []);

  return (
    <>
      <p>
        <Link href={`/trials/${trialId}/participants`}>← {t("participants.title")}</Link>
      </p>
      <h1 translate="no">{p.screeningNumber}</h1>
      {p.voided && (
        <p className="notice" role="status">
          {t("participants.voidedBecause", { reason: p.voidReason ?? "" })}
        </p>
      )}
      <section className="card">
        <dl className="facts" data-testid="participant-facts">
          <dt>{t("participants.site")}</dt>
          <dd translate="no">{siteName(site, locale)}</dd>
          <dt>{t("participants.screeningDate")}</dt>
          <dd data-testid="screening-date">
            <CalendarDate iso={p.screeningDate} locale={locale} />
          </dd>
          <dt>{t("participants.age")}</dt>
          <dd data-testid="age">{p.ageAtScreening}</dd>
          <dt>{t("participants.sex")}</dt>
          <dd>{t(`participants.sexes.${p.sex}`)}</dd>
          <dt>{t("participants.status")}</dt>
          <dd data-testid="status">{t(`status.${p.status}`)}</dd>
          <dt>{t("participants.cohort")}</dt>
          <dd translate="no">{cohortName(p.cohortId)}</dd>
          <dt>{t("participants.results")}</dt>
          <dd>
            <ul>
              {p.results.map((r) => (
                <li key={r.subtype}>
                  <span translate="no">{r.subtype}</span>: {t(`participants.resultValues.${r.result}`)} ({t(`participants.methods.${r.method}`)})
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      </section>

      <section aria-labelledby="fits-title" data-testid="cohort-fits">
        <h2 id="fits-title">{t("places.title")}</h2>
        <ul className="matches">
          {fits.map((f) => (
            <li key={f.cohortId} data-testid={`fit-${f.code}`} data-outcome={f.outcome} data-state={f.state}>
              <strong translate="no">{f.name}</strong> <span className={`badge outcome-${f.outcome}`}>{t(`match.outcome.${f.outcome}`)}</span>{" "}
              <span className={`badge state-${f.state}`}>{t(`match.state.${f.state}`, { places: f.placesLeft })}</span>
              {f.heldUntil && (
                <span className="badge" data-testid={`held-${f.code}`}>
                  {" "}
                  {t("places.heldUntil")} <LocalTime iso={f.heldUntil} />
                </span>
              )}
              {f.waitingPosition !== null && <span className="badge"> {t("places.waitingAt", { position: f.waitingPosition })}</span>}
              <ul>
                {f.reasons.map((r, i) => (
                  <li key={i}>
                    {r.outcome === "met" ? "✓" : r.outcome === "failed" ? "✗" : "?"} {r.text}
                  </li>
                ))}
              </ul>
              {mayHold && f.outcome === "met" && f.state !== "closed" && f.state !== "suspended" && (
                <PlaceForm
                  trialId={trialId}
                  participantId={p.id}
                  cohortId={f.cohortId}
                  cohortName={f.name}
                  held={f.heldUntil !== null || f.waitingPosition !== null}
                />
              )}
            </li>
          ))}
        </ul>
      </section>

      <h2>{t("participants.history")}</h2>
      <table data-testid="history">
        <thead>
          <tr>
            <th scope="col">{t("participants.step")}</th>
            <th scope="col">{t("participants.date")}</th>
            <th scope="col">{t("participants.reason")}</th>
            <th scope="col">{t("participants.recordedAt")}</th>
          </tr>
        </thead>
        <tbody>
          {history.map((h, i) => (
            <tr key={i}>
              <td>
                {t(`status.${h.to}`)}
                {h.cohortId ? <span translate="no"> · {cohortName(h.cohortId)}</span> : ""}
              </td>
              <td>
                <CalendarDate iso={h.date} locale={locale} />
                {h.corrected && h.corrected.date !== h.date ? (
                  <small className="muted" data-testid="corrected-from">
                    {" "}
                    ({t("participants.correctedFrom")} <CalendarDate iso={h.corrected.date} locale={locale} />)
                  </small>
                ) : null}
                {editable && h.to !== "SCREENED" ? (
                  <details className="step-correct">
                    <summary>{t("participants.correctStep")}</summary>
                    <StepCorrectionForm
                      key={`step-${p.version}`}
                      trialId={trialId}
                      participantId={p.id}
                      version={p.version}
                      step={{ id: h.id, date: h.date, reasonCode: h.reasonCode, note: h.reason }}
                      reasons={stepReasons(h.to)}
                    />
                  </details>
                ) : null}
              </td>
              <td>{[reasonLabel(h.reasonCode), h.reason].filter(Boolean).join(": ")}</td>
              <td>
                <LocalTime iso={h.recordedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {!p.voided && can.transition && next.length > 0 && (
        <TransitionForm
          key={`move-${p.version}`} // a new record state, a new form: its step, fields and messages start from the record as it is now
          trialId={trialId}
          participantId={p.id}
          version={p.version}
          next={[...next]}
          cohorts={fits.map((c) => ({ id: c.cohortId, name: c.name }))}
          suggestedCohortId={suggestedCohortId}
          failureReasons={[...SCREEN_FAILURE_REASONS]}
          withdrawalReasons={[...WITHDRAWAL_REASONS]}
          lastDate={history.at(-1)?.date ?? p.screeningDate}
        />
      )}
      {!p.voided && can.edit && (
        <>
          <CorrectionForm
            key={`correct-${p.version}`}
            trialId={trialId}
            participantId={p.id}
            version={p.version}
            age={p.ageAtScreening}
            sex={p.sex}
            screeningDate={p.screeningDate}
            results={p.results.map((r) => ({ subtype: r.subtype, result: r.result, method: r.method }))}
            subtypes={vocabulary.flatMap((s) => [s.key, ...s.synonyms])}
          />
          <VoidForm key={`void-${p.version}`} trialId={trialId} participantId={p.id} version={p.version} />
        </>
      )}

      <h2>{t("participants.auditTitle")}</h2>
      <div className="scroll" tabIndex={0} role="region" aria-label={t("participants.auditTitle")}>
        <table data-testid="audit">
          <thead>
            <tr>
              <th scope="col">{t("participants.when")}</th>
              <th scope="col">{t("participants.who")}</th>
              <th scope="col">{t("participants.what")}</th>
              <th scope="col">{t("participants.reason")}</th>
              <th scope="col">{t("audit.change")}</th>
            </tr>
          </thead>
          <tbody>
            {audit.map((a) => (
              <tr key={a.id}>
                <td>
                  <LocalTime iso={a.at} />
                </td>
                <td translate="no">{a.actor}</td>
                <td>
                  {t.has(`participants.actions.${a.action.replaceAll(".", "_")}`)
                    ? t(`participants.actions.${a.action.replaceAll(".", "_")}` as "participants.actions.participant_create")
                    : a.action}
                </td>
                <td>{a.reason}</td>
                <td>{a.action === "participant.create" ? null : <AuditChanges before={a.before} after={a.after} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
