import { fhirBase, fhirHandler, fhirJson } from "@/lib/fhir/http";
import { capabilityStatement } from "@/lib/fhir/resources";
import pkg from "@/package.json";

export const dynamic = "force-dynamic";

/** The CapabilityStatement: open to anyone, as FHIR clients ask for it before they sign in. */
export const GET = fhirHandler(async (request) => fhirJson(capabilityStatement(fhirBase(request), { version: pkg.version })));
