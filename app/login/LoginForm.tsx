"use client";
import { getCsrfToken } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";

export function LoginForm({ callbackUrl }: { callbackUrl: string }) {
  const t = useTranslations("login");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [askCode, setAskCode] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const code = String(form.get("code") ?? "").trim();
    if (!email || !password || (askCode && !code)) {
      setError(askCode && email && password ? t("codeMissing") : t("missing"));
      return;
    }
    setPending(true);
    setError(null);
    try {
      const csrfToken = (await getCsrfToken()) ?? "";
      const response = await fetch("/api/auth/callback/credentials", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrfToken, email, password, ...(code ? { code } : {}), json: "true" }),
      });
      if (response.ok) {
        window.location.assign(callbackUrl);
        return;
      }
      if (response.status === 429) {
        const minutes = Math.max(1, Math.ceil(Number(response.headers.get("retry-after") ?? 60) / 60));
        setError(t("throttled", { minutes }));
      } else if (response.status === 401) {
        const body = (await response.json().catch(() => ({}))) as { url?: string };
        if (body.url?.includes("error=TotpRequired")) {
          setAskCode(true);
          setError(t("codeNeeded"));
        } else {
          setError(askCode ? t("invalidWithCode") : t("invalid"));
        }
      } else {
        setError(t("failed"));
      }
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
      {askCode ? (
        <div className="field">
          <label htmlFor="code">{t("code")}</label>
          <input id="code" name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} autoFocus required />
        </div>
      ) : null}
      <p id="login-error" className="error" role="alert" aria-live="assertive">
        {error}
      </p>
      <button className="primary" type="submit" disabled={pending}>
        {pending ? t("submitting") : t("submit")}
      </button>
    </form>
  );
}
