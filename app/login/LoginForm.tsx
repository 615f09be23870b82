"use client";
import { signIn } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";

export function LoginForm({ callbackUrl }: { callbackUrl: string }) {
  const t = useTranslations("login");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    if (!email || !password) {
      setError(t("missing"));
      return;
    }
    setPending(true);
    setError(null);
    try {
      const result = await signIn("credentials", { email, password, redirect: false });
      if (result?.ok && !result.error) {
        window.location.assign(callbackUrl);
        return;
      }
      setError(result?.error === "CredentialsSignin" ? t("invalid") : t("failed"));
    } catch {
      setError(t("failed"));
    }
    setPending(false);
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-describedby={error ? "login-error" : undefined}>
      <div className="field">
        <label htmlFor="email">{t("email")}</label>
        <input id="email" name="email" type="email" autoComplete="username" maxLength={254} required />
      </div>
      <div className="field">
        <label htmlFor="password">{t("password")}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" maxLength={128} required />
      </div>
      <p id="login-error" className="error" role="alert" aria-live="assertive">{error}</p>
      <button className="primary" type="submit" disabled={pending}>{pending ? t("submitting") : t("submit")}</button>
    </form>
  );
}
