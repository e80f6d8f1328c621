// The part of autocannon's programmatic API the gateway benchmark uses (the package ships no
// types; @types/autocannon would be a second dependency for a dozen lines).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  export interface Histogram {
    readonly min: number;
    readonly max: number;
    readonly average: number;
    readonly stddev: number;
    readonly p50: number;
    readonly p90: number;
    readonly p97_5: number;
    readonly p99: number;
    readonly p99_9: number;
    readonly total?: number;
  }

  export interface RawRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  }

  export interface Options {
    readonly url: string;
    readonly connections?: number;
    readonly duration?: number;
    readonly amount?: number;
    readonly timeout?: number;
    readonly pipelining?: number;
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
    readonly requests?: readonly {
      readonly method?: string;
      readonly path?: string;
      readonly headers?: Record<string, string>;
      readonly body?: string;
      readonly setupRequest?: (request: RawRequest, context: Record<string, unknown>) => RawRequest;
      readonly onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
    }[];
    readonly title?: string;
  }

  export interface Result {
    readonly title?: string;
    readonly url: string;
    readonly requests: Histogram & { readonly total: number; readonly sent: number };
    readonly latency: Histogram & { readonly totalCount: number };
    readonly throughput: Histogram & { readonly total: number };
    readonly duration: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly mismatches: number;
    readonly non2xx: number;
    readonly resets: number;
    readonly connections: number;
    readonly pipelining: number;
    readonly '1xx': number;
    readonly '2xx': number;
    readonly '3xx': number;
    readonly '4xx': number;
    readonly '5xx': number;
    readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>;
    readonly start: Date;
    readonly finish: Date;
  }

  export interface Instance extends EventEmitter, PromiseLike<Result> {
    stop(): void;
  }

  function autocannon(options: Options): Instance;
  export default autocannon;
}
