import type { Exchange } from './exchange.js';

/** Counts of what a fuzz run sent and got, for its report and its coverage checks. */
export class Tally {
  total = 0;
  /** Event-stream messages whose data was checked against the document. */
  streamMessages = 0;
  private readonly byStatus = new Map<number, number>();
  private readonly byKind = new Map<string, Map<number, number>>();
  private readonly byOperation = new Map<string, Map<number, number>>();
  private slowestMs = 0;
  private readonly refusals = new Map<string, number>();
  private readonly msByOperation = new Map<string, number>();

  add(exchange: Exchange): void {
    this.total += 1;
    const { status } = exchange;
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    bump(this.byKind, exchange.request.kind, status);
    bump(this.byOperation, exchange.request.operationId, status);
    this.slowestMs = Math.max(this.slowestMs, exchange.ms);
    this.msByOperation.set(exchange.request.operationId, (this.msByOperation.get(exchange.request.operationId) ?? 0) + exchange.ms);
  }

  /** A refusal of a request the document accepts, with the reason it is right all the same. */
  allowedRefusal(reason: string): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
  }

  count(predicate: (status: number) => boolean): number {
    return [...this.byStatus].reduce((sum, [status, count]) => (predicate(status) ? sum + count : sum), 0);
  }

  /** Operations that never got a 2xx. */
  operationsWithoutSuccess(operationIds: readonly string[]): string[] {
    return operationIds.filter((id) => ![...(this.byOperation.get(id) ?? new Map<number, number>()).keys()].some((status) => status >= 200 && status < 300));
  }

  report(): string {
    const line = (counts: Map<number, number>) =>
      [...counts]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status}:${count}`)
        .join(' ');
    const table = (rows: Map<string, Map<number, number>>) =>
      [...rows]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, counts]) => `  ${name.padEnd(24)} ${line(counts)}`)
        .join('\n');
    const share = (count: number) => `${((100 * count) / Math.max(1, this.total)).toFixed(1)} %`;
    return [
      `${this.total} requests (${this.streamMessages} stream messages checked); 2xx ${share(this.count((status) => status < 300))}, 429 ${share(this.count((status) => status === 429))}, 5xx ${this.count((status) => status >= 500)}; slowest ${Math.round(this.slowestMs)} ms`,
      `by status: ${line(this.byStatus)}`,
      `most time waiting on: ${[...this.msByOperation]
        .sort(([, a], [, b]) => b - a)
        .slice(0, 5)
        .map(([operation, ms]) => `${operation} ${(ms / 1000).toFixed(1)} s`)
        .join(', ')}`,
      `by kind:\n${table(this.byKind)}`,
      `by operation:\n${table(this.byOperation)}`,
      `valid requests refused for what the schemas cannot say:\n${[...this.refusals].map(([reason, count]) => `  ${count} × ${reason}`).join('\n') || '  none'}`,
    ].join('\n');
  }
}

function bump(rows: Map<string, Map<number, number>>, name: string, status: number): void {
  const counts = rows.get(name) ?? new Map<number, number>();
  counts.set(status, (counts.get(status) ?? 0) + 1);
  rows.set(name, counts);
}
