"use client";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { addSubtypeAction, type AddSubtypeState } from "./actions";

export function AddSubtypeForm() {
  const t = useTranslations("admin");
  const [state, action, pending] = useActionState<AddSubtypeState, FormData>(addSubtypeAction, {});
  return (
    <form action={action} className="card form wide" style={{ marginTop: "1.5rem" }}>
      <h2>{t("add")}</h2>
      <div className="field"><label htmlFor="key">{t("key")}</label><input id="key" name="key" placeholder="KRAS:G12D" required /></div>
      <div className="field"><label htmlFor="label">{t("label")}</label><input id="label" name="label" required /></div>
      <div className="field">
        <label htmlFor="category">{t("category")}</label>
        <select id="category" name="category">
          <option value="MUTATION">MUTATION</option><option value="STRUCTURAL_VARIATION">STRUCTURAL_VARIATION</option><option value="COPY_NUMBER_VARIATION">COPY_NUMBER_VARIATION</option>
        </select>
      </div>
      <div className="field"><label htmlFor="synonyms">{t("synonyms")} ({t("synonymsHelp")})</label><textarea id="synonyms" name="synonyms" rows={4} /></div>
      <p className={state.ok ? "success" : "error"} role="status" aria-live="polite">{state.message}</p>
      <button className="primary" type="submit" disabled={pending}>{t("add")}</button>
    </form>
  );
}
