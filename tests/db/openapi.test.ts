import fs from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/openapi/spec";

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
});
