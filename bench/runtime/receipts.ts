import { performance } from 'node:perf_hooks';

const RECEIVED = -1;

/**
 * One phase's bookkeeping: when each event id was handed to `publish`, and when the handler first
 * saw it. Keyed by event id (not by occurredAt, which Avro stores in whole milliseconds).
 */
export class Receipts {
  private readonly sentAt = new Map<string, number>();
  readonly latenciesMs: number[] = [];
  received = 0;
  duplicates = 0;
  unknown = 0;
  /** performance.now() of the handler call that completed the phase (0 until then). */
  completedAt = 0;

  constructor(readonly expected: number) {}

  sent(eventId: string, at: number): void {
    this.sentAt.set(eventId, at);
  }

  /** Called at handler entry. */
  receive(eventId: string): void {
    const now = performance.now();
    const at = this.sentAt.get(eventId);
    if (at === undefined) {
      this.unknown += 1;
      return;
    }
    if (at === RECEIVED) {
      this.duplicates += 1;
      return;
    }
    this.sentAt.set(eventId, RECEIVED);
    this.latenciesMs.push(now - at);
    this.received += 1;
    if (this.received === this.expected) this.completedAt = now;
  }

  get done(): boolean {
    return this.received >= this.expected;
  }
}
