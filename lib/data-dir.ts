// Where a deployment on this machine keeps what is not in an external database: the embedded PostgreSQL's cluster,
// the demo's AUTH_SECRET and, by default, the signing keys. ./data, or TRIALBRIDGE_DATA_DIR.
import path from "node:path";

export function dataDir(): string {
  return process.env.TRIALBRIDGE_DATA_DIR ? path.resolve(process.env.TRIALBRIDGE_DATA_DIR) : path.join(process.cwd(), "data");
}
