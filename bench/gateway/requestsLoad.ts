/**
 * POST /v1/requests under load: autocannon (closed loop, N connections, fixed duration) against
 * one gateway process. Every 202 must be a record on <ns>.customer.requests: the topic's high
 * watermarks are summed before and after each run and compared with the 202s autocannon counted
 * and with the gateway's own published counter.
 */
import autocannon, { type RawRequest, type Result } from 'autocannon';
import { topicOffsets, type Kafka } from '@supportstream/kafka';
import { round } from '../runtime/stats.js';
import { cpuBetween, sampleCpu } from '../pipeline/cpuSampler.js';
import { rssMiB, rssSampler } from './processMemory.js';
import { scrapeMetrics } from './services.js';

export interface RequestLoadOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly kafka: Kafka;
  readonly gatewayPid: number;
  /** Process groups whose CPU is reported (the gateway among them). */
  readonly roots: () => Readonly<Record<string, number>>;
  readonly seconds: number;
  /** Distinct customer ids the bodies cycle through (each gets a data key once, as in production). */
  readonly customers: number;
  readonly timeoutSeconds: number;
}

export interface RequestLoadRun {
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly mean: number; readonly p50: number; readonly p90: number; readonly p99: number; readonly p99_9: number; readonly max: number };
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly accepted: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Records added to <ns>.customer.requests during the run (watermarks after it settled − before). */
  readonly kafkaRecords: number;
  /** The gateway's gateway_events_published_total over the run. */
  readonly gatewayPublished: number | null;
  /** 202s with no record: must be 0. */
  readonly lost: number;
  /** Records whose answer autocannon did not count (in flight when the run stopped, or timed out). */
  readonly unanswered: number;
  /** CPU over the run in % of one core, by process group (driver = autocannon). */
  readonly cpuPercent: Readonly<Record<string, number>>;
  readonly machineBusyPercent: number;
  /** Busy CPU of no sampled process: other people's work on a shared machine. */
  readonly othersPercent: number;
  readonly gatewayRssMiB: { readonly before: number | null; readonly peak: number | null; readonly after: number | null };
}

const TOPIC = 'customer.requests';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function recordsOnTopic(kafka: Kafka): Promise<number> {
  return (await topicOffsets(kafka, [TOPIC])).reduce((total, partition) => total + Number(partition.high), 0);
}

/** The topic's record count once it stopped moving (requests in flight at the stop still land), bounded. */
async function settledRecords(kafka: Kafka): Promise<number> {
  let last = await recordsOnTopic(kafka);
  for (let attempt = 0; attempt < 20; attempt += 1) {
    await sleep(500);
    const now = await recordsOnTopic(kafka);
    if (now === last) return now;
    last = now;
  }
  return last;
}

const publishedCount = async (baseUrl: string) => (await scrapeMetrics(`${baseUrl}/metrics`, ['gateway_events_published_total']))['gateway_events_published_total'] ?? null;

function cannon(options: RequestLoadOptions, connections: number, seconds: number): Promise<Result> {
  let sent = 0;
  return Promise.resolve(
    autocannon({
      url: `${options.baseUrl}/v1/requests`,
      connections,
      duration: seconds,
      timeout: options.timeoutSeconds,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
      requests: [
        {
          setupRequest: (request: RawRequest) => {
            sent += 1;
            request.body = JSON.stringify({ customerId: `load-customer-${sent % options.customers}`, message: `My parcel ${sent} has not arrived yet, can you check?`, channel: 'API' });
            return request;
          },
        },
      ],
    }),
  );
}

/** A short run that is not recorded: JIT, connection pools, the customers' data keys. */
export async function warmUp(options: RequestLoadOptions, seconds: number): Promise<number> {
  return (await cannon(options, 10, seconds))['2xx'];
}

export async function loadRun(options: RequestLoadOptions, connections: number): Promise<RequestLoadRun> {
  const recordsBefore = await settledRecords(options.kafka);
  const publishedBefore = await publishedCount(options.baseUrl);
  const rssBefore = rssMiB(options.gatewayPid);
  const rss = rssSampler(options.gatewayPid);
  const cpuBefore = sampleCpu(options.roots());
  const result = await cannon(options, connections, options.seconds);
  const cpu = cpuBetween(cpuBefore, sampleCpu(options.roots()));
  const rssAfter = rss.stop();
  const recordsAfter = await settledRecords(options.kafka);
  const publishedAfter = await publishedCount(options.baseUrl);
  const kafkaRecords = recordsAfter - recordsBefore;
  const wallMs = cpu.seconds * 1000;
  const percent = (ms: number) => round((100 * ms) / wallMs, 1);
  return {
    connections,
    seconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.total / result.duration, 0),
    latencyMs: { mean: round(result.latency.average, 2), p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, p99_9: result.latency.p99_9, max: result.latency.max },
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count])),
    accepted: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    kafkaRecords,
    gatewayPublished: publishedBefore === null || publishedAfter === null ? null : publishedAfter - publishedBefore,
    lost: Math.max(0, result['2xx'] - kafkaRecords),
    unanswered: Math.max(0, kafkaRecords - result['2xx']),
    cpuPercent: Object.fromEntries(Object.entries(cpu.cpuMsByProcess).map(([name, ms]) => [name, percent(ms)])),
    machineBusyPercent: percent(cpu.machineBusyMs),
    othersPercent: percent(cpu.otherMs),
    gatewayRssMiB: { before: rssBefore, peak: rssAfter.peakMiB, after: rssAfter.lastMiB },
  };
}
