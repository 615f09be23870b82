import { getTranslations } from "next-intl/server";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { inviteFor } from "@/lib/auth/invites";
import { acceptInviteAction } from "./actions";

export const dynamic = "force-dynamic";

// Public: whoever holds the one-time link may set the account's password, once. An unusable link says so.
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [invite, t, te] = await Promise.all([inviteFor(token), getTranslations("invite"), getTranslations("errors")]);
  if (!invite) {
    return (
      <div className="login-page">
        <h1>{t("title")}</h1>
        <p className="error" role="alert">
          {te("inviteInvalid")}
        </p>
      </div>
    );
  }
  return (
    <div className="login-page">
      <h1>{t("title")}</h1>
      <p>
        {t("intro")} <strong translate="no">{invite.email}</strong>
      </p>
      <ActionForm action={acceptInviteAction.bind(null, token)} submit={t("submit")}>
        <Field name="password" type="password" label={t("password")} help={t("passwordHelp")} autoComplete="new-password" maxLength={128} required />
        <Field name="confirm" type="password" label={t("confirm")} autoComplete="new-password" maxLength={128} required />
      </ActionForm>
    </div>
  );
}
