import { getTranslations } from "next-intl/server";
import { openApiDocument, OPERATIONS } from "@/lib/openapi/spec";

export const dynamic = "force-dynamic";

export default async function ApiDocsPage() {
  const t = await getTranslations("apiDocs");
  const doc = openApiDocument();
  const tags = [...new Set(OPERATIONS.map((o) => o.tag))];
  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("intro")}</p>
      <p>
        {t("machine")}{" "}
        <a href="/api/v1/openapi.json" translate="no">
          /api/v1/openapi.json
        </a>
      </p>
      {tags.map((tag) => (
        <section key={tag} className="card" translate="no">
          <h2>{tag}</h2>
          {OPERATIONS.filter((o) => o.tag === tag).map((op) => {
            const operation = doc.paths[op.path]![op.method] as { requestBody?: { content: Record<string, { schema: unknown }> } };
            const body = operation.requestBody ? Object.values(operation.requestBody.content)[0]!.schema : null;
            return (
              <div key={`${op.method} ${op.path}`} className="api-op">
                <p>
                  <code className="badge">{op.method.toUpperCase()}</code> <code>/api/v1{op.path}</code> — {op.summary}
                </p>
                <p className="muted">
                  {Object.entries(op.responses)
                    .map(([status, text]) => `${status} ${text}`)
                    .join(" · ")}
                </p>
                {body !== null && (
                  <details>
                    <summary>{t("body")}</summary>
                    <pre className="json">{JSON.stringify(body, null, 2)}</pre>
                  </details>
                )}
              </div>
            );
          })}
        </section>
      ))}
    </>
  );
}
