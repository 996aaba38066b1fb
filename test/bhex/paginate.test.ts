import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meta } from "../../generated/bhex-org.docs.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { paginate, paginationOf, type BhexPagedOperationId } from "../../src/handwritten/bhex/paginate.js";
import { AbortedError, ResponseFormatError, UsageError } from "../../src/handwritten/core/errors.js";
import { stringifyJson } from "../../src/handwritten/core/json.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { recordingFetch, type Recorded } from "../helpers/recording-fetch.js";
import { captureWarnings } from "../helpers/warnings.js";
import { KEYS, verifySignature } from "./helpers.js";

let mock: HttpMock;
beforeAll(async () => {
  mock = await startBhexMock({ pagedRecords: 23 });
});
afterAll(() => mock.close());

const emulatorClient = (extra: object = {}) =>
  createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, ...extra });

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("paginate against the emulator's 23-record data sets", () => {
  it("an onPage that throws or rejects does not end the walk: every record still comes, no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    const { warnings, restore } = captureWarnings();
    try {
      const client = emulatorClient();
      const sync = await collect(client.paginate("accountBalanceFlow", { user_id: 1, limit: 5 }, { onPage: () => {
        throw new Error("page log full");
      } }));
      const async_ = await collect(client.paginate("accountBalanceFlow", { user_id: 1, limit: 5 }, { onPage: async () => {
        throw new Error("page log full (async)");
      } }));
      await new Promise((r) => setTimeout(r, 20));
      expect([sync.length, async_.length]).toEqual([23, 23]);
      expect(unhandled).toEqual([]);
      // Each failure is a TradeApiWarning (once per failing page callback's kind: sync, async).
      expect(warnings.map((w) => w.name)).toContain("TradeApiWarning");
      expect(warnings.map((w) => w.message)).toEqual(expect.arrayContaining([expect.stringContaining("page log full"), expect.stringContaining("page log full (async)")]));
    } finally {
      restore();
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it.each([1, 4, 5, 7, 22, 23, 100])("balance_flow (string ids), page size %i: every record exactly once, newest first", async (limit) => {
    const client = emulatorClient();
    const all = await client.call("accountBalanceFlow", { user_id: 1, limit: 100 });
    expect(all).toHaveLength(23);
    const pages: number[] = [];
    const walked = await collect(client.paginate("accountBalanceFlow", { user_id: 1, limit }, { onPage: (p) => pages.push(p.received) }));
    expect(walked.map((r) => r.id)).toEqual(all!.map((r) => r.id));
    expect(new Set(walked.map((r) => r.id)).size).toBe(23);
    // The seed's two records come first.
    expect(walked.slice(0, 2).map((r) => r.id)).toEqual(["393070060570204672", "392345285099050240"]);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(23);
    expect(pages.length).toBe(Math.floor(23 / limit) + 1);
  });

  it.each([3, 23, 24])("lock_record (bigint ids above 2^53), page size %i", async (limit) => {
    const client = emulatorClient({ allAsPost: true });
    const walked = await collect(paginate(client, "statisticsLockRecord", { user_id: 217235926081077248n, limit }));
    const ids = walked.map((r) => r.id as bigint);
    expect(ids).toHaveLength(23);
    expect(new Set(ids).size).toBe(23);
    for (const id of ids) expect(typeof id).toBe("bigint");
    expect(ids[0]).toBe(9007199254741099n);
    expect(ids[22]).toBe(9007199254741033n);
    expect([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(ids);
    expect(walked[0]!.userId).toBe(217235926081077248n);
  });

  it("signal and timeoutMs apply to each page's call: an abort between pages ends the walk with an AbortedError", async () => {
    const client = emulatorClient();
    const stop = new AbortController();
    const got: unknown[] = [];
    const err = await (async () => {
      for await (const r of client.paginate("accountBalanceFlow", { user_id: 1, limit: 5 }, { signal: stop.signal, timeoutMs: 5_000 })) {
        got.push(r);
        if (got.length === 5) stop.abort();
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(err).toMatchObject({ api: "bhex", operation: "accountBalanceFlow" });
    expect(got).toHaveLength(5);
    // Within a page too: the next record is the abort, not the page's others.
    const inPage = new AbortController();
    const seen: unknown[] = [];
    const mid = await (async () => {
      for await (const r of client.paginate("accountBalanceFlow", { user_id: 1, limit: 10 }, { signal: inPage.signal })) {
        seen.push(r);
        if (seen.length === 2) inPage.abort();
      }
    })().catch((e: unknown) => e);
    expect(mid).toBeInstanceOf(AbortedError);
    expect(seen).toHaveLength(2);
    // The client's signal too.
    const clientStop = new AbortController();
    const byClient = emulatorClient({ signal: clientStop.signal });
    const got2: unknown[] = [];
    const err2 = await (async () => {
      for await (const r of byClient.paginate("accountBalanceFlow", { user_id: 1, limit: 10 })) {
        got2.push(r);
        if (got2.length === 2) clientStop.abort();
      }
    })().catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(AbortedError);
    expect(got2).toHaveLength(2);
    const bad = await collect(client.paginate("accountBalanceFlow", { user_id: 1 }, { timeoutMs: 0 })).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(UsageError);
    expect((bad as Error).message).toMatch(/timeoutMs/);
  });

  it("from_id starts below a known id and to_id stops above one (both exclusive)", async () => {
    const client = emulatorClient();
    const all = (await client.call("statisticsLockRecord", { user_id: 1, limit: 100 }))!.map((r) => r.id as bigint);
    const from = all[3]!;
    const to = all[17]!;
    const walked = await collect(client.paginate("statisticsLockRecord", { user_id: 1, from_id: from, to_id: to, limit: 4 }));
    expect(walked.map((r) => r.id)).toEqual(all.slice(4, 17));
    // IDs as decimal strings work the same (the answers carry most IDs as strings).
    const asText = await collect(client.paginate("statisticsLockRecord", { user_id: "1", from_id: String(from), to_id: String(to), limit: 4 }));
    expect(asText.map((r) => r.id)).toEqual(all.slice(4, 17));
  });

  it("stopping early with break sends no further requests", async () => {
    const { fetch, calls } = recordingFetch((r) => globalThis.fetch(new Request(r.url, { method: r.method, headers: r.headers, body: r.body || undefined })));
    const client = emulatorClient({ fetch });
    let n = 0;
    for await (const _ of client.paginate("accountBalanceFlow", { user_id: 1, limit: 5 })) if (++n === 6) break;
    expect(calls).toHaveLength(2);
    for (const c of calls) expect(verifySignature(c, BHEX_MOCK_SECRET_KEY)).toBe(true);
  });
});

/** A server over ids `n..1` (newest first) whose paging bends the rules in the given way. */
function trapServer(n: number, trap: "inclusive" | "duplicates" | "unsorted" | "stuck" | "numbers" | "oldest-first" | "negative" | "beyond-int64") {
  const ids = Array.from({ length: n }, (_, i) => 9007199254740993n + BigInt((n - i) * 2)); // odd, above 2^53
  return (req: Recorded): Response => {
    const p = new URLSearchParams(req.body);
    const from = p.get("from_id");
    const limit = Number(p.get("limit"));
    let page = ids.filter((id) => from === null || (trap === "inclusive" ? id <= BigInt(from) : id < BigInt(from))).slice(0, limit);
    if (trap === "duplicates" && page.length > 1) page = [page[0]!, ...page.slice(0, limit - 1)];
    if (trap === "unsorted") page = [...page].reverse();
    // the oldest records first: a walk by the smallest id stopped after one page
    if (trap === "oldest-first") page = ids.filter((id) => from === null || id < BigInt(from)).reverse().slice(0, limit);
    if (trap === "negative") page = Array.from({ length: limit }, (_, i) => (from === null ? 3n : BigInt(from)) - 1n - BigInt(i));
    if (trap === "beyond-int64" && from === null) page = Array.from({ length: limit }, (_, i) => 2n ** 64n + 10n - BigInt(i));
    if (trap === "stuck") page = ids.slice(0, limit);
    const records = page.map((id) => (trap === "numbers" ? { orderId: id, v: String(id) } : { orderId: String(id), v: String(id) }));
    return new Response(stringifyJson({ status: 0, data: records }), { headers: { "content-type": "application/json" } });
  };
}

describe("paginate stays exactly-once when the server bends the rules", () => {
  const walk = async (trap: Parameters<typeof trapServer>[1], limit: number, n = 23) => {
    const { fetch, calls } = recordingFetch(trapServer(n, trap));
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false });
    const got = await collect(client.paginate("orderTradeOrders", { user_id: 1, limit }));
    return { got: got.map((r) => String(r.orderId)), calls };
  };
  const expected = (n: number) => Array.from({ length: n }, (_, i) => String(9007199254740993n + BigInt((n - i) * 2)));

  it.each([2, 5, 23])("a boundary-inclusive server (from_id returned again), page size %i", async (limit) => {
    const { got } = await walk("inclusive", limit);
    expect(got).toEqual(expected(23));
  });

  it("duplicates inside a page are yielded once", async () => {
    const { got } = await walk("duplicates", 5);
    expect(new Set(got).size).toBe(got.length);
    expect(got[0]).toBe(expected(23)[0]);
  });

  it("a page not newest first is a ResponseFormatError before any of it is yielded: paging by its smallest id would skip records (oldest-first pages gave 100 of 1,000 without a word)", async () => {
    for (const trap of ["unsorted", "oldest-first"] as const) {
      const { fetch } = recordingFetch(trapServer(23, trap));
      const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false });
      const got: unknown[] = [];
      const err = await (async () => {
        for await (const r of client.paginate("orderTradeOrders", { user_id: 1, limit: 5 })) got.push(r);
      })().catch((e: unknown) => e);
      expect(err, trap).toBeInstanceOf(ResponseFormatError);
      expect((err as Error).message, trap).toMatch(/page 1 is not newest first \(orderId \d+ after \d+\): paging by its smallest id would skip records/);
      expect(got, trap).toEqual([]);
    }
  });

  it("an id below 1 or beyond int64 ends the walk with a ResponseFormatError (a walk into negative ids never ended; one beyond int64 failed the next page as the caller's UsageError)", async () => {
    for (const [trap, re] of [["negative", /page 1 has orderId 0, not an id from 1 to 9223372036854775807: paging stops/], ["beyond-int64", /page 1 has orderId 18446744073709551626, not an id from 1/]] as const) {
      const { fetch, calls } = recordingFetch(trapServer(23, trap));
      const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false });
      const err = await collect(client.paginate("orderTradeOrders", { user_id: 1, limit: 5 })).catch((e: unknown) => e);
      expect(err, trap).toBeInstanceOf(ResponseFormatError);
      expect((err as Error).message, trap).toMatch(re);
      expect(calls, trap).toHaveLength(1);
    }
  });

  it("ids sent as bare numbers where the spec has text are refused, naming the field (int64 ids page as bigints: the emulator test above)", async () => {
    const err = await walk("numbers", 4).catch((e) => e);
    expect(err).toBeInstanceOf(ResponseFormatError);
    expect(err.message).toMatch(/^bhex orderTradeOrders: the answer's "data" does not fit the spec: data\[0\]\.orderId must be string, got integer;/);
  });

  it("a server that ignores to_id: the walk ends at to_id with every record above it, no error", async () => {
    const { fetch, calls } = recordingFetch(trapServer(23, "inclusive"));
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false });
    const to = BigInt(expected(23)[14]!);
    const got = await collect(client.paginate("orderTradeOrders", { user_id: 1, limit: 5, to_id: to }));
    expect(got.map((r) => String(r.orderId))).toEqual(expected(23).slice(0, 14));
    expect(calls).toHaveLength(4); // the fourth page holds to_id: no fifth request
  });

  it("a server that never advances is an error, not an endless loop", async () => {
    const err = await walk("stuck", 5).catch((e) => e);
    expect(err).toBeInstanceOf(ResponseFormatError);
    expect(err.message).toMatch(/did not advance/);
  });

  it("each next request carries from_id = the smallest id so far and the same limit", async () => {
    const { calls } = await walk("inclusive", 10);
    const sent = calls.map((c) => Object.fromEntries(new URLSearchParams(c.body)));
    // Page 2 of an inclusive server repeats the boundary, so it brings 9 new records: the next cursor is the 19th id.
    expect(sent.map((s) => s.from_id)).toEqual([undefined, expected(23)[9], expected(23)[18]]);
    expect(sent.every((s) => s.limit === "10" && s.user_id === "1")).toBe(true);
  });
});

