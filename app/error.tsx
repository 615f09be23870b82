"use client";
import { useTranslations } from "next-intl";

// Shown for unexpected errors: generic, no details (they are in the server log).
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  const t = useTranslations("errors");
  return (
    <div className="card">
      <h1>{t("genericTitle")}</h1>
      <p>{t("generic")}</p>
      <button type="button" onClick={reset}>
        {t("retry")}
      </button>
    </div>
  );
}
