// Delay from a committed registration to its enrolment event arriving at 500 connected dashboards, on one app
// instance. Goal: 99th percentile under 250 ms. Each registration goes through the API; the delay is measured from
// the moment its response arrives (the change is committed before the response is sent, so this slightly
// understates), and also from the moment the request was sent (which overstates: it includes the registration).
// Run: npm run bench:live
import { todayIn } from "@/lib/dates/calendar";
import { percentile, startBench } from "./lib/app";

const DASHBOARDS = Number(process.env.BENCH_DASHBOARDS ?? 500);
const CHANGES = 30;

async function main() {
  const bench = await startBench();
  try {
    await bench.startApp(3220);
    const viewer = await bench.signIn("investigator@example.org");
    const writer = await bench.signIn("coordinator.us@example.org");
    const trial = await bench.db.trial.findFirstOrThrow({ where: { code: "TB-201" } });
    const site = await bench.db.site.findUniqueOrThrow({ where: { code: "US-BOS1" } });

    const arrivals = new Map<string, number[]>(); // event id -> arrival times
    const controllers: AbortController[] = [];
    let open = 0;
    await Promise.all(
      Array.from({ length: DASHBOARDS }, async () => {
        const controller = new AbortController();
        controllers.push(controller);
        const response = await fetch(`${bench.base}/api/v1/trials/${trial.id}/events`, {
          headers: { cookie: viewer, accept: "text/event-stream" },
          signal: controller.signal,
        });
        const reader = response.body!.getReader();
        const decoder = new TextDecoder();
        open++;
        let buffer = "";
        void (async () => {
          try {
            for (;;) {
              const { done, value } = await reader.read();
              if (done) return;
              const now = performance.now();
              buffer += decoder.decode(value, { stream: true });
              let split: number;
              while ((split = buffer.indexOf("\n\n")) >= 0) {
                const id = /^id: (\d+)$/m.exec(buffer.slice(0, split))?.[1];
                buffer = buffer.slice(split + 2);
                if (id) arrivals.set(id, [...(arrivals.get(id) ?? []), now]);
              }
            }
          } catch {
            // aborted
          }
        })();
      }),
    );
    console.log(`${open} dashboards connected to one instance.`);

    const fromCommit: number[] = [];
    const fromRequest: number[] = [];
    for (let n = 0; n < CHANGES; n++) {
      const before = new Set(arrivals.keys());
      const sent = performance.now();
      const response = await fetch(`${bench.base}/api/v1/trials/${trial.id}/participants`, {
        method: "POST",
        headers: { cookie: writer, "content-type": "application/json", "Idempotency-Key": `bench-live-${n}-${Date.now()}` },
        body: JSON.stringify({
          siteId: site.id,
          screeningDate: todayIn(site.timeZone),
          ageAtScreening: 60,
          sex: "male",
          results: [{ subtype: "G12C", result: "detected", method: "PCR" }],
        }),
      });
      const committed = performance.now();
      if (response.status !== 201) throw new Error(`registration answered ${response.status}`);
      const deadline = Date.now() + 10_000;
      let id: string | undefined;
      while (Date.now() < deadline) {
        id = [...arrivals.keys()].find((k) => !before.has(k));
        if (id && arrivals.get(id)!.length >= DASHBOARDS) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      if (!id || arrivals.get(id)!.length < DASHBOARDS) throw new Error(`event ${n} reached ${id ? arrivals.get(id)!.length : 0} of ${DASHBOARDS} dashboards`);
      for (const at of arrivals.get(id)!) {
        fromCommit.push(Math.max(0, at - committed));
        fromRequest.push(at - sent);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const c of controllers) c.abort();
    fromCommit.sort((a, b) => a - b);
    fromRequest.sort((a, b) => a - b);
    const line = (label: string, s: number[]) =>
      console.log(
        `  ${label}: p50 ${percentile(s, 0.5).toFixed(1)} ms, p95 ${percentile(s, 0.95).toFixed(1)} ms, p99 ${percentile(s, 0.99).toFixed(1)} ms, max ${s.at(-1)!.toFixed(1)} ms`,
      );
    console.log(`${CHANGES} registrations x ${DASHBOARDS} dashboards = ${fromCommit.length} deliveries:`);
    line("from commit (response received)", fromCommit);
    line("from request sent              ", fromRequest);
    console.log("  goal: p99 from commit under 250 ms");
  } finally {
    await bench.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
