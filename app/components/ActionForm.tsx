"use client";
// A form bound to a server action that returns `{ ok, message, fieldErrors, link }`: each Field shows its own
// errors (wired with aria-describedby, marked aria-invalid), the message is announced, and a one-time link is shown
// once to copy. After a refusal every field keeps what was typed (never a password), and focus moves to a summary
// of the problems, each linked to its field.
import { createContext, useActionState, useContext, useEffect, useId, useRef, type ReactNode } from "react";

export interface ActionState {
  ok?: boolean;
  message?: string;
  fieldErrors?: Record<string, string[]>;
  /** A one-time link to pass on (shown once). */
  link?: string;
  /** Values a refused field could take instead (a subtype's nearest vocabulary keys), to pick with one click. */
  suggestions?: Record<string, string[]>;
  /** What was submitted, kept after a refusal so that nothing typed is lost (filled in here, not by the action). */
  values?: Record<string, string[]>;
  /** An answer that leaves the form as typed though it succeeded (a preview: nothing was saved yet). */
  keep?: boolean;
}

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

const Errors = createContext<Record<string, string[]> | undefined>(undefined);
const Values = createContext<Record<string, string[]> | undefined>(undefined);

/** The submitted fields, for a refused form to show again (passwords are never kept). */
function submitted(form: FormData, element: HTMLFormElement | null): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string" || name.startsWith("$ACTION")) continue;
    const control = element?.elements.namedItem(name);
    if (control instanceof HTMLInputElement && control.type === "password") continue;
    (out[name] ??= []).push(value);
  }
  return out;
}

/**
 * The form kit's state, for ActionForm and for forms laid out by hand (the participant forms): the action's answer,
 * with what was submitted kept after a refusal (`state.values`), and focus moved to `summaryRef` when refused.
 */
export function useKeptAction(action: Action) {
  const formRef = useRef<HTMLFormElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const [state, formAction, pending] = useActionState(async (previous: ActionState, form: FormData): Promise<ActionState> => {
    const result = await action(previous, form);
    return result.ok && !result.keep ? result : { ...result, values: submitted(form, formRef.current) };
  }, {});
  useEffect(() => {
    if (state.values && (state.message || Object.keys(state.fieldErrors ?? {}).length)) summaryRef.current?.focus();
  }, [state]);
  /** What was typed in `name` before a refusal (else undefined), and a key that changes with each refusal. */
  const kept = (name: string) => state.values?.[name]?.[0];
  const generation = state.values ? JSON.stringify(state.values) : "initial";
  return { state, formAction, pending, formRef, summaryRef, kept, generation };
}

export function ActionForm({
  action,
  submit,
  children,
  title,
  danger,
  linkLabel,
  also,
}: {
  action: Action;
  submit: string;
  children: ReactNode;
  title?: string;
  danger?: boolean;
  linkLabel?: string;
  /** A second button, sending `intent` = its value (a preview, say), for the action to tell apart; it skips the browser's
   * required-field checks (a preview needs no reason for a change). */
  also?: { intent: string; label: string };
}) {
  const { state, formAction, pending, formRef, summaryRef } = useKeptAction(action);
  const unplaced = Object.entries(state.fieldErrors ?? {}).filter(([name]) => name === "_");
  const placed = Object.entries(state.fieldErrors ?? {}).filter(([name]) => name !== "_");
  const focusField = (name: string) => {
    const control = formRef.current?.elements.namedItem(name);
    if (control instanceof HTMLElement) control.focus();
    else if (control instanceof RadioNodeList && control[0] instanceof HTMLElement) control[0].focus();
  };
  return (
    <form ref={formRef} action={formAction} className="card form wide" aria-label={title}>
      {title ? <h3>{title}</h3> : null}
      <Values.Provider value={state.values}>
        <Errors.Provider value={state.fieldErrors}>{children}</Errors.Provider>
      </Values.Provider>
      <div role="status" aria-live="polite" tabIndex={-1} ref={summaryRef} className="form-status" data-testid="form-status">
        {state.message ? <p className={state.ok ? "success" : "error"}>{state.message}</p> : null}
        {!state.ok && placed.length ? (
          <ul className="error-summary">
            {placed.map(([name, list]) => (
              <li key={name}>
                <a
                  href={`#${name}`}
                  onClick={(e) => {
                    e.preventDefault();
                    focusField(name);
                  }}
                >
                  {list.join(" ")}
                </a>
              </li>
            ))}
          </ul>
        ) : null}
        {unplaced
          .flatMap(([, list]) => list)
          .map((m) => (
            <p key={m} className="error">
              {m}
            </p>
          ))}
        {state.link ? (
          <p className="notice">
            {linkLabel}
            <br />
            <output className="one-time-link" translate="no">
              {state.link}
            </output>
          </p>
        ) : null}
      </div>
      <button className={danger ? "danger" : "primary"} type="submit" disabled={pending}>
        {submit}
      </button>
      {also ? (
        <button type="submit" name="intent" value={also.intent} disabled={pending} formNoValidate>
          {also.label}
        </button>
      ) : null}
    </form>
  );
}

