export interface CoalescerOptions {
  /** Wait this long after the first item before flushing, to gather more (0: flush at once). */
  readonly lingerMs?: number;
}

/**
 * Coalesces concurrent calls into few flushes: while a flush is in flight, new items queue, and
 * the next flush takes everything queued, in arrival order. Each caller's promise settles with the
 * flush that carried its item. One flush at a time, so items are flushed in FIFO order.
 */
export function createCoalescer<T, R>(flush: (items: readonly T[]) => Promise<R>, options: CoalescerOptions = {}): (item: T) => Promise<R> {
  const lingerMs = options.lingerMs ?? 0;
  let queue: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  let flushing = false;
  let lingering: NodeJS.Timeout | undefined;

  async function drain(): Promise<void> {
    flushing = true;
    try {
      while (queue.length > 0) {
        const taken = queue;
        queue = [];
        try {
          const result = await flush(taken.map((entry) => entry.item));
          for (const entry of taken) entry.resolve(result);
        } catch (error) {
          for (const entry of taken) entry.reject(error);
        }
      }
    } finally {
      flushing = false;
    }
  }

  function schedule(): void {
    if (flushing || lingering) return;
    if (lingerMs <= 0) {
      void drain();
      return;
    }
    lingering = setTimeout(() => {
      lingering = undefined;
      void drain();
    }, lingerMs);
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
