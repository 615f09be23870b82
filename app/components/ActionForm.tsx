"use client";
// A form bound to a server action that returns `{ ok, message, fieldErrors, link }`: each Field shows its own
// errors (wired with aria-describedby), the message is announced, and a one-time link is shown once to copy.
import { createContext, useActionState, useContext, useId, type ReactNode } from "react";

export interface ActionState {
  ok?: boolean;
  message?: string;
  fieldErrors?: Record<string, string[]>;
  /** A one-time link to pass on (shown once). */
  link?: string;
}

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

const Errors = createContext<Record<string, string[]> | undefined>(undefined);

export function ActionForm({
  action,
  submit,
  children,
  title,
  danger,
  linkLabel,
}: {
  action: Action;
  submit: string;
  children: ReactNode;
  title?: string;
  danger?: boolean;
  linkLabel?: string;
}) {
  const [state, formAction, pending] = useActionState(action, {});
  const unplaced = Object.entries(state.fieldErrors ?? {}).filter(([name]) => name === "_");
  return (
    <form action={formAction} className="card form wide" aria-label={title}>
      {title ? <h3>{title}</h3> : null}
      <Errors.Provider value={state.fieldErrors}>{children}</Errors.Provider>
      <div role="status" aria-live="polite">
        {state.message ? <p className={state.ok ? "success" : "error"}>{state.message}</p> : null}
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
  const describedBy = [props.help ? `${id}-help` : "", errors ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const common = { id, name: props.name, required: props.required, "aria-invalid": errors ? true : undefined, "aria-describedby": describedBy };
  let control: ReactNode;
  switch (props.type) {
    case "select":
      control = (
        <select {...common} defaultValue={props.defaultValue ?? ""}>
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
            <input type="checkbox" {...common} defaultChecked={props.defaultChecked} /> {props.label}
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
                <input type="checkbox" name={props.name} value={o.value} defaultChecked={props.defaultValues?.includes(o.value)} />{" "}
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
      control = <textarea {...common} rows={props.rows ?? 3} defaultValue={props.defaultValue ?? ""} />;
      break;
    default:
      control = (
        <input
          {...common}
          type={props.type ?? "text"}
          step={props.step}
          autoComplete={props.autoComplete}
          maxLength={props.maxLength}
          defaultValue={props.defaultValue ?? ""}
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
