// Live enrolment events for open dashboards. One LISTEN connection per app instance: a NOTIFY (sent by
// appendEnrolmentEvent when its transaction commits, from any instance) makes the hub read that trial's new events
// from the append-only log once, in id order, and hand each to every subscriber that has not had it. The log is
// the truth: a subscriber that reconnects with the last id it saw gets the newest event it missed (events carry whole
// counts, so that is all it needs), and a lost LISTEN connection is re-established and caught up from the log.
import "server-only";
import pg from "pg";
import { stillWatching } from "@/lib/auth/access";
import { db } from "@/lib/db/client";
import { NOTIFICATION_CHANNEL } from "@/lib/alerts/tell";
import { ENROLMENT_CHANNEL } from "@/lib/enrolment/events";
import { serverEnv } from "@/lib/env";
import { Pulse } from "./pulse";

export interface LiveEvent {
  id: bigint;
  trialId: string;
  at: Date;
  type: string;
  payload: unknown;
}

interface Subscriber {
  cursor: bigint;
  /** Live events that arrive while the subscriber's replay is being read. */
  buffer: LiveEvent[] | null;
  send: (event: LiveEvent) => void;
}

interface TrialState {
  cursor: bigint;
  subscribers: Set<Subscriber>;
  reading: Promise<void> | null;
  again: boolean;
}

const REPLAY_LIMIT = 1_000;

async function eventsAfter(trialId: string, after: bigint): Promise<LiveEvent[]> {
  return db().enrolmentEvent.findMany({
    where: { trialId, id: { gt: after } },
    orderBy: { id: "asc" },
    take: REPLAY_LIMIT,
  });
}

class Hub {
  private listener: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly trials = new Map<string, TrialState>();
  /** Streams of people's own notifications, by user. */
  private readonly users = new Map<string, Set<(event: LiveEvent) => void>>();

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: serverEnv().DATABASE_URL });
      client.on("notification", (message) => {
        if (message.channel === NOTIFICATION_CHANNEL) {
          if (message.payload) this.readUser(message.payload);
          return;
        }
        const trialId = message.payload?.split(":")[0];
        if (trialId) this.read(trialId);
      });
      const lost = () => {
        if (this.listener !== client) return;
        this.listener = null;
        this.connecting = null;
        client.removeAllListeners();
        client.end().catch(() => {});
        setTimeout(() => void this.reconnect(), 1_000);
      };
      client.on("error", lost);
      client.on("end", lost);
      await client.connect();
      await client.query(`LISTEN ${ENROLMENT_CHANNEL}`);
      await client.query(`LISTEN ${NOTIFICATION_CHANNEL}`);
      this.listener = client;
    })().catch((error: unknown) => {
      this.connecting = null;
      throw error;
    });
    return this.connecting;
  }

  private async reconnect() {
    if (this.trials.size === 0 && this.users.size === 0) return;
    try {
      await this.connect();
      for (const trialId of this.trials.keys()) this.read(trialId); // catch up on anything sent while disconnected
      for (const userId of this.users.keys()) this.readUser(userId);
    } catch {
      setTimeout(() => void this.reconnect(), 2_000);
    }
  }

  /** Reads a trial's new events once and fans them out; concurrent calls coalesce. */
  private read(trialId: string) {
    const state = this.trials.get(trialId);
    if (!state) return;
    if (state.reading) {
      state.again = true;
      return;
    }
    state.reading = (async () => {
      do {
        state.again = false;
        const events = await eventsAfter(trialId, state.cursor);
        for (const event of events) {
          state.cursor = event.id;
          for (const sub of state.subscribers) {
            if (sub.buffer) sub.buffer.push(event);
            else if (event.id > sub.cursor) {
              sub.cursor = event.id;
              sub.send(event);
            }
          }
        }
        if (events.length === REPLAY_LIMIT) state.again = true;
      } while (state.again);
    })()
      .catch((error: unknown) => console.error("Live events: reading the event log failed:", error instanceof Error ? error.message : error))
      .finally(() => {
        state.reading = null;
      });
  }

  /** Sends a person's new notification state to each of their open streams on this instance. */
  private readUser(userId: string) {
    const sends = this.users.get(userId);
    if (!sends?.size) return;
    userState(userId)
      .then((event) => sends.forEach((send) => send(event)))
      .catch((error: unknown) => console.error("Live notifications: reading failed:", error instanceof Error ? error.message : error));
  }

  /** Subscribes to a person's notifications: their state now, then again each time one is told or read. */
  async subscribeUser(userId: string, send: (event: LiveEvent) => void): Promise<() => void> {
    await this.connect();
    let sends = this.users.get(userId);
    if (!sends) this.users.set(userId, (sends = new Set()));
    sends.add(send);
    send(await userState(userId));
    const mine = sends;
    return () => {
      mine.delete(send);
      if (mine.size === 0) this.users.delete(userId);
    };
  }

  /**
   * Subscribes to a trial's events after `lastEventId` (missed events are replayed first, in order), or from now.
   * Returns the unsubscribe function.
   */
  async subscribe(trialId: string, lastEventId: bigint | null, send: (event: LiveEvent) => void): Promise<() => void> {
    await this.connect();
    let state = this.trials.get(trialId);
    if (!state) {
      const latest = await db().enrolmentEvent.findFirst({ where: { trialId }, orderBy: { id: "desc" }, select: { id: true } });
      state = this.trials.get(trialId) ?? { cursor: latest?.id ?? 0n, subscribers: new Set(), reading: null, again: false };
      this.trials.set(trialId, state);
    }
    const sub: Subscriber = { cursor: lastEventId ?? state.cursor, buffer: [], send };
    state.subscribers.add(sub);
    try {
      if (lastEventId !== null) {
        // Every event carries the trial's whole counts, so a client that was away needs only the newest one it
        // missed, however long the gap: one row read, one event sent, never the log's backlog.
        const latest = await db().enrolmentEvent.findFirst({ where: { trialId, id: { gt: sub.cursor, lte: state.cursor } }, orderBy: { id: "desc" } });
        if (latest) {
          sub.cursor = latest.id;
          send(latest);
        }
      }
      for (const event of sub.buffer ?? []) {
        if (event.id > sub.cursor) {
          sub.cursor = event.id;
          send(event);
        }
      }
    } finally {
      sub.buffer = null;
    }
    const trial = state;
    return () => {
      trial.subscribers.delete(sub);
      if (trial.subscribers.size === 0 && !trial.reading) this.trials.delete(trialId);
    };
  }
}

/** A person's notification state as a live event: the newest notification's id and their unread count. */
async function userState(userId: string): Promise<LiveEvent> {
  const [newest, unread] = await Promise.all([
    db().notification.findFirst({ where: { userId }, orderBy: { id: "desc" }, select: { id: true, createdAt: true } }),
    db().notification.count({ where: { userId, readAt: null } }),
  ]);
  return { id: newest?.id ?? 0n, trialId: "", at: newest?.createdAt ?? new Date(), type: "notification", payload: { unread } };
}

const globalForHub = globalThis as unknown as { trialbridgeHub?: Hub; trialbridgePulse?: Pulse };

export function hub(): Hub {
  globalForHub.trialbridgeHub ??= new Hub();
  return globalForHub.trialbridgeHub;
}

/** The instance's one heartbeat for its live streams. */
export function pulse(): Pulse {
  globalForHub.trialbridgePulse ??= new Pulse(serverEnv().LIVE_HEARTBEAT_SECONDS * 1000, stillWatching);
  return globalForHub.trialbridgePulse;
}
