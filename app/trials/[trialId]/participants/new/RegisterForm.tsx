"use client";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useKeptAction } from "@/app/components/ActionForm";
import { registerAction } from "../actions";
import { FieldError, FormMessage, ResultRows, type ResultValue } from "../FormBits";

interface Props {
  trialId: string;
  /** One key per rendering of the form: a double submit registers one patient. */
  idempotencyKey: string;
  sites: { id: string; name: string; today: string }[];
  subtypes: string[];
  /** What a pre-screening already knows (lib/matching): the site, the age and the results, filled in. */
  prefill?: { siteId?: string | undefined; age?: number | undefined; results?: ResultValue[] | undefined };
}

export function RegisterForm({ trialId, idempotencyKey, sites, subtypes, prefill = {} }: Props) {
  const t = useTranslations("participants");
  // A refusal keeps everything typed (the screening date too), and focus goes to the problems.
  const { state, formAction: action, pending, formRef, summaryRef, kept, generation } = useKeptAction(registerAction.bind(null, trialId));
  const [siteId, setSiteId] = useState((sites.find((s) => s.id === prefill.siteId) ?? sites[0]!).id); // uncontrolled select (a form reset must not part it from this)
  const today = sites.find((s) => s.id === siteId)?.today;
  const errors = state.fieldErrors ?? {};
  const invalid = (name: string) => (errors[name] ? true : undefined);

  return (
    <form ref={formRef} action={action} className="form wide" noValidate>
      <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
      <div ref={summaryRef} tabIndex={-1} data-testid="form-status">
        <FormMessage state={state} />
      </div>
      <div key={generation} className="fields">
        <div className="field">
          <label htmlFor="siteId">{t("site")}</label>
          <select id="siteId" name="siteId" defaultValue={siteId} onChange={(e) => setSiteId(e.target.value)} aria-describedby="siteId-error">
            {sites.map((s) => (
              <option key={s.id} value={s.id} translate="no">
                {s.name}
              </option>
            ))}
          </select>
          <FieldError id="siteId-error" messages={errors.siteId} />
        </div>
        <div className="field">
          <label htmlFor="screeningDate">{t("screeningDate")}</label>
          <input
            id="screeningDate"
            name="screeningDate"
            type="date"
            defaultValue={kept("screeningDate") ?? today}
            max={today}
            required
            aria-invalid={invalid("screeningDate")}
            aria-describedby="screeningDate-error"
          />
          <FieldError id="screeningDate-error" messages={errors.screeningDate} />
        </div>
        <div className="field">
          <label htmlFor="ageAtScreening">{t("age")}</label>
          <input
            id="ageAtScreening"
            name="ageAtScreening"
            type="number"
            min={18}
            max={120}
            step={1}
            required
            defaultValue={kept("ageAtScreening") ?? prefill.age}
            aria-invalid={invalid("ageAtScreening")}
            aria-describedby="ageAtScreening-error"
          />
          <FieldError id="ageAtScreening-error" messages={errors.ageAtScreening} />
        </div>
        <fieldset className="field">
          <legend>{t("sex")}</legend>
          {(["female", "male", "unknown"] as const).map((sex) => (
            <label key={sex} className="inline">
              <input type="radio" name="sex" value={sex} required defaultChecked={kept("sex") === sex} aria-describedby="sex-error" /> {t(`sexes.${sex}`)}
            </label>
          ))}
          <FieldError id="sex-error" messages={errors.sex} />
        </fieldset>
        <ResultRows idPrefix="r" subtypes={subtypes} initial={prefill.results} values={state.values} errors={errors} suggestions={state.suggestions} />
      </div>
      <button className="primary" type="submit" disabled={pending}>
        {pending ? t("saving") : t("save")}
      </button>
    </form>
  );
}