interface Option {
  value: string;
  label: string;
}

type FieldProps = {
  name: string;
  label: string;
  help?: ReactNode;
  required?: boolean;
  defaultValue?: string | number | null;
} & (
  | { type?: "text" | "email" | "date" | "number" | "password"; step?: string; autoComplete?: string; maxLength?: number }
  | { type: "select"; options: Option[]; placeholder?: string }
  | { type: "checkbox"; defaultChecked?: boolean }
  | { type: "checkboxes"; options: Option[]; defaultValues?: string[] }
  | { type: "textarea"; rows?: number }
);

export function Field(props: FieldProps) {
  const id = useId();
  const errors = useContext(Errors)?.[props.name];
  const kept = useContext(Values);
  // After a refusal: what was typed, else (an unticked checkbox, a field left empty) what the form was opened with.
  const typed = kept ? (kept[props.name] ?? []) : undefined;
  const value = typed ? (typed[0] ?? (props.type === "checkbox" || props.type === "checkboxes" ? undefined : "")) : props.defaultValue;
  const remount = kept ? JSON.stringify(typed) : "initial";
  const describedBy = [props.help ? `${id}-help` : "", errors ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const common = { id, name: props.name, required: props.required, "aria-invalid": errors ? true : undefined, "aria-describedby": describedBy };
  let control: ReactNode;
  switch (props.type) {
    case "select":
      control = (
        <select {...common} key={remount} defaultValue={value ?? ""}>
          {props.placeholder !== undefined ? <option value="">{props.placeholder}</option> : null}
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case "checkbox":
      return (
        <div className="field checkbox">
          <label>
            <input type="checkbox" {...common} key={remount} defaultChecked={typed ? typed.length > 0 : props.defaultChecked} /> {props.label}
          </label>
          {errors ? (
            <p id={`${id}-error`} className="error">
              {errors.join(" ")}
            </p>
          ) : null}
        </div>
      );
    case "checkboxes":
      return (
        <fieldset className="field" aria-describedby={describedBy}>
          <legend>{props.label}</legend>
          <div className="choices">
            {props.options.map((o) => (
              <label key={o.value}>
                <input
                  type="checkbox"
                  name={props.name}
                  value={o.value}
                  key={`${o.value}:${remount}`}
                  defaultChecked={typed ? typed.includes(o.value) : props.defaultValues?.includes(o.value)}
                />{" "}
                <span translate="no">{o.label}</span>
              </label>
            ))}
          </div>
          {errors ? (
            <p id={`${id}-error`} className="error">
              {errors.join(" ")}
            </p>
          ) : null}
        </fieldset>
      );
    case "textarea":
      control = <textarea {...common} key={remount} rows={props.rows ?? 3} defaultValue={value ?? ""} />;
      break;
    default:
      control = (
        <input
          {...common}
          type={props.type ?? "text"}
          step={props.step}
          autoComplete={props.autoComplete}
          maxLength={props.maxLength}
          key={remount}
          defaultValue={props.type === "password" ? "" : (value ?? "")}
        />
      );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.help ? (
        <small id={`${id}-help`} className="muted">
          {props.help}
        </small>
      ) : null}
      {control}
      {errors ? (
        <p id={`${id}-error`} className="error">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}
