import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import { IMPORT_COLUMNS } from "@/lib/participants/import";
import { registrationOptions } from "@/lib/participants/options";
import { ImportForm } from "./ImportForm";

export const dynamic = "force-dynamic";

export default async function ImportPage({ params }: { params: Promise<{ trialId: string }> }) {
  const { trialId } = await params;
  const actor = await requirePageActor();
  const options = await loadOrNotFound(() => registrationOptions(actor, trialId));
  const t = await getTranslations();
  const site = options.sites[0];
  const example = `${IMPORT_COLUMNS.join(",")}\n${site?.code ?? "US-BOS1"},${site?.today ?? "2026-01-15"},64,female,"p.Leu858Arg|detected|NGS_TISSUE; EML4-ALK|not_detected|FISH"`;
  return (
    <>
      <p>
        <Link href={`/trials/${trialId}/participants`}>← {t("participants.title")}</Link>
      </p>
      <h1>
        {t("import.title")}: {options.trialCode}
      </h1>
      {options.sites.length === 0 ? (
        <p className="notice">{t("participants.notYours")}</p>
      ) : (
        <>
          <p>{t("import.help", { columns: IMPORT_COLUMNS.join(", ") })}</p>
          <p>
            <a href={`/api/v1/trials/${trialId}/participants/import/template`} download>
              {t("import.template")}
            </a>
          </p>
          <p className="muted">{t("import.example")}:</p>
          <pre className="card json">{example}</pre>
          <ImportForm trialId={trialId} />
        </>
      )}
    </>
  );
}
