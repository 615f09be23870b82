import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { richText } from "@/app/components/rich";
import { requirePageActor } from "@/lib/auth/page";
import { totpSetup } from "@/lib/auth/totp";
import { beginTotpAction, confirmTotpAction, disableTotpAction } from "./actions";

export const dynamic = "force-dynamic";

export default async function TwoFactorPage() {
  const actor = await requirePageActor({ secondFactorSetup: true });
  const [setup, t] = await Promise.all([totpSetup(actor), getTranslations("twoFactor")]);
  return (
    <>
      <h1>{t("title")}</h1>
      {actor.secondFactorMissing ? (
        <p className="notice" role="alert">
          {t("required")}
        </p>
      ) : null}
      <p>{t.rich("intro", richText)}</p>
      {setup.enabled ? (
        <>
          <p className="success">
            <strong>{t("on")}</strong>
          </p>
          <ActionForm action={disableTotpAction} submit={t("turnOff")} title={t("turnOff")} danger>
            <Field name="password" type="password" label={t("password")} autoComplete="current-password" required />
          </ActionForm>
        </>
      ) : setup.pending ? (
        <div className="card">
          <h2>{t("scanTitle")}</h2>
          <ol>
            <li>{t("stepScan")}</li>
            <li>
              {t("stepManual")}{" "}
              <code className="one-time-link" translate="no" data-testid="totp-secret">
                {setup.pending.secret}
              </code>
            </li>
            <li>{t("stepCode")}</li>
          </ol>
          <div className="qr" role="img" aria-label={t("qrLabel")} dangerouslySetInnerHTML={{ __html: setup.pending.qrSvg }} />
          <ActionForm action={confirmTotpAction} submit={t("confirm")} title={t("confirm")}>
            <Field name="code" label={t("code")} autoComplete="one-time-code" maxLength={6} required />
          </ActionForm>
          <ActionForm action={beginTotpAction} submit={t("restart")}>
            <p className="muted">{t("restartHelp")}</p>
          </ActionForm>
        </div>
      ) : (
        <ActionForm action={beginTotpAction} submit={t("start")}>
          <p className="muted">{t("startHelp")}</p>
        </ActionForm>
      )}
      {actor.secondFactorMissing ? null : (
        <p>
          <Link href="/account">← {t("back")}</Link>
        </p>
      )}
    </>
  );
}
