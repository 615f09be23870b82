// An audit row's values for a reader: each changed field as "label: old → new", the raw values folded below.
import { getTranslations } from "next-intl/server";
import { fieldChanges } from "@/lib/audit/readable";

export async function AuditChanges({ before, after }: { before: unknown; after: unknown }) {
  const t = await getTranslations("audit");
  const changes = fieldChanges(before, after);
  const label = (field: string) => (t.has(`fields.${field}`) ? t(`fields.${field}` as "fields.reason") : field);
  return (
    <>
      {changes.length ? (
        <ul className="changes" data-testid="audit-changes">
          {changes.map((c) => (
            <li key={c.field}>
              <span className="change-field">{label(c.field)}</span>:{" "}
              <span translate="no">
                {c.old === "—" ? "" : <del>{c.old}</del>}
                {c.old === "—" ? "" : " → "}
                <ins>{c.new}</ins>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {before || after ? (
        <details className="raw">
          <summary>{t("raw")}</summary>
          <pre className="json" translate="no">
            {JSON.stringify({ old: before ?? null, new: after ?? null }, null, 1)}
          </pre>
        </details>
      ) : null}
    </>
  );
}
