// Bearer secrets (API tokens, one-time links): 256 random bits, shown once; only their SHA-256 is stored. A plain
// hash suffices (no salt, no slow hash) because the secret itself is random, not chosen by a person.
import { createHash, randomBytes } from "node:crypto";

export const newSecret = () => randomBytes(32).toString("base64url");
export const hashSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");
