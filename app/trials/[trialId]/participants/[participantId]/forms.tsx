"use client";
import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import { correctAction, transitionAction, voidAction, type FormState } from "../actions";
import { FieldError, FormMessage } from "../FormBits";

interface Base {
  trialId: string;
  participantId: string;
  version: number;
}

export function TransitionForm({
  trialId,
  participantId,
  version,
  next,
  cohorts,
  failureReasons,
  withdrawalReasons,
  lastDate,
}: Base & {
  next: string[];
  cohorts: { id: string; name: string }[];
  failureReasons: string[];
  withdrawalReasons: string[];
  lastDate: string;
}) {
  const t = useTranslations();
  const [state, action, pending] = useActionState<FormState, FormData>(transitionAction.bind(null, trialId, participantId), {});
  const [to, setTo] = useState(next[0]!);
  const errors = state.fieldErrors ?? {};
  const reasons = to === "SCREEN_FAILED" ? failureReasons : to === "WITHDRAWN" ? withdrawalReasons : [];
  return (
    <form action={action} className="card form wide" aria-labelledby="move-title" key={version}>
      <h2 id="move-title">{t("participants.moveTitle")}</h2>
      <FormMessage state={state} />
      <input type="hidden" name="version" value={version} />
      <div className="field">
        <label htmlFor="to">{t("participants.to")}</label>
        <select id="to" name="to" value={to} onChange={(e) => setTo(e.target.value)} aria-describedby="to-error">
          {next.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}` as "status.ENROLLED")}
            </option>
          ))}
        </select>
        <FieldError id="to-error" messages={errors.to} />
      </div>
      <div className="field">
        <label htmlFor="date">{t("participants.date")}</label>
        <input id="date" name="date" type="date" min={lastDate} required aria-describedby="date-error" />
        <FieldError id="date-error" messages={errors.date} />
      </div>
      {to === "ENROLLED" && (
        <>
          <div className="field">
            <label htmlFor="cohortId">{t("participants.cohortChoose")}</label>
            <select id="cohortId" name="cohortId" aria-describedby="cohortId-error">
              {cohorts.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <FieldError id="cohortId-error" messages={errors.cohortId} />
          </div>
          <label className="inline">
            <input type="checkbox" name="override" /> {t("participants.override")}
          </label>
        </>
      )}
      {reasons.length > 0 && (
        <div className="field">
          <label htmlFor="reasonCode">{t("participants.reasonCode")}</label>
          <select id="reasonCode" name="reasonCode" aria-describedby="reasonCode-error">
            {reasons.map((r) => (
              <option key={r} value={r}>
                {t(`participants.reasons.${r}` as "participants.reasons.OTHER")}
              </option>
            ))}
          </select>
          <FieldError id="reasonCode-error" messages={errors.reasonCode} />
        </div>
      )}
      <div className="field">
        <label htmlFor="reason">{t("participants.reasonText")}</label>
        <input id="reason" name="reason" maxLength={500} aria-describedby="reason-error" />
        <FieldError id="reason-error" messages={errors.reason} />
      </div>
      <button className="primary" type="submit" disabled={pending}>
        {t("participants.move")}
      </button>
    </form>
  );
}

export function CorrectionForm({ trialId, participantId, version, age, sex, screeningDate }: Base & { age: number; sex: string; screeningDate: string }) {
  const t = useTranslations("participants");
  const [state, action, pending] = useActionState<FormState, FormData>(correctAction.bind(null, trialId, participantId), {});
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="card form wide" aria-labelledby="correct-title" key={version}>
      <h2 id="correct-title">{t("correctTitle")}</h2>
      <FormMessage state={state} />
      <input type="hidden" name="version" value={version} />
      <div className="field">
        <label htmlFor="c-age">{t("age")}</label>
        <input id="c-age" name="ageAtScreening" type="number" min={18} max={120} defaultValue={age} aria-describedby="c-age-error" />
        <FieldError id="c-age-error" messages={errors.ageAtScreening} />
      </div>
      <div className="field">
        <label htmlFor="c-sex">{t("sex")}</label>
        <select id="c-sex" name="sex" defaultValue={sex}>
          {(["female", "male", "unknown"] as const).map((s) => (
            <option key={s} value={s}>
              {t(`sexes.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="c-date">{t("screeningDate")}</label>
        <input id="c-date" name="screeningDate" type="date" defaultValue={screeningDate} aria-describedby="c-date-error" />
        <FieldError id="c-date-error" messages={errors.screeningDate} />
      </div>
      <div className="field">
        <label htmlFor="c-reason">{t("correctReason")}</label>
        <input id="c-reason" name="reason" required maxLength={500} aria-describedby="c-reason-error" />
        <FieldError id="c-reason-error" messages={errors.reason} />
      </div>
      <button type="submit" disabled={pending}>
        {t("correct")}
      </button>
    </form>
  );
}

export function VoidForm({ trialId, participantId, version }: Base) {
  const t = useTranslations("participants");
  const [state, action, pending] = useActionState<FormState, FormData>(voidAction.bind(null, trialId, participantId), {});
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="card form wide" aria-labelledby="void-title" key={version}>
      <h2 id="void-title">{t("voidTitle")}</h2>
      <p className="muted">{t("voidHelp")}</p>
      <FormMessage state={state} />
      <input type="hidden" name="version" value={version} />
      <div className="field">
        <label htmlFor="v-reason">{t("voidReason")}</label>
        <input id="v-reason" name="reason" required maxLength={500} aria-describedby="v-reason-error" />
        <FieldError id="v-reason-error" messages={errors.reason} />
      </div>
      <button type="submit" disabled={pending}>
        {t("void")}
      </button>
    </form>
  );
}
