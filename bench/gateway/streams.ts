/**
 * Many concurrent SSE streams on one gateway: a separate client process (streamsClient.ts) opens
 * them, holds them while heartbeats arrive, then changes are appended to a sample of the
 * conversations and their arrival on every stream of those conversations is timed. The gateway's
 * RSS is read before and after the opens (memory per stream), its CPU while it only holds them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { distribution, round, type Distribution } from '../runtime/stats.js';
import { cpuBetween, sampleCpu, type CpuCost } from '../pipeline/cpuSampler.js';
import { rssMiB, rssSampler } from './processMemory.js';
import { scrapeMetrics } from './services.js';
import type { ArrivalReport, ClientMessage, OpenCommand, OpenReport, StreamStats, StreamTarget } from './streamsProtocol.js';

export interface PublishedChange {
  readonly eventId: string;
  readonly conversationId: string;
  /** Epoch ms just before the producer's publish call, and when the broker acknowledged it (acks=all). */
  readonly publishAt: number;
  readonly ackAt: number;
}

export interface StreamsOptions {
  readonly baseUrl: string;
  readonly gatewayPid: number;
  readonly roots: () => Readonly<Record<string, number>>;
  readonly targets: readonly StreamTarget[];
  readonly streamsPerTarget: number;
  readonly concurrency: number;
  readonly jwt: OpenCommand['jwt'];
  /** Wait after the last open before the "after" memory reading (allocations of the opens settle). */
  readonly settleSeconds: number;
  readonly holdSeconds: number;
  readonly changes: number;
  readonly changesPerSecond: number;
  /** How long the last change may take to reach all its streams. */
  readonly deliveryTimeoutSeconds: number;
  /** Appends one change (an event) to the conversation. */
  readonly publishChange: (target: StreamTarget) => Promise<PublishedChange>;
  /** Changes published right after the gateway's LISTEN connection was killed (0: no such phase). */
  readonly reconnectChanges: number;
  /** Terminates the gateway's LISTEN backend; resolves with how many were terminated. */
  readonly terminateListener: () => Promise<number>;
  readonly log: (line: string) => void;
}

export interface Deliveries {
  readonly changes: number;
  readonly expectedDeliveries: number;
  readonly deliveries: number;
  /** Changes that did not reach every stream of their conversation within the timeout. */
  readonly incompleteChanges: number;
  /** publish call → arrival, per delivery (one change × one stream). */
  readonly deliveryMs: Distribution;
  /** publish call → arrival on the last stream of the conversation, per change. */
  readonly allStreamsMs: Distribution;
  /** broker acknowledgement → arrival, per delivery (the append is between the call and the ack). */
  readonly fromAckMs: Distribution;
  readonly publishToAckMs: Distribution;
}

