"use client";
// The participant page's forms, on the form kit (app/components/ActionForm.tsx useKeptAction): after a refusal each
// keeps what was typed, marks the failed fields and moves focus to the problems. Each form is keyed by the record's
// version on the page, so after a change it starts again from the record as it now is.
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useKeptAction } from "@/app/components/ActionForm";
import { correctAction, holdPlaceAction, releasePlaceAction, transitionAction, voidAction } from "../actions";
import { FieldError, FormMessage, ResultRows, type ResultValue } from "../FormBits";

interface Base {
  trialId: string;
  participantId: string;
  version: number;
}

type Translate = ReturnType<typeof useTranslations<"participants">>;

function ReasonChoice({
  id,
  name,
  label,
  reasons,
  value,
  errors,
  t,
}: {
  id: string;
  name: string;
  label: string;
  reasons: string[];
  value?: string | null;
  errors?: string[];
  t: Translate;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={value ?? undefined} aria-invalid={errors ? true : undefined} aria-describedby={`${id}-error`}>
        {reasons.map((r) => (
          <option key={r} value={r}>
            {t(`reasons.${r}` as "reasons.OTHER")}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}

export function TransitionForm({
  trialId,
  participantId,
  version,
  next,
  cohorts,
  suggestedCohortId,
  failureReasons,
  withdrawalReasons,
  lastDate,
}: Base & {
  next: string[];
  cohorts: { id: string; name: string }[];
  /** The cohort that accepts one of the patient's detected alterations, offered first. */
  suggestedCohortId: string | null;
  failureReasons: string[];
  withdrawalReasons: string[];
  lastDate: string;
}) {
  const t = useTranslations();
  const p = useTranslations("participants");
  const { state, formAction, pending, formRef, summaryRef, kept, generation } = useKeptAction(transitionAction.bind(null, trialId, participantId));
  // Uncontrolled, like every field of the kit: React resets a form after its action, and a controlled select would
  // be reset in the page while its state kept the old choice.
  const [to, setTo] = useState(kept("to") ?? next[0]!);
  const errors = state.fieldErrors ?? {};
  const reasons = to === "SCREEN_FAILED" ? failureReasons : to === "WITHDRAWN" ? withdrawalReasons : [];
  return (
    <form ref={formRef} action={formAction} className="card form wide" aria-labelledby="move-title">
      <h2 id="move-title">{p("moveTitle")}</h2>
      <div ref={summaryRef} tabIndex={-1} data-testid="move-status">
        <FormMessage state={state} />
      </div>
      <input type="hidden" name="version" value={version} />
      <div key={generation} className="fields">
        <div className="field">
          <label htmlFor="to">{p("to")}</label>
          <select
            id="to"
            name="to"
            defaultValue={to}
            onChange={(e) => setTo(e.target.value)}
            aria-describedby="to-error"
            aria-invalid={errors.to ? true : undefined}
          >
            {next.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}` as "status.ENROLLED")}
              </option>
            ))}
          </select>
          <FieldError id="to-error" messages={errors.to} />
        </div>
        <div className="field">
          <label htmlFor="date">{p("date")}</label>
          <input
            id="date"
            name="date"
            type="date"
            min={lastDate}
            required
            defaultValue={kept("date")}
            aria-invalid={errors.date ? true : undefined}
            aria-describedby="date-error"
          />
          <FieldError id="date-error" messages={errors.date} />
        </div>
        {to === "ENROLLED" && (
          <>
            <div className="field">
              <label htmlFor="cohortId">{p("cohortChoose")}</label>
              <select
                id="cohortId"
                name="cohortId"
                defaultValue={kept("cohortId") ?? suggestedCohortId ?? undefined}
                aria-invalid={errors.cohortId ? true : undefined}
                aria-describedby="cohortId-error"
              >
                {cohorts.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
              <FieldError id="cohortId-error" messages={errors.cohortId} />
            </div>
            <label className="inline">
              <input type="checkbox" name="override" defaultChecked={kept("override") === "on"} /> {p("override")}
            </label>
          </>
        )}
        {reasons.length > 0 && (
          <ReasonChoice
            id="reasonCode"
            name="reasonCode"
            label={p("reasonCode")}
            reasons={reasons}
            value={kept("reasonCode")}
            errors={errors.reasonCode}
            t={p}
          />
        )}
        <div className="field">
          <label htmlFor="reason">{p("reasonText")}</label>
          <input
            id="reason"
            name="reason"
            maxLength={500}
            defaultValue={kept("reason")}
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby="reason-error"
          />
          <FieldError id="reason-error" messages={errors.reason} />
        </div>
      </div>
      <button className="primary" type="submit" disabled={pending}>
        {p("move")}
      </button>
    </form>
  );
}

export function CorrectionForm({
  trialId,
  participantId,
  version,
  age,
  sex,
  screeningDate,
  results,
  subtypes,
}: Base & { age: number; sex: string; screeningDate: string; results: ResultValue[]; subtypes: string[] }) {
  const t = useTranslations("participants");
  const { state, formAction, pending, formRef, summaryRef, kept, generation } = useKeptAction(correctAction.bind(null, trialId, participantId));
  const errors = state.fieldErrors ?? {};
  return (
    <form ref={formRef} action={formAction} className="card form wide" aria-labelledby="correct-title">
      <h2 id="correct-title">{t("correctTitle")}</h2>
      <div ref={summaryRef} tabIndex={-1} data-testid="correct-status">
        <FormMessage state={state} />
      </div>
      <input type="hidden" name="version" value={version} />
      <div key={generation} className="fields">
        <div className="field">
          <label htmlFor="c-age">{t("age")}</label>
          <input
            id="c-age"
            name="ageAtScreening"
            type="number"
            min={18}
            max={120}
            defaultValue={kept("ageAtScreening") ?? age}
            aria-invalid={errors.ageAtScreening ? true : undefined}
            aria-describedby="c-age-error"
          />
          <FieldError id="c-age-error" messages={errors.ageAtScreening} />
        </div>
        <div className="field">
          <label htmlFor="c-sex">{t("sex")}</label>
          <select id="c-sex" name="sex" defaultValue={kept("sex") ?? sex}>
            {(["female", "male", "unknown"] as const).map((s) => (
              <option key={s} value={s}>
                {t(`sexes.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="c-date">{t("screeningDate")}</label>
          <input
            id="c-date"
            name="screeningDate"
            type="date"
            defaultValue={kept("screeningDate") ?? screeningDate}
            aria-invalid={errors.screeningDate ? true : undefined}
            aria-describedby="c-date-error"
          />
          <FieldError id="c-date-error" messages={errors.screeningDate} />
        </div>
        <ResultRows idPrefix="c" subtypes={subtypes} initial={results} values={state.values} errors={errors} suggestions={state.suggestions} />
        <div className="field">
          <label htmlFor="c-reason">{t("correctReason")}</label>
          <input
            id="c-reason"
            name="reason"
            required
            maxLength={500}
            defaultValue={kept("reason")}
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby="c-reason-error"
          />
          <FieldError id="c-reason-error" messages={errors.reason} />
        </div>
      </div>
      <button type="submit" disabled={pending}>
        {t("correct")}
      </button>
    </form>
  );
}

/** A correction of one step of the path: its date, its reason (screen failure, withdrawal) or its note. */
export function StepCorrectionForm({
  trialId,
  participantId,
  version,
  step,
  reasons,
}: Base & { step: { id: string; date: string; reasonCode: string | null; note: string | null }; reasons: string[] }) {
  const t = useTranslations("participants");
  const { state, formAction, pending, formRef, summaryRef, kept, generation } = useKeptAction(correctAction.bind(null, trialId, participantId));
  const errors = state.fieldErrors ?? {};
  const id = (name: string) => `s-${step.id}-${name}`;
  return (
    <form ref={formRef} action={formAction} className="form step-correction" aria-label={t("correctStep")}>
      <div ref={summaryRef} tabIndex={-1} data-testid="step-status">
        <FormMessage state={state} />
      </div>
      <input type="hidden" name="version" value={version} />
      <input type="hidden" name="step.id" value={step.id} />
      <div key={generation} className="fields">
        <div className="field">
          <label htmlFor={id("date")}>{t("stepDate")}</label>
          <input
            id={id("date")}
            name="step.date"
            type="date"
            required
            defaultValue={kept("step.date") ?? step.date}
            aria-invalid={errors["step.date"] ? true : undefined}
            aria-describedby={`${id("date")}-error`}
          />
          <FieldError id={`${id("date")}-error`} messages={errors["step.date"]} />
        </div>
        {reasons.length > 0 && (
          <ReasonChoice
            id={id("code")}
            name="step.reasonCode"
            label={t("stepReasonCode")}
            reasons={reasons}
            value={kept("step.reasonCode") ?? step.reasonCode}
            errors={errors["step.reasonCode"]}
            t={t}
          />
        )}
        <div className="field">
          <label htmlFor={id("note")}>{t("stepNote")}</label>
          <input
            id={id("note")}
            name="step.note"
            maxLength={500}
            defaultValue={kept("step.note") ?? step.note ?? ""}
            aria-invalid={errors["step.note"] ? true : undefined}
            aria-describedby={`${id("note")}-error`}
          />
          <FieldError id={`${id("note")}-error`} messages={errors["step.note"]} />
        </div>
        <div className="field">
          <label htmlFor={id("reason")}>{t("stepWhy")}</label>
          <input
            id={id("reason")}
            name="reason"
            required
            maxLength={500}
            defaultValue={kept("reason")}
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby={`${id("reason")}-error`}
          />
          <FieldError id={`${id("reason")}-error`} messages={errors.reason ?? errors["step.id"]} />
        </div>
      </div>
      <button type="submit" disabled={pending}>
        {t("correctStepSave")}
      </button>
    </form>
  );
}

export function VoidForm({ trialId, participantId, version }: Base) {
  const t = useTranslations("participants");
  const { state, formAction, pending, formRef, summaryRef, kept, generation } = useKeptAction(voidAction.bind(null, trialId, participantId));
  const errors = state.fieldErrors ?? {};
  return (
    <form ref={formRef} action={formAction} className="card form wide" aria-labelledby="void-title">
      <h2 id="void-title">{t("voidTitle")}</h2>
      <p className="muted">{t("voidHelp")}</p>
      <div ref={summaryRef} tabIndex={-1} data-testid="void-status">
        <FormMessage state={state} />
      </div>
      <input type="hidden" name="version" value={version} />
      <div className="field" key={generation}>
        <label htmlFor="v-reason">{t("voidReason")}</label>
        <input
          id="v-reason"
          name="reason"
          required
          maxLength={500}
          defaultValue={kept("reason")}
          aria-invalid={errors.reason ? true : undefined}
          aria-describedby="v-reason-error"
        />
        <FieldError id="v-reason-error" messages={errors.reason} />
      </div>
      <button type="submit" disabled={pending}>
        {t("void")}
      </button>
    </form>
  );
}

/** Holding a place in one cohort for a consented patient (or joining its waitlist), and releasing it. */
export function PlaceForm({
  trialId,
  participantId,
  cohortId,
  cohortName,
  held,
}: Omit<Base, "version"> & { cohortId: string; cohortName: string; held: boolean }) {
  const t = useTranslations("places");
  const action = held ? releasePlaceAction.bind(null, trialId, participantId, cohortId) : holdPlaceAction.bind(null, trialId, participantId, cohortId);
  const { state, formAction, pending, formRef, summaryRef } = useKeptAction(action);
  return (
    <form ref={formRef} action={formAction} className="inline-form" aria-label={t(held ? "releaseIn" : "holdIn", { cohort: cohortName })}>
      {!held && (
        <>
          <label htmlFor={`days-${cohortId}`}>{t("days")}</label>{" "}
          <select id={`days-${cohortId}`} name="days" defaultValue="7">
            {[3, 7, 14, 30].map((d) => (
              <option key={d} value={d}>
                {t("daysN", { days: d })}
              </option>
            ))}
          </select>{" "}
        </>
      )}
      <button type="submit" disabled={pending}>
        {t(held ? "release" : "hold")}
      </button>
      <div ref={summaryRef} tabIndex={-1} data-testid={`place-status-${cohortId}`}>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
