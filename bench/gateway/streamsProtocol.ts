/** The messages between the benchmark driver and its stream client process (child_process IPC). */
import type { Distribution } from '../runtime/stats.js';

/** A conversation to watch and whose customer watches it (one customer JWT per target). */
export interface StreamTarget {
  readonly tenantId: string;
  readonly customerId: string;
  readonly conversationId: string;
}

export interface OpenCommand {
  readonly type: 'open';
  readonly baseUrl: string;
  readonly jwt: { readonly secret: string; readonly issuer: string; readonly audience: string };
  readonly targets: readonly StreamTarget[];
  readonly streamsPerTarget: number;
  /** Opens waiting for their response headers at once. */
  readonly concurrency: number;
}

export type DriverMessage = OpenCommand | { readonly type: 'stats' } | { readonly type: 'arrivals'; readonly eventIds: readonly string[] } | { readonly type: 'close' };

export interface OpenReport {
  readonly type: 'opened';
  readonly attempted: number;
  readonly opened: number;
  /** Refused opens by status (or `error:<code>` for a socket error). */
  readonly failures: Readonly<Record<string, number>>;
  /** A few refusal bodies, to say why. */
  readonly failureSamples: readonly string[];
  readonly seconds: number;
  /** Request sent → response headers, per opened stream (ms). */
  readonly openLatencyMs: Distribution;
}

export interface StreamStats {
  readonly type: 'stats';
  /** Streams with a live socket now. */
  readonly open: number;
  /** Opened streams whose socket closed without the client closing it. */
  readonly dropped: number;
  readonly dropReasons: Readonly<Record<string, number>>;
  /** Heartbeat comments received per open stream since it opened. */
  readonly heartbeatsPerStream: Distribution;
  /** Streams that received no heartbeat at all. */
  readonly withoutHeartbeat: number;
  readonly eventFrames: number;
  readonly clientRssMiB: number;
  readonly clientHeapUsedMiB: number;
}

export interface ArrivalReport {
  readonly type: 'arrivals';
  /** Event id → epoch milliseconds (fractional) at which each stream received it. */
  readonly arrivals: Readonly<Record<string, readonly number[]>>;
}

export type ClientMessage = OpenReport | StreamStats | ArrivalReport | { readonly type: 'closed' } | { readonly type: 'failed'; readonly error: string };

/** Epoch milliseconds with sub-millisecond precision, comparable between processes of one machine. */
export const epochMs = (): number => performance.timeOrigin + performance.now();
