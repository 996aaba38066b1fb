/**
 * Answers a fuzzer writes: arbitrary JSON (any nesting, keys such as `__proto__` and
 * `toString`, huge and negative numbers, strings where numbers belong) in every field of an
 * envelope the client trusts least, under any status, and arbitrary frames for the WebSocket
 * client. Whatever comes back, each API's call resolves or fails with a TradeApiError naming
 * the API; `decodeFrame` returns or throws a QuantWsFrameError. Never a TypeError, a
 * RangeError or another error from inside the library.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { describe, expect, it, onTestFinished } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { paginate } from "../../src/handwritten/bhex/paginate.js";
import { TradeApiError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { decodeFrame, QuantWsFrameError } from "../../src/handwritten/quant-ws/index.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { runCliCaptured } from "../helpers/cli.js";
import { creds, setup } from "../quant-ws/helpers.js";
import { fcSeed } from "../helpers/fc-seed.js";

/** JSON values, with the keys and numbers that trip code up. */
const nasty = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -0, 1, -1, 2 ** 53 + 1, 1e308, 5e-324, "", "0", "-1", "null", "NaN", "1e400", "[]", "{}", "9007199254740993"),
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom("__proto__", "toString", "valueOf", "constructor", "code", "status", "data", "result", "msg", "ticket", "0"), fc.string()), tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** JSON text of a value; bigints as bare integers (what a server writes). */
function text(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `\u0000${x}` : x))?.replace(/"\\u0000(-?\d+)"/g, "$1") ?? "null";
}

/** An envelope with each of its fields maybe replaced by a nasty value, or a nasty value alone. */
function answers(fields: Record<string, unknown>) {
  const envelope = fc.record(Object.fromEntries(Object.keys(fields).map((k) => [k, fc.oneof(fc.constant(fields[k]), nasty)])), { requiredKeys: [] });
  return fc.record({
    body: fc.oneof(envelope.map(text), nasty.map(text), fc.string()),
    status: fc.constantFrom(200, 200, 200, 400, 401, 404, 429, 500, 502),
    type: fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "text/html"),
  });
}

const fetchOf = (a: { body: string; status: number; type: string }, login?: string) =>
  (async (input: RequestInfo | URL) => {
    const url = String(input instanceof Request ? input.url : input);
    if (login !== undefined && url.includes("/login")) return new Response(login, { headers: { "content-type": "application/json" } });
    return new Response(a.body, { status: a.status, headers: { "content-type": a.type } });
  }) as typeof fetch;

const common = { retry: false as const, timeoutMs: 5_000 };
const KEYS = { accessKey: "ak-fuzz-1", secretKey: "sk-fuzz-1" };

async function outcome(api: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (!(e instanceof TradeApiError)) throw new Error(`${api}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`, { cause: e });
    expect(e.api).toBe(api);
    expect(typeof e.message).toBe("string");
    // The error can be logged as JSON.
    JSON.stringify(e);
  }
}

describe("REST answers a fuzzer writes: a value or a TradeApiError, never anything else", () => {
  const cases: Array<[string, Record<string, unknown>, (f: typeof fetch) => Promise<unknown>]> = [
    ["xt", { code: 200, info: "SUCCESS", data: {} }, (f) => createXtClient({ ...KEYS, fetch: f, rateLimit: false, ...common }).call("getBalance")],
    ["xt", { code: 200, info: "SUCCESS", data: [] }, (f) => createXtClient({ ...KEYS, fetch: f, rateLimit: false, ...common }).batchCancel("btc_usdt", [1, 2])],
    ["bhex", { status: 0, msg: "", data: [] }, (f) => createBhexOrgClient({ ...KEYS, fetch: f, rateLimit: false, ...common }).call("accountBalanceFlow", { user_id: 1 })],
    ["hubi", { status: 0, message: "", result: {} }, (f) => createHubiClient({ ...KEYS, accessToken: "tk-fuzz-1", fetch: f, ...common }).call("cancelOrder", { order_no: "1" })],
  ];
  it.each(cases)("%s, envelope %o", async (api, fields, run) => {
    await fc.assert(
      fc.asyncProperty(answers(fields), async (a) => {
        await outcome(api, () => run(fetchOf(a)));
      }),
      { numRuns: 300 },
    );
  });

  it("xele: the login answer and the call's answer", async () => {
    await fc.assert(
      fc.asyncProperty(answers({ code: 0, msg: "", ticket: "tk" }), answers({ code: 0, msg: "", result: "MS,OrderQry,1.0.3,1,1,InvestorId\n1" }), async (login, a) => {
        const f = (async (input: RequestInfo | URL) => {
          const url = String(input instanceof Request ? input.url : input);
          const which = url.includes("/login") ? login : a;
          return new Response(which.body, { status: which.status, headers: { "content-type": which.type } });
        }) as typeof fetch;
        const client = createXeleClient({ username: "u", password: "pw-fuzz-1", fetch: f, ...common });
        await outcome("xele", () => client.call("getSystemInfo"));
        await outcome("xele", () => client.call("queryOrders", { investor_id: "1" } as never));
      }),
      { numRuns: 300 },
    );
  });
});

