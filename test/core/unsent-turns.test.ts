/**
 * An attempt that ends before its request is handed to the HTTP layer (its wait for a
 * `maxInFlight` slot timed out, its signer threw, its signal aborted after its turn came) gives
 * its rate-limit turn back uncounted: counted for a whole interval, it held the next calls for a
 * request that never reached the server.
 */
import { describe, expect, it } from "vitest";
import { meta as xtMeta } from "../../generated/xt-spot.meta.js";
import { AbortedError, TimeoutError, UsageError } from "../../src/handwritten/core/errors.js";
import { HttpTransport, type TransportConfig } from "../../src/handwritten/core/http-transport.js";
import { RateLimiter } from "../../src/handwritten/core/rate-limit.js";
import { rejection } from "../helpers/rejection.js";

const op = xtMeta.operations.find((o) => o.operationId === "getBalance")!;
const BASE = "https://xt.test";
const request = () => ({ method: op.method, baseUrl: BASE, path: op.path, query: [], form: null, json: null, headers: {} });
const answer = () => new Response(JSON.stringify({ code: 200, info: "success", data: {} }), { headers: { "content-type": "application/json" } });

/** A transport whose requests count against `balance`: `limit` a minute (a turn spent waits a minute). */
function transport(limit: number, more: Partial<TransportConfig> = {}) {
  const sent: string[] = [];
  const fetch = (async (_url: unknown, init?: RequestInit) => {
    if (init?.signal?.aborted) throw init.signal.reason; // (as fetch: nothing sent)
    sent.push("sent");
    return answer();
  }) as typeof globalThis.fetch;
  const rateLimiter = new RateLimiter({ balance: { limit, intervalMs: 60_000 } });
  return { sent, t: new HttpTransport({ api: "xt", meta: xtMeta, baseUrl: BASE, retry: false, fetch, rateLimiter, ...more }) };
}

/** Resolves to what `p` settles to, or "held" when it takes more than 1 s (it waits a minute for a spent turn). */
const within1s = <T>(p: Promise<T>) => Promise.race([p, new Promise<"held">((r) => setTimeout(() => r("held"), 1_000).unref())]);

describe("a turn taken by an attempt that sent nothing is given back", () => {
  it("the signer threw: the next call goes at once (execute and open)", async () => {
    let fail = true;
    const { t, sent } = transport(1, {
      authorize: (req) => {
        if (fail) throw new Error("clock unavailable");
        return req;
      },
    });
    expect(await rejection(t.execute(op, request()))).toBeInstanceOf(UsageError);
    expect(await rejection(t.open(op, request()))).toBeInstanceOf(UsageError);
    fail = false;
    const r = await within1s(t.execute(op, request()));
    expect(r).not.toBe("held");
    expect(sent).toEqual(["sent"]);
  });

  it("its signal aborted after its turn came, before it was sent: AbortedError, and the next call goes at once", async () => {
    const ac = new AbortController();
    const { t, sent } = transport(1, {
      authorize: (req) => {
        ac.abort(new Error("late")); // after the turn, before the dispatch
        return req;
      },
    });
    expect(await rejection(t.execute(op, request(), { signal: ac.signal }))).toBeInstanceOf(AbortedError);
    expect(sent).toEqual([]);
    const r = await within1s(t.execute(op, request()));
    expect(r).not.toBe("held");
    expect(sent).toEqual(["sent"]);
  });

  it("its wait for a maxInFlight slot timed out: the turn is free for the next call", async () => {
    let answerFirst!: () => void;
    const sent: string[] = [];
    const fetch = (async () => {
      sent.push("sent");
      if (sent.length === 1) await new Promise<void>((r) => (answerFirst = r));
      return answer();
    }) as typeof globalThis.fetch;
    const rateLimiter = new RateLimiter({ balance: { limit: 2, intervalMs: 60_000 } });
    const t = new HttpTransport({ api: "xt", meta: xtMeta, baseUrl: BASE, retry: false, fetch, rateLimiter, maxInFlight: 1 });
    const first = t.execute(op, request());
    // Takes the second turn, then waits for the slot the first holds: a TimeoutError, nothing sent.
    expect(await rejection(t.execute(op, request(), { timeoutMs: 50 }))).toBeInstanceOf(TimeoutError);
    answerFirst();
    await first;
    // The first counts for a minute from its answer; the timed-out one counts nowhere.
    const r = await within1s(t.execute(op, request()));
    expect(r).not.toBe("held");
    expect(sent).toHaveLength(2);
  });

  it("a request that was sent still counts: the next waits for its turn", async () => {
    const { t } = transport(1);
    await t.execute(op, request());
    const stop = new AbortController();
    const next = t.execute(op, request(), { signal: stop.signal });
    expect(await within1s(next)).toBe("held");
    stop.abort();
    expect(await rejection(next)).toBeInstanceOf(AbortedError);
  });
});
