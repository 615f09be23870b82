// The served OpenAPI description as a contract: every answer's status, media type and body judged against it (ajv,
// JSON Schema 2020-12, the description's own components). Used by contract.spec.ts (a success and an error of every
// operation) and api-fuzz.spec.ts (thousands of bad inputs, each refusal as described).
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

interface MediaType {
  schema?: { $ref?: string; type?: string };
}
export interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
}
interface Description {
  paths: Record<string, Record<string, Operation> & { servers?: { url: string }[] }>;
  components: { schemas: Record<string, { examples?: unknown[] }> };
}

const ID = "https://trialbridge.example/openapi.json";

export async function loadContract(baseURL: string) {
  const doc = (await (await fetch(`${baseURL}/api/v1/openapi.json`)).json()) as Description;
  // Formats are not checked: zod emits a pattern beside each date and date-time format, and those are.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: ID, components: doc.components });
  const validators = new Map<string, ValidateFunction>();
  const validator = (ref: string) => {
    let v = validators.get(ref);
    if (!v) validators.set(ref, (v = ajv.compile({ $ref: `${ID}${ref}` })));
    return v;
  };
  /** Every operation by "METHOD /base/path{param}". */
  const operations = new Map<string, Operation>();
  for (const [template, item] of Object.entries(doc.paths)) {
    const { servers, ...methods } = item;
    for (const [method, op] of Object.entries(methods)) operations.set(`${method.toUpperCase()} ${servers?.[0]?.url ?? "/api/v1"}${template}`, op as Operation);
  }

  /** What is wrong with an answer of `key`'s operation, if anything, and its body (parsed when JSON). */
  function judge(key: string, status: number, contentType: string | null, text: string): { problem: string | null; body: unknown } {
    const op = operations.get(key);
    if (!op) return { problem: `${key} is not in the description`, body: null };
    const where = `${key} ${status}`;
    const documented = op.responses[String(status)];
    if (!documented) return { problem: `${where}: the status is not in the description (${text.slice(0, 200)})`, body: null };
    if (!documented.content) return { problem: text === "" ? null : `${where}: a body where the description has none`, body: null };
    const media = (contentType ?? "").split(";")[0]!.trim();
    const schema = documented.content[media]?.schema;
    if (!schema) return { problem: `${where}: answered as ${media || "nothing"}, described as ${Object.keys(documented.content).join(", ")}`, body: null };
    if (!schema.$ref) return { problem: null, body: text };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { problem: `${where}: not JSON (${text.slice(0, 100)})`, body: null };
    }
    const validate = validator(schema.$ref);
    return { problem: validate(parsed) ? null : `${where}: ${JSON.stringify(validate.errors?.slice(0, 3))}`, body: parsed };
  }

  return { doc, validator, operations, judge };
}