const skeletons: Array<Record<string, unknown>> = [
  { op: "asset", cid: "c1", result: true, error_message: "", data: {} },
    { op: "open_orders", cid: "c1", result: true, error_message: "", data: [] },
    { op: "place_order", cid: "c1", result: true, error_message: "", order_no: "1" },
    { op: "cancel_order", cid: "c1", result: true, error_message: "", data: [] },
    { op: "login", cid: "c1", result: true, error_message: "", token: "t" },
    { op: "state", token: "t", code: 5, msg: "READY" },
    { op: "notify", topic: "order", token: "t", data: {} },
    { op: "notify", topic: "fill", token: "t", data: {} },
    { op: "error", error_message: "x" },
    { op: "pong" },
  ];

/** A skeleton frame with each field maybe replaced by a nasty value, a nasty value alone, or any text. */
const frames = fc.oneof(
  fc.constantFrom(...skeletons).chain((s) => fc.record(Object.fromEntries(Object.keys(s).map((k) => [k, fc.oneof(fc.constant(s[k]), nasty)])), { requiredKeys: [] }).map(text)),
  nasty.map(text),
  fc.string(),
);

describe("quant-ws frames a fuzzer writes", () => {
  it.each(["exact", "string", "number"] as const)("decimals %s: a frame or a QuantWsFrameError, never anything else", (decimals) => {
    fc.assert(
      fc.property(frames, (frame) => {
        try {
          decodeFrame(frame, decimals);
        } catch (e) {
          if (!(e instanceof QuantWsFrameError)) throw new Error(`${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`, { cause: e });
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it("sent by a gateway to a logged-in client (the session's own token and cids in them): error events only, and the client keeps working", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const token = session.token;
    const errors: unknown[] = [];
    client.on("error", (e) => errors.push(e));
    session.on("order", () => {});
    session.on("fill", () => {});
    const sample = fc.sample(frames, { numRuns: 400, seed: fcSeed(42) }).map((f) => f.replaceAll('"t"', JSON.stringify(token)));
    for (const f of sample) mock.sendRaw(f);
    await session.asset({ timeoutMs: 5_000 });
    for (const e of errors) expect(e).toBeInstanceOf(TradeApiError);
    expect(errors.length).toBeGreaterThan(100);
  });
});

describe("Xele row streams a fuzzer writes", () => {
  const header = "MS,OrderQry,1.0.3,2,1,InvestorId|OrderSysId";
  /** A body: an envelope around rows, with nasty members and lines, or any text; cut into chunks anywhere. */
  const bodies = fc.oneof(
    fc
      .record({
        code: fc.oneof(fc.constant(0), nasty),
        msg: fc.oneof(fc.constant(""), nasty),
        result: fc.oneof(
          fc.constant(`${header}\n1|2`),
          fc.array(fc.oneof(fc.constantFrom(header, "1|2", "x|y", "1|2|3", "", "\r"), fc.string()), { maxLength: 6 }).map((lines) => lines.join("\n")),
          fc.array(fc.oneof(fc.constantFrom(header, "1|2"), fc.string()), { maxLength: 4 }),
          nasty,
        ),
      }, { requiredKeys: [] })
      .map(text),
    fc.array(fc.oneof(fc.constantFrom(header, "1|2"), fc.string()), { maxLength: 5 }).map((lines) => lines.join("\n")),
    fc.string(),
  );
  it("rows or a TradeApiError, for any body delivered in any chunks", async () => {
    await fc.assert(
      fc.asyncProperty(bodies, fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom("application/json", "text/plain; charset=utf-8"), async (body, cuts, type) => {
        const bytes = new TextEncoder().encode(body);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const f = (async (input: RequestInfo | URL) => {
          const url = String(input instanceof Request ? input.url : input);
          if (url.includes("/login")) return new Response(JSON.stringify({ code: 0, msg: "", ticket: "tk" }), { headers: { "content-type": "application/json" } });
          const stream = new ReadableStream<Uint8Array>({
            start(c) {
              let from = 0;
              for (const p of [...points, bytes.length]) {
                c.enqueue(bytes.subarray(from, p));
                from = p;
              }
              c.close();
            },
          });
          return new Response(stream, { headers: { "content-type": type } });
        }) as typeof fetch;
        const client = createXeleClient({ username: "u", password: "pw-fuzz-1", fetch: f, ...common });
        await outcome("xele", async () => {
          for await (const row of client.streamRows("queryOrders")) row.toJSON();
        });
      }),
      { numRuns: 400 },
    );
  });
});

describe("the CLI under answers a fuzzer writes", () => {
  it("exit 0 with JSON on stdout, or exit 1 with one line naming the operation; never an unexpected error", async () => {
    let current = { body: "", status: 200, type: "application/json" };
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(current.status, { "content-type": current.type });
        res.end(current.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    onTestFinished(() => void server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const env = { XT_ACCESS_KEY: "ak-fuzz-1", XT_SECRET_KEY: "sk-fuzz-1", XT_BASE_URL: url, BHEX_ACCESS_KEY: "ak-fuzz-1", BHEX_SECRET_KEY: "sk-fuzz-1", BHEX_BASE_URL: url };
    const runs: Array<[string, string[], Record<string, unknown>]> = [
      ["xt getBalance", ["call", "xt", "getBalance"], { code: 200, info: "SUCCESS", data: {} }],
      ["bhex accountBalanceFlow", ["call", "bhex", "accountBalanceFlow", "user_id=1"], { status: 0, msg: "", data: [] }],
    ];
    for (const [name, argv, fields] of runs) {
      const codes = new Set<number>();
      // Statuses the CLI's calls do not retry (429 and 5xx would wait out the backoff; the library's fuzz above has them).
      for (const a of [{ body: text(fields), status: 200, type: "application/json" }, ...fc.sample(answers(fields), { numRuns: 80, seed: fcSeed(7) })]) {
        current = { ...a, status: a.status >= 429 ? 400 : a.status };
        const r = await runCliCaptured(argv, env);
        codes.add(r.code);
        const context = `${name} ← ${current.status} ${a.body.slice(0, 200)}`;
        expect([0, 1], context).toContain(r.code);
        expect(r.stderr, context).not.toMatch(/unexpected error|TypeError|RangeError|\n\s+at /);
        if (r.code === 0) expect(() => JSON.parse(r.stdout), context).not.toThrow();
        else expect(r.stderr.startsWith(`tradeapi: error: ${name}: `), `${context}: ${r.stderr}`).toBe(true);
      }
      expect([...codes].sort()).toEqual([0, 1]);
    }
  }, 60_000);
});

describe("BHEX pages a fuzzer writes", () => {
  it("paginate yields records or fails with a TradeApiError, and always ends", async () => {
    const pages = fc.array(fc.oneof(fc.array(fc.oneof(fc.record({ id: fc.oneof(fc.bigInt({ min: 1n, max: 2n ** 63n }).map(String), nasty) }, { requiredKeys: [] }), nasty), { maxLength: 5 }), nasty), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(pages, async (answers) => {
        let n = 0;
        const client = { call: async () => (n < answers.length ? answers[n++] : []) };
        await outcome("bhex", async () => {
          let yielded = 0;
          for await (const _ of paginate(client as never, "accountBalanceFlow", { user_id: 1, limit: 5 } as never)) if (++yielded > 100) throw new Error("paginate did not end");
        });
      }),
      { numRuns: 500 },
    );
  });
});