export interface StreamsResult {
  readonly attempted: number;
  readonly opened: number;
  readonly openFailures: Readonly<Record<string, number>>;
  readonly openFailureSamples: readonly string[];
  readonly openSeconds: number;
  readonly opensPerSecond: number;
  readonly openLatencyMs: Distribution;
  readonly heldAfterHold: number;
  readonly droppedDuringHold: number;
  readonly heldAtEnd: number;
  readonly droppedTotal: number;
  readonly dropReasons: Readonly<Record<string, number>>;
  readonly heartbeatsPerStream: Distribution;
  readonly streamsWithoutHeartbeat: number;
  readonly gateway: {
    readonly rssMiB: { readonly before: number | null; readonly afterOpen: number | null; readonly peakHolding: number | null; readonly afterFanout: number | null };
    /** (RSS after the opens − before) / streams opened. */
    readonly rssKiBPerStream: number | null;
    readonly heapUsedMiB: { readonly before: number | null; readonly afterOpen: number | null };
    readonly heapKiBPerStream: number | null;
    /** gateway_sse_streams_open after the opens. */
    readonly openStreamsGauge: number | null;
    readonly eventLoopLagP99MsHolding: number | null;
  };
  /** CPU in % of one core by process group: during the opens, while only holding, during the fan-out. */
  readonly cpuPercent: { readonly opening: Readonly<Record<string, number>>; readonly holding: Readonly<Record<string, number>>; readonly fanout: Readonly<Record<string, number>> };
  readonly holdSeconds: number;
  readonly fanout: Deliveries & { readonly changesPerSecond: number };
  /** The gateway's LISTEN backend terminated, then changes: caught up through the reconnect's wake of every stream. */
  readonly listenerReconnect: (Deliveries & { readonly terminatedBackends: number; readonly droppedStreams: number }) | null;
  readonly client: { readonly rssMiB: number; readonly heapUsedMiB: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MIB_PER_BYTE = 1 / (1024 * 1024);

/** The next message of a type from the client, or its failure. */
function reply<T extends ClientMessage['type']>(child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<ClientMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`the stream client sent no ${type} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: ClientMessage) => {
      if (message.type === 'failed') done(new Error(`stream client: ${message.error}`));
      else if (message.type === type) done(undefined, message as Extract<ClientMessage, { type: T }>);
    };
    const onExit = (code: number | null) => done(new Error(`the stream client exited (${code}) before sending ${type}`));
    const done = (error?: Error, message?: Extract<ClientMessage, { type: T }>) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message!);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function percentOfCore(cost: CpuCost): Record<string, number> {
  const wallMs = cost.seconds * 1000;
  // machine: everything busy meanwhile; others: what no sampled process used (other people's work on a shared machine).
  return {
    ...Object.fromEntries(Object.entries(cost.cpuMsByProcess).map(([name, ms]) => [name, round((100 * ms) / wallMs, 1)])),
    machine: round((100 * cost.machineBusyMs) / wallMs, 1),
    others: round((100 * cost.otherMs) / wallMs, 1),
  };
}

const heapAndStreams = async (baseUrl: string) => scrapeMetrics(`${baseUrl}/metrics`, ['nodejs_heap_size_used_bytes', 'gateway_sse_streams_open', 'nodejs_eventloop_lag_p99_seconds']);

/** `count` changes on schedule (open loop), spread over the conversations (`shift` moves the spread). */
async function publishPaced(options: StreamsOptions, count: number, perSecond: number, shift: number): Promise<PublishedChange[]> {
  const published: Promise<PublishedChange>[] = [];
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const wait = started + (index * 1000) / perSecond - performance.now();
    if (wait > 0) await sleep(wait);
    const target = options.targets[(Math.floor((index * options.targets.length) / count) + shift) % options.targets.length]!;
    published.push(options.publishChange(target));
  }
  return Promise.all(published);
}

/** Waits (bounded) until every change reached every stream of its conversation; the latencies. */
async function delivered(changes: readonly PublishedChange[], options: StreamsOptions, arrivalsOf: (eventIds: readonly string[]) => Promise<ArrivalReport>): Promise<Deliveries> {
  const eventIds = changes.map((change) => change.eventId);
  const deadline = Date.now() + options.deliveryTimeoutSeconds * 1000;
  let arrivals: ArrivalReport['arrivals'] = {};
  for (;;) {
    arrivals = (await arrivalsOf(eventIds)).arrivals;
    if (eventIds.every((id) => (arrivals[id]?.length ?? 0) >= options.streamsPerTarget) || Date.now() > deadline) break;
    await sleep(500);
  }
  const deliveries: number[] = [];
  const fromAck: number[] = [];
  const allStreams: number[] = [];
  let incomplete = 0;
  for (const change of changes) {
    const times = arrivals[change.eventId] ?? [];
    for (const at of times) {
      deliveries.push(at - change.publishAt);
      fromAck.push(at - change.ackAt);
    }
    if (times.length >= options.streamsPerTarget) allStreams.push(Math.max(...times) - change.publishAt);
    else incomplete += 1;
  }
  return {
    changes: changes.length,
    expectedDeliveries: changes.length * options.streamsPerTarget,
    deliveries: deliveries.length,
    incompleteChanges: incomplete,
    deliveryMs: distribution(deliveries, 1),
    allStreamsMs: distribution(allStreams, 1),
    fromAckMs: distribution(fromAck, 1),
    publishToAckMs: distribution(
      changes.map((change) => change.ackAt - change.publishAt),
      1,
    ),
  };
}

export async function streamsRun(options: StreamsOptions): Promise<StreamsResult> {
  const child = fork(join(import.meta.dirname, 'streamsClient.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const clientPid = child.pid;
  if (clientPid === undefined) throw new Error('the stream client did not start');
  const roots = () => ({ ...options.roots(), streamClient: clientPid });
  const ask = async <T extends ClientMessage['type']>(message: Parameters<ChildProcess['send']>[0], type: T, timeoutMs: number) => {
    const answer = reply(child, type, timeoutMs);
    child.send(message);
    return answer;
  };
  try {
    const before = await heapAndStreams(options.baseUrl);
    const rssBefore = rssMiB(options.gatewayPid);
    const total = options.targets.length * options.streamsPerTarget;
    options.log(`opening ${total} streams (${options.targets.length} conversations × ${options.streamsPerTarget}, ${options.concurrency} opens at a time); gateway RSS ${rssBefore} MiB`);

    const openCpu = sampleCpu(roots());
    const command: OpenCommand = { type: 'open', baseUrl: options.baseUrl, jwt: options.jwt, targets: options.targets, streamsPerTarget: options.streamsPerTarget, concurrency: options.concurrency };
    const opened: OpenReport = await ask(command, 'opened', 600_000);
    const opening = percentOfCore(cpuBetween(openCpu, sampleCpu(roots())));
    options.log(`opened ${opened.opened}/${opened.attempted} in ${opened.seconds.toFixed(1)} s (${Math.round(opened.opened / opened.seconds)}/s); refused ${JSON.stringify(opened.failures)}`);

    await sleep(options.settleSeconds * 1000);
    const rssAfterOpen = rssMiB(options.gatewayPid);
    const afterOpen = await heapAndStreams(options.baseUrl);
    options.log(`gateway RSS ${rssAfterOpen} MiB after the opens; holding ${options.holdSeconds} s`);

    const holdRss = rssSampler(options.gatewayPid);
    const holdCpu = sampleCpu(roots());
    await sleep(options.holdSeconds * 1000);
    const holding = percentOfCore(cpuBetween(holdCpu, sampleCpu(roots())));
    const peakHolding = holdRss.stop().peakMiB;
    const lag = await heapAndStreams(options.baseUrl);
    const held: StreamStats = await ask({ type: 'stats' }, 'stats', 30_000);
    options.log(`held ${held.open} (dropped ${held.dropped}); heartbeats per stream ${JSON.stringify(held.heartbeatsPerStream)}; CPU while holding ${JSON.stringify(holding)}`);

    // The fan-out: changes on schedule (open loop), spread over the conversations.
    const fanoutCpu = sampleCpu(roots());
    const fanoutResult = await delivered(await publishPaced(options, options.changes, options.changesPerSecond, 0), options, (eventIds) => ask({ type: 'arrivals', eventIds }, 'arrivals', 30_000));
    const fanout = percentOfCore(cpuBetween(fanoutCpu, sampleCpu(roots())));
    options.log(`fan-out: ${fanoutResult.deliveries}/${fanoutResult.expectedDeliveries} deliveries, ${fanoutResult.incompleteChanges} incomplete changes; all streams of a conversation ${JSON.stringify(fanoutResult.allStreamsMs)} ms`);

    // The LISTEN connection lost: every stream is woken at once when it is back, and the changes
    // committed meanwhile must still reach every stream of their conversations.
    let reconnect: StreamsResult['listenerReconnect'] = null;
    if (options.reconnectChanges > 0) {
      const beforeReconnect: StreamStats = await ask({ type: 'stats' }, 'stats', 30_000);
      const terminated = await options.terminateListener();
      const changes = await publishPaced(options, options.reconnectChanges, options.changesPerSecond, 1);
      const result = await delivered(changes, options, (eventIds) => ask({ type: 'arrivals', eventIds }, 'arrivals', 30_000));
      const afterReconnect: StreamStats = await ask({ type: 'stats' }, 'stats', 30_000);
      reconnect = { terminatedBackends: terminated, ...result, droppedStreams: afterReconnect.dropped - beforeReconnect.dropped };
      options.log(`listener reconnect (${terminated} backend terminated): ${result.deliveries}/${result.expectedDeliveries} deliveries, ${reconnect.droppedStreams} streams dropped; all streams ${JSON.stringify(result.allStreamsMs)} ms`);
    }

    const end: StreamStats = await ask({ type: 'stats' }, 'stats', 30_000);
    const rssAfterFanout = rssMiB(options.gatewayPid);
    const perStream = (afterValue: number | null, beforeValue: number | null, unit: number) =>
      afterValue === null || beforeValue === null || opened.opened === 0 ? null : round(((afterValue - beforeValue) * unit) / opened.opened, 1);
    const heapBefore = before['nodejs_heap_size_used_bytes'] ?? null;
    const heapAfter = afterOpen['nodejs_heap_size_used_bytes'] ?? null;
    return {
      attempted: opened.attempted,
      opened: opened.opened,
      openFailures: opened.failures,
      openFailureSamples: opened.failureSamples,
      openSeconds: round(opened.seconds, 2),
      opensPerSecond: round(opened.opened / opened.seconds, 0),
      openLatencyMs: opened.openLatencyMs,
      heldAfterHold: held.open,
      droppedDuringHold: held.dropped,
      heldAtEnd: end.open,
      droppedTotal: end.dropped,
      dropReasons: end.dropReasons,
      heartbeatsPerStream: held.heartbeatsPerStream,
      streamsWithoutHeartbeat: held.withoutHeartbeat,
      gateway: {
        rssMiB: { before: rssBefore, afterOpen: rssAfterOpen, peakHolding, afterFanout: rssAfterFanout },
        rssKiBPerStream: perStream(rssAfterOpen, rssBefore, 1024),
        heapUsedMiB: { before: heapBefore === null ? null : round(heapBefore * MIB_PER_BYTE, 1), afterOpen: heapAfter === null ? null : round(heapAfter * MIB_PER_BYTE, 1) },
        heapKiBPerStream: perStream(heapAfter, heapBefore, 1 / 1024),
        openStreamsGauge: afterOpen['gateway_sse_streams_open'] ?? null,
        eventLoopLagP99MsHolding: lag['nodejs_eventloop_lag_p99_seconds'] === null || lag['nodejs_eventloop_lag_p99_seconds'] === undefined ? null : round(lag['nodejs_eventloop_lag_p99_seconds'] * 1000, 1),
      },
      cpuPercent: { opening, holding, fanout },
      holdSeconds: options.holdSeconds,
      fanout: { ...fanoutResult, changesPerSecond: options.changesPerSecond },
      listenerReconnect: reconnect,
      client: { rssMiB: end.clientRssMiB, heapUsedMiB: end.clientHeapUsedMiB },
    };
  } finally {
    if (child.connected) await ask({ type: 'close' }, 'closed', 30_000).catch(() => undefined);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
