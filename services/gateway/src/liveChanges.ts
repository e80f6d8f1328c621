import type { Logger } from '@supportstream/observability';
import type pg from 'pg';

export type Wake = () => void;
/** Told the conversations a projected batch changed; `null` when changes may have been missed (after a reconnect). */
export type ChangeListener = (conversationIds: readonly string[] | null) => void;

/** Wakes the live streams of conversations the projector just changed. */
export interface ConversationChanges {
  /**
   * Registers a stream's wake-up; resolves once the process is LISTENing, so an event committed
   * after that is announced. Returns the unsubscribe function.
   */
  subscribe(conversationId: string, wake: Wake): Promise<() => void>;
  /** The same for every change, whatever the conversation (the live approval queue filters by tenant itself). */
  subscribeAll(listener: ChangeListener): Promise<() => void>;
  close(): Promise<void>;
}

export interface ConversationChangesOptions {
  /** A new, unconnected client: one per process, held for the whole life of the process. */
  readonly connect: () => pg.Client;
  readonly channel: string;
  readonly logger: Logger;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /**
   * How often the LISTEN connection is probed (`SELECT 1` on it), and how long the probe may take
   * before the connection counts as lost: a connection that died silently (no FIN, no RST) would
   * otherwise deliver nothing for hours while every stream waits.
   */
  readonly probeIntervalMs?: number;
  readonly probeTimeoutMs?: number;
}

/**
 * One dedicated PostgreSQL connection LISTENs on the projector's NOTIFY channel (payload: a JSON
 * array of changed conversation ids) and wakes the streams of those conversations. If the
 * connection drops, or stops answering the periodic probe, it reconnects with backoff and then
 * wakes every stream, since notifications sent meanwhile are lost; the streams re-read from their
 * last position, so nothing is missed. The probe is one query per process, whatever the number of
 * streams: the streams themselves never poll.
 */
export function createConversationChanges(options: ConversationChangesOptions): ConversationChanges {
  const logger = options.logger.child({ component: 'live-changes' });
  const minMs = options.reconnectMinMs ?? 200;
  const maxMs = options.reconnectMaxMs ?? 10_000;
  const probeIntervalMs = options.probeIntervalMs ?? 15_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
  const subscribers = new Map<string, Set<Wake>>();
  const listeners = new Set<ChangeListener>();
  let client: pg.Client | undefined;
  let listening: Promise<void> | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let closed = false;

  const wakeAll = () => {
    for (const wakes of subscribers.values()) for (const wake of wakes) wake();
    for (const listener of listeners) listener(null);
  };

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== options.channel || message.payload === undefined) return;
    let ids: unknown;
    try {
      ids = JSON.parse(message.payload);
    } catch {
      logger.warn({ payload: message.payload.slice(0, 200) }, 'ignored a notification that is not JSON');
      return;
    }
    if (!Array.isArray(ids)) return;
    if (listeners.size > 0) {
      const changed = ids.filter((id): id is string => typeof id === 'string');
      for (const listener of listeners) listener(changed);
    }
    for (const id of ids) {
      if (typeof id !== 'string') continue;
      for (const wake of subscribers.get(id) ?? []) wake();
    }
  };

  const dropped = (current: pg.Client, error?: Error) => {
    if (client !== current) return;
    client = undefined;
    listening = undefined;
    clearInterval(probeTimer);
    probeTimer = undefined;
    current.removeAllListeners('notification');
    current.end().catch(() => undefined);
    if (closed) return;
    logger.warn({ err: error }, 'lost the LISTEN connection');
    scheduleReconnect();
  };

  function scheduleReconnect(): void {
    if (closed || reconnectTimer !== undefined || (subscribers.size === 0 && listeners.size === 0)) return;
    const delay = Math.min(maxMs, minMs * 2 ** Math.min(failures, 10)) * (0.5 + Math.random() / 2);
    failures += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      ensureListening().then(
        () => wakeAll(),
        (error: unknown) => {
          logger.warn({ err: error, failures }, 'LISTEN reconnect failed');
          scheduleReconnect();
        },
      );
    }, delay);
    reconnectTimer.unref();
  }

  let probing = false;
  function probe(current: pg.Client): void {
    if (probing || client !== current) return;
    probing = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the LISTEN connection did not answer a probe within ${probeTimeoutMs} ms`)), probeTimeoutMs);
    });
    Promise.race([current.query('SELECT 1'), timeout])
      .catch((error: unknown) => dropped(current, error instanceof Error ? error : new Error(String(error))))
      .finally(() => {
        clearTimeout(timer);
        probing = false;
      });
  }

  function ensureListening(): Promise<void> {
    if (listening !== undefined) return listening;
    const current = options.connect();
    client = current;
    current.on('notification', onNotification);
    current.on('error', (error) => dropped(current, error));
    current.on('end', () => dropped(current));
    const started = (async () => {
      await current.connect();
      // The channel is a configured name, quoted as an identifier (LISTEN takes no parameters).
      await current.query(`LISTEN "${options.channel.replace(/"/g, '""')}"`);
      failures = 0;
      logger.info({ channel: options.channel }, 'listening for conversation changes');
      if (client === current && !closed) {
        probeTimer = setInterval(() => probe(current), probeIntervalMs);
        probeTimer.unref();
      }
    })();
    listening = started;
    started.catch((error: unknown) => dropped(current, error instanceof Error ? error : new Error(String(error))));
    return started;
  }

  return {
    async subscribe(conversationId, wake) {
      if (closed) throw new Error('conversation changes are closed');
      let wakes = subscribers.get(conversationId);
      if (wakes === undefined) {
        wakes = new Set();
        subscribers.set(conversationId, wakes);
      }
      wakes.add(wake);
      const unsubscribe = () => {
        const set = subscribers.get(conversationId);
        set?.delete(wake);
        if (set?.size === 0) subscribers.delete(conversationId);
      };
      try {
        await ensureListening();
      } catch (error) {
        unsubscribe();
        throw error;
      }
      return unsubscribe;
    },
    async subscribeAll(listener) {
      if (closed) throw new Error('conversation changes are closed');
      listeners.add(listener);
      const unsubscribe = () => {
        listeners.delete(listener);
      };
      try {
        await ensureListening();
      } catch (error) {
        unsubscribe();
        throw error;
      }
      return unsubscribe;
    },
    async close() {
      closed = true;
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      clearInterval(probeTimer);
      subscribers.clear();
      listeners.clear();
      const current = client;
      client = undefined;
      listening = undefined;
      if (current !== undefined) {
        current.removeAllListeners('notification');
        await current.end().catch(() => undefined);
      }
    },
  };
}
