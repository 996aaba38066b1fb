/**
 * The emulators' order tables (XT, Hubi, BHEX): a Map in placing order, bounded. Room is made
 * by forgetting the oldest finished order, never an open one (the client could then neither
 * see nor cancel it, and what it froze stayed frozen).
 */

/** The oldest order `finished` says is done, or undefined. */
export function oldestFinished<O>(orders: ReadonlyMap<unknown, O>, finished: (o: O) => boolean): O | undefined {
  for (const o of orders.values()) if (finished(o)) return o;
  return undefined;
}

/** Can `count` more orders be kept within `max` by forgetting finished ones only? */
export function hasOrderRoom<O>(orders: ReadonlyMap<unknown, O>, max: number, finished: (o: O) => boolean, count = 1): boolean {
  const over = orders.size + count - max;
  if (over <= 0) return true;
  let done = 0;
  for (const o of orders.values()) if (finished(o) && ++done >= over) return true;
  return false;
}
