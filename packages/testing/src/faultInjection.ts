/** The error a fault-injected call throws: a process that "crashed" at that point. */
export class SimulatedCrash extends Error {
  constructor(where: string) {
    super(`simulated crash in ${where}`);
    this.name = 'SimulatedCrash';
  }
}

const SCOPES = new Set(['runOn']);

type MethodName<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T] & string;

export interface FaultInjector<T extends object> {
  /** The wrapped object: behaves as the original except at an armed call. */
  readonly subject: T;
  /**
   * Makes the `nth` next call of `method` (1 = the very next) reject with a SimulatedCrash instead
   * of running (async methods), once the subject's calls already in flight have settled.
   */
  crashAt(method: MethodName<T>, nth?: number): void;
  /** Calls of `method` through the subject so far (crashed ones included). */
  calls(method: MethodName<T>): number;
}

/**
 * A test-only decorator for fault injection (never an option of production code): a proxy of
 * `target` whose chosen (async) call fails, as a process killed at that point would stop. Every other
 * method runs on the target itself, so classes with private state (savers, clients) keep working,
 * and `instanceof` still holds.
 */
export function injectFaults<T extends object>(target: T): FaultInjector<T> {
  const armed = new Map<string, number>();
  const counts = new Map<string, number>();
  // Calls still running: a crash waits for them, so it lands exactly at the armed call (what
  // was started before it is written, as in a process that died right there).
  const inFlight = new Set<Promise<unknown>>();
  const subject = new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        counts.set(property, (counts.get(property) ?? 0) + 1);
        const left = armed.get(property);
        if (left !== undefined) {
          if (left <= 1) {
            armed.delete(property);
            return Promise.allSettled([...inFlight]).then(() => Promise.reject(new SimulatedCrash(property)));
          }
          armed.set(property, left - 1);
        }
        const result = method.apply(object, args);
        // A scope that runs other calls inside it (a saver's runOn) is not waited for: the armed
        // call would wait for its own scope.
        if (result instanceof Promise && !SCOPES.has(property)) {
          const tracked: Promise<unknown> = result.finally(() => inFlight.delete(tracked));
          tracked.catch(() => undefined);
          inFlight.add(tracked);
        }
        return result;
      };
    },
  });
  return {
    subject,
    crashAt: (method, nth = 1) => armed.set(method, nth),
    calls: (method) => counts.get(method) ?? 0,
  };
}
