import fs from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/openapi/spec";
import { API_TYPES_FILE, apiTypesSource } from "../../scripts/lib/api-types";

/** Every route handler under app/api/v1, app/api/federation and app/api/fhir, as "METHOD /api/..." with {params}. */
function routesInCode(): string[] {
  const root = path.join(process.cwd(), "app");
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const route =
          "/" +
          path
            .relative(root, dir)
            .split(path.sep)
            .map((s) => s.replace(/^\[(\w+)\]$/, "{$1}"))
            .join("/");
        for (const m of fs.readFileSync(full, "utf8").matchAll(/export (?:const|async function|function) (GET|POST|PATCH|PUT|DELETE)\b/g))
          found.push(`${m[1]} ${route}`);
      }
    }
  };
  walk(path.join(root, "api", "v1"));
  walk(path.join(root, "api", "federation"));
  walk(path.join(root, "api", "fhir"));
  return found.filter((r) => r !== "GET /api/v1/openapi.json").sort();
}

describe("the OpenAPI description", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(openApiDocument() as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("lists every /api/v1 and federation link route handler, and nothing that does not exist", () => {
    const documented = Object.entries(openApiDocument().paths as Record<string, { servers?: { url: string }[] } & Record<string, unknown>>)
      .flatMap(([p, item]) =>
        Object.keys(item)
          .filter((m) => m !== "servers")
          .map((m) => `${m.toUpperCase()} ${item.servers?.[0]?.url ?? "/api/v1"}${p}`),
      )
      .sort();
    expect(documented).toEqual(routesInCode());
  });

  it("describes request bodies from the same schemas that validate them", () => {
    const register = openApiDocument().paths["/trials/{trialId}/participants"]!.post as {
      requestBody: { content: { "application/json": { schema: { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean } } } };
    };
    const schema = register.requestBody.content["application/json"].schema;
    expect(Object.keys(schema.properties).sort()).toEqual(["ageAtScreening", "results", "screeningDate", "sex", "siteId"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.sex).toMatchObject({ enum: ["female", "male", "unknown"] });
  });

  it("describes every answer: success bodies by a named schema, refusals by the error shape", () => {
    const doc = openApiDocument();
    const schemas = Object.keys(doc.components.schemas);
    const unnamed: string[] = [];
    for (const [p, item] of Object.entries(
      doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string; type?: string } }> }> }>>,
    ))
      for (const [method, op] of Object.entries(item)) {
        if (method === "servers") continue;
        for (const [status, response] of Object.entries(op.responses))
          for (const [type, { schema }] of Object.entries(response.content ?? {})) {
            const name = schema.$ref?.replace("#/components/schemas/", "");
            const json = type === "application/json" || type === "application/fhir+json"; // not NDJSON: a stream of lines
            const expected = status.startsWith("2") ? (json ? "a named schema" : "a string") : "an error";
            const ok = status.startsWith("2")
              ? json
                ? name !== undefined && schemas.includes(name) && name !== "Error"
                : schema.type === "string"
              : name === "Error" || name === "OperationOutcome";
            if (!ok) unnamed.push(`${method.toUpperCase()} ${p} ${status} ${type}: ${JSON.stringify(schema)}, not ${expected}`);
          }
        if (!Object.keys(op.responses).some((s) => s.startsWith("2"))) unnamed.push(`${method.toUpperCase()} ${p}: no success`);
      }
    expect(unnamed).toEqual([]);
    const participant = doc.components.schemas.Participant as { additionalProperties: boolean; required: string[] };
    expect(participant.additionalProperties).toBe(false); // closed: a field a handler adds fails the contract test
    expect(participant.required).toContain("screeningNumber");
  });

  it("has its generated TypeScript types in docs/examples up to date (npm run api:types)", async () => {
    expect(fs.readFileSync(API_TYPES_FILE, "utf8")).toBe(await apiTypesSource());
  });
});
