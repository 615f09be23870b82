// Runs once when a server process starts: the background work of lib/jobs/background.ts (never during `next build`,
// which runs page code in worker processes and must not touch the database).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  // A log that can no longer be written (the process that read our output is gone) is not an error to report: left
  // unhandled, each failed write raised another, which was logged, and the server spun on it.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
  const { startBackgroundWork } = await import("./lib/jobs/background");
  startBackgroundWork();
}
