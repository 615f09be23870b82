import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { adminUsers } from "@/lib/admin/users";
import { requireAdminPage } from "@/lib/auth/page";
import { inviteUserAction } from "../actions";

export const dynamic = "force-dynamic";

export default async function AdminUsersPage() {
  const actor = await requireAdminPage("/admin/users");
  const [users, t] = await Promise.all([adminUsers(actor), getTranslations("admin")]);
  return (
    <>
      <h1>{t("usersTitle")}</h1>
      <ActionForm action={inviteUserAction} submit={t("invite")} title={t("invite")} linkLabel={t("linkOnce")}>
        <Field name="email" type="email" label={t("email")} required />
        <Field name="displayName" label={t("displayName")} required />
        <Field name="isAdmin" type="checkbox" label={t("isAdmin")} />
      </ActionForm>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("user")}</th>
            <th scope="col">{t("email")}</th>
            <th scope="col">{t("state")}</th>
            <th scope="col">{t("secondFactor")}</th>
            <th scope="col">{t("membershipsTitle")}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id}>
              <td translate="no">
                <Link href={`/admin/users/${user.id}`}>{user.displayName}</Link>
                {user.isAdmin ? (
                  <>
                    {" "}
                    <span className="badge">{t("adminBadge")}</span>
                  </>
                ) : null}
              </td>
              <td translate="no">{user.email}</td>
              <td>{user.active ? t("active") : t("inactive")}</td>
              <td>{user.secondFactor ? t("on") : t("off")}</td>
              <td>{user.memberships}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
