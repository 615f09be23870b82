// Wakes this instance's folder (lib/jobs/background.ts) right after a change to a trial's counts commits, so live
// dashboards hear of it within milliseconds; changes committed through other instances are found by the folder's
// own frequent pass. Without a running folder (tests, commands) a nudge does nothing.
type Fold = (trialId: string) => Promise<unknown>;

const state = globalThis as unknown as { trialbridgeFolder?: { fold: Fold; pending: Set<string>; running: boolean } };

export function startFolder(fold: Fold) {
  state.trialbridgeFolder ??= { fold, pending: new Set(), running: false };
}

async function drain() {
  const folder = state.trialbridgeFolder!;
  if (folder.running) return;
  folder.running = true;
  try {
    while (folder.pending.size) {
      const [trialId] = folder.pending;
      folder.pending.delete(trialId!);
      await folder.fold(trialId!).catch(() => {}); // the folder's pass retries whatever this missed
    }
  } finally {
    folder.running = false;
  }
}

/** Call after the transaction that changed a trial's counts has committed. */
export function nudgeFold(trialId: string) {
  const folder = state.trialbridgeFolder;
  if (!folder) return;
  folder.pending.add(trialId);
  void drain();
}
