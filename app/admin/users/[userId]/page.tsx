import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { LocalTime } from "@/app/components/LocalTime";
import { adminUser, membershipChoices } from "@/lib/admin/users";
import { loadOrNotFound, requireAdminPage } from "@/lib/auth/page";
import {
  grantMembershipAction,
  reissueLinkAction,
  resetSecondFactorAction,
  revokeMembershipAction,
  setUserActiveAction,
  updateUserAction,
} from "../../actions";

export const dynamic = "force-dynamic";

export default async function AdminUserPage({ params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  const actor = await requireAdminPage("/admin/users/[userId]");
  const [user, trials, t, tr] = await Promise.all([
    loadOrNotFound(() => adminUser(actor, userId)),
    membershipChoices(actor),
    getTranslations("admin"),
    getTranslations("role"),
  ]);
  const reason = <Field name="reason" label={t("reason")} help={t("reasonHelp")} required />;
  const self = user.id === actor.id;
  const current = user.memberships.filter((m) => !m.revokedAt);
  const past = user.memberships.filter((m) => m.revokedAt);
  const trialSiteOptions = trials.flatMap((trial) => [
    { value: trial.id, label: `${trial.code} · ${tr("trialWide")}` },
    ...trial.trialSites.map((ts) => ({ value: `${trial.id}/${ts.site.id}`, label: `${trial.code} · ${ts.site.code}` })),
  ]);
  return (
    <>
      <p>
        <Link href="/admin/users">← {t("usersTitle")}</Link>
      </p>
      <h1 translate="no">{user.displayName}</h1>
      <p>
        <span translate="no">{user.email}</span> · {user.active ? t("active") : t("inactive")} · {t("secondFactor")}: {user.totpEnabledAt ? t("on") : t("off")}
        {user.isAdmin ? (
          <>
            {" "}
            · <span className="badge">{t("adminBadge")}</span>
          </>
        ) : null}{" "}
        · <Link href={`/audit?entityId=${user.id}`}>{t("history")}</Link>
      </p>
      <p className="muted">
        {user.hasPassword ? t("hasPassword") : t("noPasswordYet")}
        {user.pendingInviteExpiresAt ? (
          <>
            {" "}
            · {t("linkPending")} <LocalTime iso={user.pendingInviteExpiresAt.toISOString()} />
          </>
        ) : null}
      </p>

      <section aria-labelledby="memberships">
        <h2 id="memberships">{t("membershipsTitle")}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("trial")}</th>
              <th scope="col">{t("role")}</th>
              <th scope="col">{t("site")}</th>
              <th scope="col">{t("change")}</th>
            </tr>
          </thead>
          <tbody>
            {current.map((m) => (
              <tr key={m.id}>
                <td translate="no">
                  <Link href={`/admin/trials/${m.trial.id}`}>{m.trial.code}</Link>
                </td>
                <td>{tr(m.role)}</td>
                <td translate="no">{m.site?.code ?? tr("trialWide")}</td>
                <td>
                  <details>
                    <summary>{t("revoke")}</summary>
                    <ActionForm
                      action={revokeMembershipAction.bind(null, m.id)}
                      submit={t("revoke")}
                      title={t("revokeTitle", { trial: m.trial.code, role: tr(m.role) })}
                      danger
                    >
                      {reason}
                    </ActionForm>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {past.length ? <p className="muted">{t("pastMemberships", { count: past.length })}</p> : null}
        <ActionForm action={grantMembershipAction.bind(null, user.id)} submit={t("grant")} title={t("grant")}>
          <Field name="trialSite" type="select" label={t("trialAndSite")} help={t("trialAndSiteHelp")} required placeholder="" options={trialSiteOptions} />
          <Field
            name="role"
            type="select"
            label={t("role")}
            required
            options={(["COORDINATOR", "INVESTIGATOR", "SPONSOR"] as const).map((r) => ({ value: r, label: tr(r) }))}
          />
        </ActionForm>
      </section>

      <section aria-labelledby="account">
        <h2 id="account">{t("accountTitle")}</h2>
        <div className="admin-grid">
          <ActionForm action={updateUserAction.bind(null, user.id)} submit={t("save")} title={t("editUser")}>
            <Field name="displayName" label={t("displayName")} defaultValue={user.displayName} required />
            <Field name="isAdmin" type="checkbox" label={t("isAdmin")} defaultChecked={user.isAdmin} />
            {reason}
          </ActionForm>
          {user.active ? (
            <ActionForm action={reissueLinkAction.bind(null, user.id)} submit={t("newLink")} title={t("newLink")} linkLabel={t("linkOnce")}>
              <p className="muted">{t("newLinkHelp")}</p>
              {reason}
            </ActionForm>
          ) : null}
          {user.totpEnabledAt ? (
            <ActionForm action={resetSecondFactorAction.bind(null, user.id)} submit={t("resetSecondFactor")} title={t("resetSecondFactor")} danger>
              <p className="muted">{t("resetSecondFactorHelp")}</p>
              {reason}
            </ActionForm>
          ) : null}
          {self ? null : (
            <ActionForm
              action={setUserActiveAction.bind(null, user.id, !user.active)}
              submit={user.active ? t("deactivate") : t("reactivate")}
              title={user.active ? t("deactivate") : t("reactivate")}
              danger={user.active}
            >
              <p className="muted">{user.active ? t("deactivateHelp") : t("reactivateHelp")}</p>
              {reason}
            </ActionForm>
          )}
        </div>
      </section>
    </>
  );
}
