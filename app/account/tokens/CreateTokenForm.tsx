"use client";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { createTokenAction, type TokenState } from "./actions";

export function CreateTokenForm() {
  const t = useTranslations("tokens");
  const [state, action, pending] = useActionState<TokenState, FormData>(createTokenAction, {});
  return (
    <form action={action} className="card form wide">
      <div className="field">
        <label htmlFor="token-name">{t("name")}</label>
        <input id="token-name" name="name" required maxLength={80} />
      </div>
      <div className="field">
        <label htmlFor="token-days">{t("expires")}</label>
        <input id="token-days" name="expiresInDays" type="number" min={1} max={365} defaultValue={90} />
      </div>
      <button className="primary" type="submit" disabled={pending}>
        {t("create")}
      </button>
      {state.token && (
        <p role="status" data-testid="new-token">
          {t("created")} <code translate="no">{state.token}</code>
        </p>
      )}
      {state.message && (
        <p className="error" role="alert">
          {state.message}
        </p>
      )}
    </form>
  );
}