describe("paginate input checks", () => {
  const client = createBhexOrgClient({ ...KEYS, fetch: async () => new Response("{}"), baseUrl: "https://broker.test", rateLimit: false });
  it("refuses a page size above the documented maximum (a silently capped page would end the walk early)", async () => {
    // As call() refuses it (the spec's limit schema carries the maximum).
    await expect(collect(client.paginate("orderTradeOrders", { user_id: 1, limit: 501 }))).rejects.toThrow('bhex orderTradeOrders: parameter "limit" is out of range: 501');
    await expect(collect(client.paginate("orderTradeOrders", { user_id: 1 }, { pageSize: 501 }))).rejects.toThrow("bhex orderTradeOrders: pageSize must be a whole number from 1 to 500, got 501");
  });
  it("refuses every limit call() refuses, with call()'s own UsageError, before anything is sent (true was read as page size 1)", async () => {
    const rec = recordingFetch(() => new Response('{"status":0,"data":[]}'));
    const c = createBhexOrgClient({ ...KEYS, fetch: rec.fetch, baseUrl: "https://broker.test", rateLimit: false });
    for (const limit of [true, "0x5", [5], " 5 ", "5e0", 2.5, 0, "", {}]) {
      const byCall = await c.call("orderTradeOrders", { user_id: 1, limit } as never).catch((e: unknown) => e);
      expect(byCall, JSON.stringify(limit)).toBeInstanceOf(UsageError);
      const byPaginate = await collect(c.paginate("orderTradeOrders", { user_id: 1, limit } as never)).catch((e: unknown) => e);
      expect(byPaginate, JSON.stringify(limit)).toBeInstanceOf(UsageError);
      expect((byPaginate as Error).message).toBe((byCall as Error).message);
      expect((byPaginate as Error).message).toMatch(/^bhex orderTradeOrders: parameter "limit" /);
    }
    expect(rec.calls).toHaveLength(0);
    // What call() takes, paginate takes: digits as text, a bigint.
    for (const limit of ["5", 5n, 5]) await expect(collect(c.paginate("orderTradeOrders", { user_id: 1, limit } as never))).resolves.toEqual([]);
    expect(rec.calls.map((r) => new URLSearchParams(r.body).get("limit"))).toEqual(["5", "5", "5"]);
  });
  it("refuses a pageSize that is not a whole number from 1 to the maximum, and a limit and a pageSize that differ", async () => {
    for (const [pageSize, shown] of [[true, "boolean"], ["5", '"5"'], [0, "0"], [2.5, "2.5"], [Number.NaN, "NaN"]] as const) {
      await expect(collect(client.paginate("orderTradeOrders", { user_id: 1 }, { pageSize: pageSize as never }))).rejects.toThrow(
        `bhex orderTradeOrders: pageSize must be a whole number from 1 to 500, got ${shown}`,
      );
    }
    const both = collect(client.paginate("orderTradeOrders", { user_id: 1, limit: 5 }, { pageSize: 2 }));
    await expect(both).rejects.toBeInstanceOf(UsageError);
    await expect(both).rejects.toThrow('bhex orderTradeOrders: parameter "limit" (5) and the pageSize option (2) differ: give the page size once');
    // The same size twice is no contradiction.
    const rec = recordingFetch(() => new Response('{"status":0,"data":[]}'));
    const c = createBhexOrgClient({ ...KEYS, fetch: rec.fetch, baseUrl: "https://broker.test", rateLimit: false });
    await expect(collect(c.paginate("orderTradeOrders", { user_id: 1, limit: "7" as never }, { pageSize: 7 }))).resolves.toEqual([]);
    await expect(collect(c.paginate("orderTradeOrders", { user_id: 1 }, { pageSize: 7 }))).resolves.toEqual([]);
    expect(rec.calls.map((r) => new URLSearchParams(r.body).get("limit"))).toEqual(["7", "7"]);
  });
  it("refuses a key that is not one of its options (pagesize for pageSize was ignored)", async () => {
    await expect(collect(client.paginate("orderTradeOrders", { user_id: 1 }, { pagesize: 5 } as never))).rejects.toThrow(
      'bhex orderTradeOrders: the paginate options: "pagesize" is not an option (did you mean "pageSize"?); the options are signal, timeoutMs, pageSize, onPage',
    );
  });
  it("refuses a non-integer from_id and operations that are not paged", async () => {
    await expect(collect(client.paginate("orderTradeOrders", { user_id: 1, from_id: "abc" as never }))).rejects.toBeInstanceOf(UsageError);
    // @ts-expect-error basicTime is not a paged operation
    await expect(collect(client.paginate("basicTime", {}))).rejects.toThrow(/not paged/);
  });

  it("BhexPagedOperationId (from the generated types) is exactly the spec's x-pagination set", () => {
    const paged: Record<BhexPagedOperationId, true> = {
      userQueryUserInviteList: true,
      userQueryUserList: true,
      userQueryUserKycList: true,
      accountBalanceFlow: true,
      assetDepositOrder: true,
      assetWithdrawOrder: true,
      otcOrderList: true,
      orderOpenOrders: true,
      orderTradeOrders: true,
      orderMyTrades: true,
      contractOrderOpenOrders: true,
      contractOrderTradeOrders: true,
      contractOrderMyTrades: true,
      contractOrderPosition: true,
      contractOrderAllPositions: true,
      statisticsTokenHoldDetail: true,
      statisticsDepositOrder: true,
      statisticsWithdrawOrder: true,
      statisticsOtcOrder: true,
      statisticsTradeDetail: true,
      statisticsLockRecord: true,
      statisticsUnlockRecord: true,
      paymentOrders: true,
    };
    expect(Object.keys(paged).sort()).toEqual(meta.operations.filter((o) => paginationOf(o)).map((o) => o.operationId).sort());
  });

  it("every paged operation's idField is a field of its example records", () => {
    for (const op of meta.operations.filter((o) => paginationOf(o))) {
      const example = JSON.parse(op.responses["200"]!.example!) as { data: Array<Record<string, unknown>> };
      expect(example.data[0], op.operationId).toHaveProperty(paginationOf(op)!.idField);
    }
  });
});
