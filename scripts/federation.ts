// npm run federation -- <command>   (one node of a partnership: NODE_COUNTRY and NODE_ID set, as for the app)
//   identity                                   prints this node's identity (name, country, public keys) as JSON
//   pair --identity FILE [--url URL] [--connect]
//                                              pairs with the peer whose identity FILE holds (what `identity` printed
//                                              there); --connect: this node opens the connection to URL
//   status                                     the peer's state, its latest as-of time, both feeds' positions
//   witness                                    the peer's audit checkpoints kept here (for the peer's auditors:
//                                              `npm run audit:verify -- --checkpoint FILE` there)
//   pause --reason TEXT | resume --reason TEXT the export switch (audited)
// Uses the running node's database (its embedded PostgreSQL under TRIALBRIDGE_DATA_DIR, or DATABASE_URL).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { openDatabase, unreachable } from "./lib/database";

const [command, ...args] = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const usage = () => {
  console.error(
    "Usage: npm run federation -- identity | pair --identity FILE [--url URL] [--connect] | status | witness | pause --reason TEXT | resume --reason TEXT",
  );
  process.exit(2);
};

async function main() {
  if (!process.env.NODE_COUNTRY) {
    console.error("Set NODE_COUNTRY (US or CN) and NODE_ID as for the node's app: a single deployment has no peer.");
    process.exit(2);
  }
  const admin = await import("@/lib/federation/admin");
  if (command === "identity") {
    console.log(JSON.stringify(await admin.identityDocument(), null, 2));
    return;
  }
  if (!["pair", "status", "pause", "resume", "witness"].includes(command ?? "")) usage();
  const database = await openDatabase(() => {}, { attach: true });
  process.env.DATABASE_URL = database.url;
  process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url"); // the database client's settings need one; nothing here uses it
  const { db } = await import("@/lib/db/client");
  try {
    if (command === "pair") {
      const file = option("identity");
      if (!file) usage();
      const peer = await admin.pairPeer(null, { identity: fs.readFileSync(file!, "utf8"), url: option("url"), connect: args.includes("--connect") });
      console.log(`Paired with ${peer.origin} (${peer.country})${peer.connect ? `; this node connects to ${peer.url}` : "; the peer connects to this node"}.`);
    } else if (command === "witness") {
      console.log(JSON.stringify(await admin.witnessDocument(), null, 2));
    } else if (command === "pause" || command === "resume") {
      const reason = option("reason");
      if (!reason) usage();
      await admin.setExportPaused(null, { paused: command === "pause", reason });
      console.log(command === "pause" ? "Exports paused: the peer is told once, then nothing more is sent." : "Exports resumed.");
    } else {
      const { peerState } = await import("@/lib/federation/status");
      const peer = await db().federationPeer.findFirst();
      const last = await db().federationOutbox.findFirst({ orderBy: { seq: "desc" } });
      if (!peer) console.log("Not paired.");
      else
        console.log(
          JSON.stringify(
            {
              peer: peer.origin,
              state: peerState(peer), // with the node's own FEDERATION_STALE_SECONDS, as its views use
              peerAsOf: peer.lastAsOf,
              appliedSeq: peer.appliedSeq,
              ourSeq: last?.seq ?? 0,
              acknowledgedSeq: peer.ackedSeq,
              rejection: peer.rejection,
            },
            null,
            2,
          ),
        );
    }
  } catch (error) {
    const { renderFields, renderMessage } = await import("@/lib/i18n/messages");
    const { AppError } = await import("@/lib/http/errors");
    if (error instanceof AppError)
      console.error([renderMessage(error.message), ...Object.values(renderFields(error.fields ?? {}, "en") ?? {}).flat()].join(" "));
    else console.error(unreachable(error, database.url) ?? (error instanceof Error ? error.message : String(error)));
    process.exitCode = 1;
  } finally {
    await db().$disconnect();
    await database.stop();
  }
}

void main();
