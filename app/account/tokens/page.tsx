import { getTranslations } from "next-intl/server";
import { LocalTime } from "@/app/components/LocalTime";
import { requirePageActor } from "@/lib/auth/page";
import { listTokens } from "@/lib/auth/tokens";
import { revokeTokenAction } from "./actions";
import { CreateTokenForm } from "./CreateTokenForm";

export const dynamic = "force-dynamic";

export default async function TokensPage() {
  const actor = await requirePageActor();
  const [tokens, t] = await Promise.all([listTokens(actor), getTranslations("tokens")]);
  return (
    <>
      <h1>{t("title")}</h1>
      <p className="muted">{t("help")}</p>
      <CreateTokenForm />
      <h2>{t("list")}</h2>
      <table data-testid="tokens">
        <thead>
          <tr>
            <th scope="col">{t("name")}</th>
            <th scope="col">{t("prefix")}</th>
            <th scope="col">{t("createdAt")}</th>
            <th scope="col">{t("expiresAt")}</th>
            <th scope="col">{t("lastUsed")}</th>
            <th scope="col">{t("status")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr key={token.id}>
              <td translate="no">{token.name}</td>
              <td translate="no">
                <code>{token.prefix}…</code>
              </td>
              <td>
                <LocalTime iso={token.createdAt} />
              </td>
              <td>
                <LocalTime iso={token.expiresAt} />
              </td>
              <td>{token.lastUsedAt ? <LocalTime iso={token.lastUsedAt} /> : t("never")}</td>
              <td>{token.active ? t("active") : t("inactive")}</td>
              <td>
                {token.active && (
                  <form action={revokeTokenAction}>
                    <input type="hidden" name="id" value={token.id} />
                    <button type="submit">{t("revoke")}</button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
