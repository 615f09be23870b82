// The peer's state as every view that includes its counts states it: never seen, live, stale (its latest verified
// snapshot is older than FEDERATION_STALE_SECONDS), paused by its origin, or rejected (the last delivery failed
// verification). Stale and paused counts are still the last verified figures, never zeros.
import type { Country } from "@/lib/db/generated/enums";
import { serverEnv } from "@/lib/env";

export const PEER_STATES = ["never_seen", "live", "stale", "paused", "rejected"] as const;
export type PeerState = (typeof PEER_STATES)[number];

export interface FederationView {
  origin: string;
  country: Country;
  state: PeerState;
  /** The as-of time of the peer's latest verified snapshot (ISO 8601), null if none yet. */
  asOf: string | null;
  staleAfterSeconds: number;
  /** How many of the peer's cells for this trial its disclosure policy withheld (left out of every sum). */
  withheld: number;
}

export interface PeerRow {
  origin: string;
  country: Country;
  appliedSeq: number;
  lastAsOf: Date | null;
  lastReceivedAt: Date | null;
  pausedByOrigin: boolean;
  rejectedAt: Date | null;
}

export function peerState(peer: PeerRow, now = new Date(), staleSeconds = serverEnv().FEDERATION_STALE_SECONDS): PeerState {
  if (peer.rejectedAt && (!peer.lastReceivedAt || peer.rejectedAt > peer.lastReceivedAt)) return "rejected";
  if (peer.appliedSeq === 0 || !peer.lastAsOf) return "never_seen";
  if (peer.pausedByOrigin) return "paused";
  return now.getTime() - peer.lastAsOf.getTime() > staleSeconds * 1000 ? "stale" : "live";
}

export function federationView(peer: PeerRow, withheld: number, now = new Date()): FederationView {
  const staleAfterSeconds = serverEnv().FEDERATION_STALE_SECONDS;
  return {
    origin: peer.origin,
    country: peer.country,
    state: peerState(peer, now, staleAfterSeconds),
    asOf: peer.lastAsOf?.toISOString() ?? null,
    staleAfterSeconds,
    withheld,
  };
}
