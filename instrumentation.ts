// Runs once when a server process starts: the background work of lib/jobs/background.ts (never during `next build`,
// which runs page code in worker processes and must not touch the database).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startBackgroundWork } = await import("./lib/jobs/background");
  startBackgroundWork();
}
