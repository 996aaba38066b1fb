/**
 * Request timeouts without a timer per request. Requests that share a timeout value expire in
 * the order they were sent, so each distinct timeout gets one FIFO of deadlines and one timer
 * armed for the oldest unsettled entry. Settling an entry is a flag; the head is trimmed as
 * replies arrive (they mostly arrive in order), so the queue stays as long as the requests in
 * flight. Exact to the timer's precision, like setTimeout. Deadlines are on the monotonic clock
 * (`performance.now()`): a wall clock set back an hour (NTP, a VM resumed) must not hold a
 * request for an hour past its timeout, nor one set forward expire every request at once.
 */
export interface Deadline {
  /** When it expires, on `performance.now()`'s clock. */
  readonly deadline: number;
  settled: boolean;
  expire(): void;
}

interface Lane {
  items: Deadline[];
  head: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer was due (performance.now()'s clock). */
  due: number;
}

/** Emptied lanes kept with their timer armed (the client's usual timeouts). */
const IDLE_LANES = 4;

export class DeadlineQueues {
  #lanes = new Map<number, Lane>();

  /** Lanes (distinct timeouts) held now: for tests. */
  get lanes(): number {
    return this.#lanes.size;
  }

  add(timeoutMs: number, entry: Deadline): void {
    let lane = this.#lanes.get(timeoutMs);
    if (!lane) this.#lanes.set(timeoutMs, (lane = { items: [], head: 0, timer: undefined, due: 0 }));
    lane.items.push(entry);
    if (!lane.timer) this.#arm(timeoutMs, lane);
  }

  /** Call after marking an entry settled: drops settled entries from the front. */
  trim(timeoutMs: number): void {
    const lane = this.#lanes.get(timeoutMs);
    if (!lane) return;
    this.#trimLane(lane);
    // An emptied lane beyond the first few goes at once, its timer with it: each request sent
    // after a wait for READY (or given what is left of a deadline) has a timeout of its own, and
    // its lane and timer stayed until that timeout passed, long after its reply (memory and
    // live timers growing with the request rate).
    if (lane.items.length === 0 && this.#lanes.size > IDLE_LANES) {
      if (lane.timer) clearTimeout(lane.timer);
      this.#lanes.delete(timeoutMs);
    }
  }

  /** Stop every timer (entries are left to their owners). */
  clear(): void {
    for (const lane of this.#lanes.values()) if (lane.timer) clearTimeout(lane.timer);
    this.#lanes.clear();
  }

  #trimLane(lane: Lane): void {
    while (lane.head < lane.items.length && lane.items[lane.head]!.settled) lane.head++;
    if (lane.head === lane.items.length) {
      // Emptied: its timer is left armed (unref'd), so that one request at a time does not set
      // and clear a timer each; when it fires on an empty lane, the lane goes.
      lane.items.length = 0;
      lane.head = 0;
    } else if (lane.head > 1024 && lane.head * 2 > lane.items.length) {
      lane.items = lane.items.slice(lane.head);
      lane.head = 0;
    }
  }

  #arm(timeoutMs: number, lane: Lane): void {
    const first = lane.items[lane.head];
    if (!first) return;
    // Unref'd: a request in flight has its open socket holding the process; an emptied lane's
    // timer must not (a process would wait out the last request's timeout before it exits).
    const now = performance.now();
    lane.due = Math.max(now, first.deadline);
    lane.timer = setTimeout(() => this.#fire(timeoutMs, lane), lane.due - now).unref();
  }

  #fire(timeoutMs: number, lane: Lane): void {
    lane.timer = undefined;
    // At least when the timer was due: a clock that stands still (a test's faked performance with
    // real timers) re-armed the same wait forever, and the request never timed out.
    const now = Math.max(performance.now(), lane.due);
    while (lane.head < lane.items.length) {
      const e = lane.items[lane.head]!;
      if (!e.settled && e.deadline > now) break;
      lane.head++;
      if (!e.settled) {
        e.settled = true;
        e.expire();
      }
    }
    // expire() callbacks may have trimmed the lane away or armed it again (a retry with the
    // same timeout).
    if (this.#lanes.get(timeoutMs) !== lane || lane.timer) return;
    if (lane.head === lane.items.length) this.#lanes.delete(timeoutMs);
    else this.#arm(timeoutMs, lane);
  }
}
