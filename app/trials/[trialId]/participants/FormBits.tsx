"use client";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { ActionState } from "@/app/components/ActionForm";
import { METHODS, RESULTS } from "@/lib/participants/values";

export function FieldError({ id, messages }: { id: string; messages?: string[] | undefined }) {
  return (
    <span id={id} className="error" aria-live="polite">
      {messages?.join(" ")}
    </span>
  );
}

export function FormMessage({ state }: { state: ActionState }) {
  if (!state.message) return null;
  return (
    <p className={state.ok ? "success" : "error"} role={state.ok ? "status" : "alert"}>
      {state.message}
    </p>
  );
}

export interface ResultValue {
  subtype: string;
  result: string;
  method: string;
}

/**
 * The molecular results of a record as rows of subtype, result and method (`results.N.field`), for registration and
 * correction. After a refusal the rows are what was submitted (`values`), else `initial`, else one empty row.
 */
export function ResultRows({
  idPrefix,
  subtypes,
  initial = [],
  values,
  errors,
  suggestions,
}: {
  idPrefix: string;
  subtypes: string[];
  initial?: ResultValue[];
  values?: Record<string, string[]> | undefined;
  errors: Record<string, string[]>;
  suggestions?: Record<string, string[]> | undefined;
}) {
  const t = useTranslations("participants");
  const [rows, setRows] = useState<ResultValue[]>(() => {
    const indexes = Object.keys(values ?? {})
      .map((name) => /^results\.(\d+)\./.exec(name)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number);
    if (values && indexes.length) {
      const count = Math.max(...indexes) + 1;
      const at = (i: number, field: keyof ResultValue) => values[`results.${i}.${field}`]?.[0] ?? "";
      return Array.from({ length: count }, (_, i) => ({ subtype: at(i, "subtype"), result: at(i, "result"), method: at(i, "method") }));
    }
    return initial.length ? initial : [{ subtype: "", result: "detected", method: "NGS_TISSUE" }];
  });
  const [keys, setKeys] = useState(() => rows.map((_, i) => i));
  const invalid = (name: string) => (errors[name] ? true : undefined);
  const list = `${idPrefix}-subtype-names`;
  return (
    <fieldset className="field">
      <legend>{t("results")}</legend>
      <datalist id={list}>
        {subtypes.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <FieldError id={`${idPrefix}-results-error`} messages={errors.results} />
      {rows.map((row, index) => {
        const id = `${idPrefix}${keys[index]}`;
        return (
          <div key={keys[index]} className="result-row" data-testid="result-row">
            <div className="field">
              <label htmlFor={`${id}-subtype`}>
                {t("subtypeField")} {index + 1}
              </label>
              <input
                id={`${id}-subtype`}
                name={`results.${index}.subtype`}
                list={list}
                maxLength={100}
                required
                defaultValue={row.subtype}
                aria-invalid={invalid(`results.${index}.subtype`)}
                aria-describedby={`${id}-subtype-error`}
              />
              <FieldError id={`${id}-subtype-error`} messages={errors[`results.${index}.subtype`]} />
              {suggestions?.[`results.${index}.subtype`]?.length ? (
                <span className="suggestions" data-testid="suggestions">
                  {t("useSuggestion")}{" "}
                  {suggestions[`results.${index}.subtype`]!.map((key) => (
                    <button
                      key={key}
                      type="button"
                      className="link"
                      translate="no"
                      onClick={() => {
                        const input = document.getElementById(`${id}-subtype`);
                        if (input instanceof HTMLInputElement) {
                          input.value = key;
                          input.removeAttribute("aria-invalid");
                          input.focus();
                        }
                      }}
                    >
                      {key}
                    </button>
                  ))}
                </span>
              ) : null}
            </div>
            <div className="field">
              <label htmlFor={`${id}-result`}>
                {t("result")} {index + 1}
              </label>
              <select id={`${id}-result`} name={`results.${index}.result`} defaultValue={row.result || "detected"}>
                {RESULTS.map((r) => (
                  <option key={r} value={r}>
                    {t(`resultValues.${r}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-method`}>
                {t("method")} {index + 1}
              </label>
              <select
                id={`${id}-method`}
                name={`results.${index}.method`}
                defaultValue={row.method || "NGS_TISSUE"}
                aria-invalid={invalid(`results.${index}.method`)}
                aria-describedby={`${id}-method-error`}
              >
                {METHODS.map((m) => (
                  <option key={m} value={m}>
                    {t(`methods.${m}`)}
                  </option>
                ))}
              </select>
              <FieldError id={`${id}-method-error`} messages={errors[`results.${index}.method`]} />
            </div>
            {rows.length > 1 && (
              <button
                type="button"
                className="link"
                onClick={() => {
                  setRows(rows.filter((_, i) => i !== index));
                  setKeys(keys.filter((_, i) => i !== index));
                }}
              >
                {t("removeResult")}
              </button>
            )}
          </div>
        );
      })}
      <button
        type="button"
        onClick={() => {
          setRows([...rows, { subtype: "", result: "detected", method: "NGS_TISSUE" }]);
          setKeys([...keys, Math.max(-1, ...keys) + 1]);
        }}
      >
        {t("addResult")}
      </button>
    </fieldset>
  );
}
