import type { EventHandlers } from './consumer.js';

type AnyHandler = (event: never, context: never) => Promise<void>;

/** Combines handler maps for one consumer; for a type both handle, the first runs first, then the second. */
export function mergeHandlers(first: EventHandlers, second: EventHandlers): EventHandlers {
  const merged: Record<string, AnyHandler> = { ...(first as Record<string, AnyHandler>) };
  for (const [type, handler] of Object.entries(second as Record<string, AnyHandler>)) {
    const before = merged[type];
    merged[type] = before
      ? async (event, context) => {
          await before(event, context);
          await handler(event, context);
        }
      : handler;
  }
  return merged;
}
