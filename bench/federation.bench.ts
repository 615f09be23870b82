// From a registration at a Chinese site to the US node's dashboard counts showing it, with two real nodes as
// `npm run demo:federation` runs them (each its own embedded PostgreSQL, the Chinese node pushing to the US one), at
// the default settings. Goal: p95 under 2 s (and never over 5 s). The reference in the same run is the Chinese
// node's own dashboard counts (the same registration seen where it was made: the local live path alone).
// Each registration goes through the API; the delay is measured from the moment its response arrives (committed).
// Run: npm run bench:federation
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO_ACCOUNTS } from "../prisma/demo/accounts";
import { api, freePort, signIn } from "../tests/support/http";
import { percentile } from "./lib/app";

const CHANGES = Number(process.env.BENCH_CHANGES ?? 40);
const POLL_MS = 25;

type Summary = { byCountry: { CN: { screened: number } }; federation: { state: string } | null };

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "trialbridge-bench-federation-"));
  const [usPort, cnPort] = [await freePort(), await freePort()];
  const demo = spawn(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/demo-federation.ts"], {
    env: { ...process.env, TRIALBRIDGE_DATA_DIR: dataDir, US_PORT: String(usPort), CN_PORT: String(cnPort), DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = "";
      demo.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("Chinese node on")) resolve();
      });
      demo.on("exit", (code) => reject(new Error(`demo:federation exited (${code}):\n${out.slice(-2000)}`)));
    });
    const us = `http://localhost:${usPort}`;
    const cn = `http://127.0.0.1:${cnPort}`; // as demo:federation serves it (browsers share cookies across ports of one host)
    const [usViewer, cnViewer, cnWriter] = [
      await signIn(us, DEMO_ACCOUNTS.investigator),
      await signIn(cn, DEMO_ACCOUNTS.investigator),
      await signIn(cn, DEMO_ACCOUNTS.coordinatorCn),
    ];
    const trialId = async (base: string, cookie: string) =>
      (await api<{ items: { id: string; code: string }[] }>(base, cookie, "/api/v1/trials")).body.items.find((t) => t.code === "TB-201")!.id;
    const [usTrial, cnTrial] = [await trialId(us, usViewer), await trialId(cn, cnViewer)];
    const site = (await api<{ items: { siteId: string }[] }>(cn, cnWriter, `/api/v1/trials/${cnTrial}/participants?limit=1`)).body.items[0]!.siteId;
    const screened = async (base: string, cookie: string, trial: string) =>
      (await api<Summary>(base, cookie, `/api/v1/trials/${trial}/enrolment`)).body.byCountry.CN.screened;
    const waitFor = async (base: string, cookie: string, trial: string, value: number, since: number) => {
      for (;;) {
        if ((await screened(base, cookie, trial)) >= value) return performance.now() - since;
        if (performance.now() - since > 60_000) throw new Error(`${base} did not show ${value} within 60 s`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };
    // Both sides agree before the first change.
    for (let i = 0; ; i++) {
      if ((await screened(us, usViewer, usTrial)) === (await screened(cn, cnViewer, cnTrial))) break;
      if (i > 600) throw new Error("the nodes never agreed");
      await new Promise((r) => setTimeout(r, 100));
    }

    const local: number[] = [];
    const remote: number[] = [];
    for (let i = 0; i < CHANGES + 3; i++) {
      const before = await screened(cn, cnViewer, cnTrial);
      const response = await api(cn, cnWriter, `/api/v1/trials/${cnTrial}/participants`, {
        method: "POST",
        headers: { "Idempotency-Key": randomUUID() },
        body: {
          siteId: site,
          screeningDate: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
          ageAtScreening: 60,
          sex: "female",
          results: [{ subtype: "KRAS G12C", result: "detected", method: "NGS_TISSUE" }],
        },
      });
      if (response.status !== 201) throw new Error(`registration answered ${response.status}`);
      const committed = performance.now();
      const [l, r] = await Promise.all([waitFor(cn, cnViewer, cnTrial, before + 1, committed), waitFor(us, usViewer, usTrial, before + 1, committed)]);
      if (i >= 3) {
        local.push(l);
        remote.push(r);
      }
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 800)); // changes arrive at random moments
    }
    const report = (name: string, values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      console.log(
        `${name}: p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p95 ${percentile(sorted, 0.95).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (${values.length} registrations)`,
      );
    };
    report("Chinese node's own dashboard counts (reference)", local);
    report("US node's dashboard counts", remote);
  } finally {
    process.kill(-demo.pid!, "SIGINT");
    await new Promise((r) => demo.once("exit", r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
