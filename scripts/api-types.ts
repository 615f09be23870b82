// npm run api:types   writes docs/examples/trialbridge-api.d.ts: the API's types, from its OpenAPI description.
import fs from "node:fs";
import { API_TYPES_FILE, apiTypesSource } from "./lib/api-types";

fs.writeFileSync(API_TYPES_FILE, await apiTypesSource());
console.log(`wrote ${API_TYPES_FILE}`);
