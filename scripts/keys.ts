// npm run keys:rotate [-- --overlap-hours N]
// Adds a new signing key to the deployment's key file (NODE_KEY_FILE, default ./data/node-keys.json) and gives the
// current one an end N hours from now (24 by default). Running app instances pick the new key up by themselves.
import { keyFilePath, rotateKey } from "@/lib/keys/node-keys";

const i = process.argv.indexOf("--overlap-hours");
const hours = i >= 0 ? Number(process.argv[i + 1]) : 24;
if (process.argv[2] !== "rotate" || !Number.isFinite(hours) || hours < 0 || hours > 24 * 90) {
  console.error("Usage: npm run keys:rotate [-- --overlap-hours N]   (N from 0 to 2160)");
  process.exit(2);
}
const { added, retiring } = await rotateKey(hours * 3600);
console.log(`New signing key ${added.kid} in ${keyFilePath()}.`);
for (const k of retiring) console.log(`Key ${k.kid} signs nothing new and stays listed for verification; it retires at ${k.retiresAt}.`);
