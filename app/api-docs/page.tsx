import { getTranslations } from "next-intl/server";
import { openApiDocument, OPERATIONS } from "@/lib/openapi/spec";

export const dynamic = "force-dynamic";

export default async function ApiDocsPage() {
  const t = await getTranslations("apiDocs");
  const doc = openApiDocument();
  const schemas = doc.components.schemas as Record<string, unknown>;
  const tags = [...new Set(OPERATIONS.map((o) => o.tag))];
  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("intro")}</p>
      <p>{t("client")}</p>
      <p translate="no">{t("errors", { shape: '{"error": {"code", "message", "fields"?}}' })}</p>
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
            const operation = doc.paths[op.path]![op.method] as {
              requestBody?: { content: Record<string, { schema: unknown }> };
              responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
            };
            const body = operation.requestBody ? Object.values(operation.requestBody.content)[0]!.schema : null;
            const answers = Object.entries(operation.responses).flatMap(([status, r]) => {
              const name = status.startsWith("2") ? Object.values(r.content ?? {})[0]?.schema.$ref?.replace("#/components/schemas/", "") : undefined;
              return name ? [{ status, name }] : [];
            });
            return (
              <div key={`${op.method} ${op.path}`} className="api-op">
                <p>
                  <code className="badge">{op.method.toUpperCase()}</code>{" "}
                  <code>
                    {op.server ?? "/api/v1"}
                    {op.path}
                  </code>{" "}
                  — {op.summary}
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
                {answers.map(({ status, name }) => (
                  <details key={status}>
                    <summary>{t("answer", { status, name })}</summary>
                    <pre className="json">{JSON.stringify(schemas[name], null, 2)}</pre>
                  </details>
                ))}
              </div>
            );
          })}
        </section>
      ))}
    </>
  );
}
