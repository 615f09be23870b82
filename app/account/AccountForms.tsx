"use client";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { changePasswordAction, signOutEverywhereAction, type AccountState } from "./actions";

export function AccountForms() {
  const t = useTranslations("account");
  const [changed, change, changing] = useActionState<AccountState, FormData>(changePasswordAction, {});
  const [, end, ending] = useActionState<AccountState, FormData>(signOutEverywhereAction, {});
  const errors = changed.fieldErrors ?? {};
  return (
    <>
      <form action={change} className="card form wide" aria-labelledby="password-title">
        <h2 id="password-title">{t("password")}</h2>
        <div className="field">
          <label htmlFor="current">{t("current")}</label>
          <input id="current" name="current" type="password" autoComplete="current-password" required maxLength={128} aria-describedby="current-error" />
          <span id="current-error" className="error" aria-live="polite">
            {errors.current?.join(" ")}
          </span>
        </div>
        <div className="field">
          <label htmlFor="next">{t("next")}</label>
          <input
            id="next"
            name="next"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            maxLength={128}
            aria-describedby="next-help next-error"
          />
          <span id="next-help" className="muted">
            {t("nextHelp")}
          </span>
          <span id="next-error" className="error" aria-live="polite">
            {errors.next?.join(" ")}
          </span>
        </div>
        {changed.message && (
          <p className="error" role="alert">
            {changed.message}
          </p>
        )}
        <button className="primary" type="submit" disabled={changing}>
          {t("change")}
        </button>
      </form>
      <form action={end} className="card form wide">
        <h2>{t("everywhere")}</h2>
        <p className="muted">{t("everywhereHelp")}</p>
        <button type="submit" disabled={ending}>
          {t("everywhere")}
        </button>
      </form>
    </>
  );
}
