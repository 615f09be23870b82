"use client";
import type { FormState } from "./actions";

export function FieldError({ id, messages }: { id: string; messages?: string[] | undefined }) {
  return (
    <span id={id} className="error" aria-live="polite">
      {messages?.join(" ")}
    </span>
  );
}

export function FormMessage({ state }: { state: FormState }) {
  if (!state.message) return null;
  return (
    <p className="error" role="alert">
      {state.message}
    </p>
  );
}
