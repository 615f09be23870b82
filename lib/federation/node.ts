// This deployment as a node of a partnership: its home country (NODE_COUNTRY) and its name (NODE_ID). Unset, the
// deployment is one node serving both countries and nothing federated runs. Read from the environment alone (not
// lib/env.ts), so that the command line can print the node's identity without a database or a secret.
import { z } from "zod";
import type { Country } from "@/lib/db/generated/enums";

export interface NodeIdentity {
  origin: string;
  country: Country;
}

const schema = z.object({
  NODE_COUNTRY: z.enum(["US", "CN"], { error: "NODE_COUNTRY must be US or CN (or unset for one node serving both)" }).optional(),
  NODE_ID: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, { error: "NODE_ID is 1 to 40 lower-case letters, digits or hyphens" })
    .optional(),
});

/** The node's identity, or null for a deployment that serves both countries on its own. */
export function thisNode(): NodeIdentity | null {
  const parsed = schema.safeParse({ NODE_COUNTRY: process.env.NODE_COUNTRY || undefined, NODE_ID: process.env.NODE_ID || undefined });
  if (!parsed.success) throw new Error(`Invalid server environment: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  const { NODE_COUNTRY: country, NODE_ID: id } = parsed.data;
  return country ? { origin: id ?? `trialbridge-${country.toLowerCase()}`, country } : null;
}

/** Whether this node keeps the patients of a site in `country` (a single node keeps both countries'). */
export function holdsPatientsOf(country: Country): boolean {
  const node = thisNode();
  return !node || node.country === country;
}
