import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { registeredGauge } from './metrics.js';
import type { ComponentStatus, ReadinessReport } from './readiness.js';

/** Resolves when the dependency answers; rejects (or is abandoned at the timeout) when it does not. */
export type DependencyCheck = (signal: AbortSignal) => Promise<unknown>;

/** A part of the service that reports its own state (the consumer's group membership, the start-up). */
export interface ComponentState {
  up(): void;
  down(reason: string): void;
}

export interface DependencyMonitorOptions {
  /** Probes by dependency name (`kafka`, `postgres`, `redis`, `registry`). */
  readonly checks: Readonly<Record<string, DependencyCheck>>;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Between probe rounds while everything answers (default 5 s). */
  readonly intervalMs?: number;
  /** Between rounds while something is down (default 1 s), so a recovery shows within a second. */
  readonly downIntervalMs?: number;
  /** A probe without an answer within this counts as down (default 2 s). */
  readonly timeoutMs?: number;
}

export interface WaitOptions {
  readonly signal?: AbortSignal;
  /** Polled after every round: true ends the wait (e.g. the partition being handled moved away). */
  readonly shouldStop?: () => boolean;
}

export interface DependencyMonitor {
  /** First round at once, then on a timer that does not keep the process alive. */
  start(): void;
  stop(): void;
  /** The last known state (no probing): what /ready answers. */
  report(): ReadinessReport;
  /** A probe round now, or the last one when it is younger than `maxAgeMs`; concurrent callers share one round. */
  check(maxAgeMs?: number): Promise<ReadinessReport>;
  /** Probed dependencies that are down in the last round. */
  down(): readonly string[];
  /** Resolves true once every probed dependency answers again, false when the wait was ended first. */
  waitUntilUp(options?: WaitOptions): Promise<boolean>;
  /** A component of the /ready report, down (`reason`) until told otherwise. */
  component(name: string, reason?: string): ComponentState;
}

interface Entry {
  status: 'up' | 'down';
  since: number;
  reason?: string;
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 300);

/**
 * Watches the service's dependencies: probes each one on a timer (faster while one is down),
 * sets `supportstream_dependency_up{dependency}` and `supportstream_ready`, logs each transition
 * once (not every failed probe), and tells waiters when everything answers again. Components
 * such as the consumer add their own state to the same report.
 */
export function createDependencyMonitor(options: DependencyMonitorOptions): DependencyMonitor {
  const intervalMs = options.intervalMs ?? 5_000;
  const downIntervalMs = options.downIntervalMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const logger = options.logger.child({ component: 'dependencies' });
  const dependencyUp = registeredGauge(options.registry, 'supportstream_dependency_up', 'Whether the dependency answered its last probe (1) or not (0)', ['dependency']);
  const readyGauge = registeredGauge(options.registry, 'supportstream_ready', 'Whether GET /ready answers 200 (every dependency and component up)');
  const started = Date.now();
  const dependencies = new Map<string, Entry>(Object.keys(options.checks).map((name) => [name, { status: 'down', since: started, reason: 'not checked yet' }]));
  const components = new Map<string, Entry>();
  for (const name of dependencies.keys()) dependencyUp.set({ dependency: name }, 0);
  readyGauge.set(0);
  let round: Promise<ReadinessReport> | undefined;
  let lastRoundAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  function report(): ReadinessReport {
    const entries = [...dependencies, ...components];
    const view = (entry: Entry): ComponentStatus => ({ status: entry.status, since: new Date(entry.since).toISOString(), ...(entry.reason === undefined ? {} : { reason: entry.reason }) });
    const ready = entries.every(([, entry]) => entry.status === 'up');
    return { status: ready ? 'ready' : 'unavailable', components: Object.fromEntries(entries.map(([name, entry]) => [name, view(entry)])) };
  }

  function refreshReady(): void {
    readyGauge.set(report().status === 'ready' ? 1 : 0);
  }

  /** Records a new state; logs and counts transitions only. */
  function transition(kind: 'dependency' | 'component', name: string, entries: Map<string, Entry>, up: boolean, reason?: string): void {
    const previous = entries.get(name);
    const now = Date.now();
    if (up) {
      if (previous?.status !== 'up') {
        entries.set(name, { status: 'up', since: now });
        // The first success after start-up is not a recovery.
        if (previous && previous.reason !== 'not checked yet' && previous.reason !== 'starting') logger.info({ [kind]: name, downForMs: now - previous.since }, `${kind} back up`);
      }
    } else if (previous?.status !== 'down' || previous.reason === 'not checked yet') {
      entries.set(name, { status: 'down', since: previous?.status === 'down' ? previous.since : now, reason: reason ?? 'down' });
      logger.warn({ [kind]: name, reason }, `${kind} down`);
    } else {
      // Still down: keep `since`, show the latest reason.
      entries.set(name, { ...previous, reason: reason ?? previous.reason ?? 'down' });
    }
    if (kind === 'dependency') dependencyUp.set({ dependency: name }, up ? 1 : 0);
    refreshReady();
  }

  async function probe(name: string, check: DependencyCheck): Promise<void> {
    const controller = new AbortController();
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      await Promise.race([check(controller.signal), expired]);
      transition('dependency', name, dependencies, true);
    } catch (error) {
      transition('dependency', name, dependencies, false, reasonOf(error));
    } finally {
      clearTimeout(timeout);
    }
  }

  function check(maxAgeMs = 0): Promise<ReadinessReport> {
    if (round) return round;
    if (maxAgeMs > 0 && Date.now() - lastRoundAt < maxAgeMs) return Promise.resolve(report());
    round = Promise.all(Object.entries(options.checks).map(([name, probeOf]) => probe(name, probeOf)))
      .then(() => report())
      .finally(() => {
        lastRoundAt = Date.now();
        round = undefined;
      });
    return round;
  }

  const down = () => [...dependencies].filter(([, entry]) => entry.status === 'down').map(([name]) => name);

  function schedule(): void {
    if (!running) return;
    timer = setTimeout(
      () => {
        void check().finally(schedule);
      },
      down().length > 0 ? downIntervalMs : intervalMs,
    );
    timer.unref();
  }

  return {
    start() {
      if (running) return;
      running = true;
      void check().finally(schedule);
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
    report,
    check,
    down,
    async waitUntilUp(wait = {}) {
      for (;;) {
        // Many waiters share the rounds: at most one per downIntervalMs however many wait.
        const current = await check(downIntervalMs);
        if (Object.keys(options.checks).every((name) => current.components[name]?.status === 'up')) return true;
        if (wait.signal?.aborted || wait.shouldStop?.()) return false;
        try {
          await sleep(downIntervalMs, undefined, wait.signal ? { signal: wait.signal } : {});
        } catch {
          return false;
        }
      }
    },
    component(name, reason = 'starting') {
      components.set(name, { status: 'down', since: Date.now(), reason });
      refreshReady();
      return {
        up: () => transition('component', name, components, true),
        down: (why) => transition('component', name, components, false, why),
      };
    },
  };
}
