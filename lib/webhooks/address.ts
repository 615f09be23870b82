// Where a webhook may point (issue 18): an https URL whose host resolves only to public addresses, so an endpoint can
// never make the deployment call into its own network (its database, cloud metadata, admin ports). The address is
// checked again at every connection, on the address actually connected to (a name that resolved to a public address
// when registered may resolve to a private one later). WEBHOOKS_ALLOW_PRIVATE lifts both rules, for tests and closed
// networks.
import dns from "node:dns";
import net from "node:net";

const blocked = new net.BlockList();
for (const [prefix, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  blocked.addSubnet(prefix, bits, "ipv4");
for (const [prefix, bits] of [
  ["::", 127], // unspecified and loopback
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  blocked.addSubnet(prefix, bits, "ipv6");

/** Whether an IP address is private, reserved or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, "ipv4");
  return blocked.check(address, "ipv6");
}

export type AddressProblem = "invalid" | "scheme" | "credentials" | "private" | "unresolved";

/** What is wrong with a webhook URL, or null. Resolves the host (every address it has must be public). */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<AddressProblem | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "invalid";
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) return "scheme";
  if (url.username || url.password) return "credentials";
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) return isPrivateAddress(host) ? "private" : null;
  try {
    const addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
    if (!addresses.length) return "unresolved";
    return addresses.some((a) => isPrivateAddress(a.address)) ? "private" : null;
  } catch {
    return "unresolved";
  }
}

/** A `lookup` for http(s).request that refuses to connect to a private address (unless allowed). */
export function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 4);
      const list = addresses as unknown as dns.LookupAddress[];
      const usable = allowPrivate ? list : list.filter((a) => !isPrivateAddress(a.address));
      if (!usable.length) return callback(Object.assign(new Error(`${hostname} resolves only to private addresses`), { code: "EPRIVATE" }), "", 4);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}
