/**
 * The exported pure functions meet JavaScript callers too, whose arguments no compiler
 * checked. A fuzzer's arguments to the signers and the batch encoders give a result or a
 * UsageError naming what is wrong, never a TypeError from deep inside (crypto, String(),
 * a property read of null); `call()` with something that is not an operation name likewise.
 * A secret handed to the redaction helpers as one string is that secret, not its characters.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  authorizeBhex,
  authorizeHubi,
  authorizeXt,
  createXtClient,
  decodeBatchItems,
  encodeBatchItems,
  redact,
  Redactor,
  signBhexParams,
  signHubiRequest,
  signXtParams,
  snippet,
  UsageError,
} from "../../src/index.js";
import { rejection } from "../helpers/rejection.js";
import { fcSeed } from "../helpers/fc-seed.js";

const SEED = 20261202;
const anything = fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true });
const request = fc.record({
  method: fc.constantFrom("GET", "POST"),
  path: fc.string(),
  query: fc.array(fc.tuple(fc.string(), fc.string())),
  form: fc.option(fc.array(fc.tuple(fc.string(), fc.string())), { nil: null }),
  headers: fc.dictionary(fc.string(), fc.string()),
});
const credentials = fc.record({ accessKey: anything, secretKey: anything, accessToken: anything, nonce: anything, timestamp: anything, seqNum: anything });

/**
 * What `run()` failed with: what it threw, what its promise (or an async generator's first
 * step) rejected with within `ms`, or undefined when it returned or is still pending.
 */
async function failureOf(run: () => unknown, ms: number): Promise<unknown> {
  try {
    const r = run();
    const pending = r !== null && typeof r === "object" && typeof (r as AsyncGenerator).next === "function" && typeof (r as AsyncGenerator).throw === "function" ? (r as AsyncGenerator).next() : r;
    if (!(pending instanceof Promise)) return undefined;
    return await Promise.race([pending.then(() => undefined, (e: unknown) => e), new Promise((done) => setTimeout(done, ms, undefined))]);
  } catch (e) {
    return e;
  }
}

/** `f()` returns, or throws a UsageError. */
function onlyUsageErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof UsageError)) throw new Error(`threw ${String(e)}`, { cause: e });
  }
}

describe("the signers and encoders take any argument", () => {
  const signers: Array<[string, (a: unknown, b: unknown) => unknown]> = [
    ["authorizeXt", authorizeXt as never],
    ["authorizeBhex", authorizeBhex as never],
    ["authorizeHubi", authorizeHubi as never],
    ["signXtParams", signXtParams as never],
    ["signBhexParams", signBhexParams as never],
    ["signHubiRequest", signHubiRequest as never],
  ];
  for (const [name, sign] of signers) {
    it(`${name}: a result or a UsageError (property)`, () => {
      fc.assert(
        fc.property(fc.oneof(fc.tuple(anything, anything), fc.tuple(request, anything), fc.tuple(request, credentials), fc.tuple(fc.dictionary(fc.string(), anything), anything)), ([a, b]) =>
          onlyUsageErrors(() => sign(a, b)),
        ),
        { seed: fcSeed(SEED), numRuns: 1500 },
      );
    });
  }

  it("the messages say what was wrong", () => {
    const req = { method: "GET", path: "/x", query: [], form: null, headers: {} };
    expect(() => signXtParams({ market: "btc_usdt" }, undefined as never)).toThrow("the secret key must be a non-empty string, got undefined");
    expect(() => signXtParams({ market: "btc_usdt" }, "")).toThrow("the secret key must be a non-empty string, got an empty string");
    expect(() => signXtParams({ market: { a: 1 } } as never, "sk")).toThrow('parameter "market" must be a string, number, bigint or boolean to be signed, got object');
    expect(() => signBhexParams(null as never, "sk")).toThrow("the parameters to sign must be an object of name → value, got null");
    expect(() => authorizeXt({ ...req, query: [["a", 1]] } as never, { accessKey: "ak", secretKey: "sk", nonce: "1" })).toThrow(/^a signer takes \(\{ method, path, query, form, headers \}/);
    expect(() => authorizeBhex(req, null as never)).toThrow(/^a signer takes/);
    expect(() => signHubiRequest({ params: [], accessKey: "ak", secretKey: "sk", accessToken: "t", timestamp: 5, seqNum: 1, path: "/p" } as never)).toThrow(
      "signHubiRequest needs timestamp as a string, got number",
    );
    // Valid input still signs as before (the known-answer tests pin the values).
    expect(signXtParams({ market: "btc_usdt", id: 1n, flag: true }, "sk")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("encodeBatchItems / decodeBatchItems: a result or a UsageError (property)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom("financeBatchTransfer", "financeAirDrop", "userBatchUpdateUserKycInfo"), anything), fc.oneof(anything, fc.array(fc.dictionary(fc.string(), anything))), fc.oneof(fc.constantFrom("json", "simple"), anything), (op, rows, form) => {
        // rows: any value, or rows of any cells (the encoder's normal input, with hostile cells)
        onlyUsageErrors(() => encodeBatchItems(op as never, rows as never, form as never));
        onlyUsageErrors(() => decodeBatchItems(op as never, rows as never, form as never));
      }),
      { seed: fcSeed(SEED), numRuns: 1500 },
    );
  });

  it("call() with anything as the operation: a UsageError, nothing sent", async () => {
    let sent = 0;
    const xt = createXtClient({ accessKey: "ak", secretKey: "sk", rateLimit: false, retry: false, fetch: async () => (sent++, new Response("{}")) });
    const call = xt.call as (...args: unknown[]) => Promise<unknown>;
    for (const ref of [undefined, null, 42, {}, Object.create(null), [], Symbol("op")]) {
      expect(await rejection(call(ref)), String(typeof ref)).toBeInstanceOf(UsageError);
    }
    expect(await call(Object.create(null)).catch((e: Error) => e.message)).toBe("xt: an operation is named by its operationId (a string), got object");
    expect(sent).toBe(0);
  });
});

describe("call()'s parameters take any value", () => {
  const answer = (body: unknown) => async () => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

  it("parameters that are no object (null, a string, a list, a number) are a UsageError saying so, nothing sent; null was a TypeError from the first read", async () => {
    const { createHubiClient, createBhexOrgClient } = await import("../../src/index.js");
    let sent = 0;
    const counting = (body: unknown) => async () => (sent++, answer(body)());
    const xt = createXtClient({ accessKey: "ak", secretKey: "sk", rateLimit: false, retry: false, fetch: counting({ code: 200, info: "s", data: null }) });
    const hubi = createHubiClient({ accessKey: "ak", secretKey: "sk", accessToken: "t", rateLimit: false, retry: false, fetch: counting({ status: 0, result: null, message: "" }) });
    const bhex = createBhexOrgClient({ accessKey: "ak", secretKey: "sk", rateLimit: false, retry: false, fetch: counting({}) });
    const calls: Array<[string, (p: unknown) => Promise<unknown>]> = [
      ["xt getOrder", (p) => xt.call("getOrder", p as never)],
      ["xt getServerTime", (p) => xt.call("getServerTime", p as never)],
      ["hubi enterOrder", (p) => hubi.call("enterOrder", p as never)],
      ["bhex paymentOrderCreatev2", (p) => bhex.call("paymentOrderCreatev2", p as never)],
      ["bhex orderCreate", (p) => bhex.callWithKey("orderCreate", p as never)],
      ["bhex orderCreate", async (p) => bhex.withIdempotencyKey("orderCreate", p as never)],
    ];
    for (const [name, call] of calls) {
      for (const [params, type] of [[null, "null"], ["x", "string"], [[1], "an array"], [5, "number"]] as const) {
        const e = await rejection(call(params));
        expect(e, `${name} ${type}`).toBeInstanceOf(UsageError);
        expect(e.message, `${name} ${type}`).toBe(`${name}: the parameters must be an object of name → value, got ${type}`);
      }
    }
    expect(sent).toBe(0);
  });

  it("an idempotency key given as something String() cannot convert is refused by the parameter's check, not a TypeError (property)", async () => {
    const { createBhexOrgClient, TradeApiError } = await import("../../src/index.js");
    const bhex = createBhexOrgClient({ accessKey: "ak", secretKey: "sk", rateLimit: false, retry: false, fetch: answer({}) });
    const base = { payer_user_id: 1, payee_user_id: 2, pay_info: "[]", effective_time: 5 };
    await fc.assert(
      fc.asyncProperty(anything, async (key) => {
        const e = await bhex.call("paymentOrderCreatev2", { ...base, client_order_id: key } as never).then(() => undefined, (x: unknown) => x);
        // (a key that fits is sent, and this stub's answer is no BHEX answer: a typed error too)
        if (e !== undefined && !(e instanceof TradeApiError)) throw new Error(`threw ${String(e)}`, { cause: e });
      }),
      { seed: fcSeed(SEED), numRuns: 500 },
    );
    const e = await rejection(bhex.call("paymentOrderCreatev2", { ...base, client_order_id: Object.create(null) } as never));
    expect(e.message).toBe('bhex paymentOrderCreatev2: parameter "client_order_id" must be string, got {}');
  });
});

describe("the redaction helpers", () => {
  it("one secret given as a string is redacted as a whole (it was split into characters, each too short)", () => {
    expect(redact("key=sk-12345678 in the log", "sk-12345678" as never)).toBe("key=[redacted] in the log");
    expect(new Redactor("sk-12345678" as never).text("…sk-12345678…")).toBe("…[redacted]…");
    expect(snippet("the answer echoed sk-12345678", "sk-12345678" as never)).toBe("the answer echoed [redacted]");
  });

  it("text that is not a string is redacted as its text; secrets that are not a list are a UsageError (was a TypeError)", () => {
    expect(redact(12345678 as never, ["12345678"])).toBe("[redacted]");
    expect(snippet(undefined as never)).toBe("undefined");
    // A null-prototype object has no String(): its JSON is redacted instead of a TypeError.
    expect(redact(Object.assign(Object.create(null), { k: "sk-12345678" }) as never, ["sk-12345678"])).toBe('{"k":"[redacted]"}');
    expect(() => new Redactor(42 as never)).toThrow(UsageError);
    expect(() => new Redactor(42 as never)).toThrow("secrets must be a list of strings (or one string), got number");
    expect(() => new Redactor(["sk-12345678"]).with(42 as never)).toThrow(UsageError);
    expect(new Redactor(["sk-12345678"]).with("tk-87654321" as never).text("sk-12345678 tk-87654321")).toBe("[redacted] [redacted]");
  });
});

describe("every exported function takes any argument", () => {
  // Every function each subpath exports (found at run time, so a new export is covered too),
  // but the factories and emulators (test/security/entry-fuzz.test.ts gives them any value) and
  // the two that write files where they are told.
  const SUBPATHS = ["../../src/index.js", "../../src/handwritten/xt/index.js", "../../src/handwritten/hubi/index.js", "../../src/handwritten/bhex/index.js", "../../src/handwritten/xele/index.js", "../../src/handwritten/quant-ws/index.js", "../../src/mock/index.js"];
  const WRITES_FILES = new Set(["saveClientSystemExport", "downloadData", "downloadBhexData"]);
  // As JSON.parse and JSON.stringify do: text that is not JSON is a SyntaxError; a value JSON
  // cannot hold (undefined, a cycle, nesting deeper than the stack) a TypeError or RangeError.
  const JSON_LIKE: Record<string, (e: unknown) => boolean> = {
    parseJson: (e) => e instanceof SyntaxError,
    stringifyJson: (e) => e instanceof TypeError || e instanceof RangeError,
  };

  it("each returns, or throws or rejects with a TradeApiError (a UsageError naming what it takes), never a TypeError from inside (property)", async () => {
    const { TradeApiError } = await import("../../src/index.js");
    const functions = new Map<unknown, string>();
    for (const path of SUBPATHS) {
      for (const [name, value] of Object.entries(await import(path))) {
        if (typeof value !== "function" || /^[A-Z]/.test(name) || /^(create|start)/.test(name) || WRITES_FILES.has(name) || functions.has(value)) continue;
        functions.set(value, name);
      }
    }
    expect(functions.size).toBeGreaterThan(60);
    const typed = (name: string, e: unknown) => e === undefined || e instanceof TradeApiError || JSON_LIKE[name]?.(e) === true;
    for (const [f, name] of functions) {
      await fc.assert(
        fc.asyncProperty(anything, anything, anything, async (a, b, c) => {
          const failure = await failureOf(() => (f as (...args: unknown[]) => unknown)(a, b, c), 5);
          if (!typed(name, failure)) throw new Error(`${name} failed with ${String(failure)}`, { cause: failure });
        }),
        { seed: fcSeed(Number(process.env.PI_SEED ?? SEED)), numRuns: Number(process.env.PI_RUNS ?? 40) },
      );
    }
    // What fast-check's `anything` does not make: symbols, functions, an object whose fields throw;
    // and an object with no prototype (no toString: a template or a regex test of it throws) after
    // a first argument that is a small code (`loginStateError(1, msg, ctx)` tested `msg` unread).
    const hostile = [Symbol("s"), () => 1, new Proxy({}, { get: () => { throw new Error("a field that throws"); } }), new Proxy([], { get: () => { throw new Error("a field that throws"); } }), Object.create(null) as object];
    for (const [f, name] of functions) {
      for (const a of hostile) for (const args of [[a], [a, a], [1, a, a], [7, a, a]]) {
        const failure = await failureOf(() => (f as (...args: unknown[]) => unknown)(...args), 5);
        // An object whose fields throw may pass its own error through: that is the caller's.
        const own = failure instanceof Error && failure.message === "a field that throws";
        if (!typed(name, failure) && !own) throw new Error(`${name}(${args.map((x) => typeof x).join(", ")}) failed with ${String(failure)}`, { cause: failure });
      }
    }
    // What some of them said before (each a TypeError from the first read of undefined).
    const { pipeRowsOf, serverOf, parsePipeHeader, checkPipeRow } = await import("../../src/handwritten/xele/index.js");
    const { xtBatchMax } = await import("../../src/handwritten/xt/index.js");
    expect(() => pipeRowsOf(undefined as never)).toThrow("pipeRowsOf takes an operation of the API's metadata (meta.operations[i]), got undefined");
    expect(() => serverOf({ operationId: "getOrder" } as never)).toThrow('serverOf takes a Xele operation (its x-server MA or MS); "getOrder" has none');
    expect(() => parsePipeHeader(5 as never)).toThrow("parsePipeHeader takes the header line (a string), got a number");
    expect(() => checkPipeRow({} as never)).toThrow("checkPipeRow takes a row that decodePipeRows or decodePipeRowStream gave, got an object");
    expect(() => xtBatchMax("order" as never)).toThrow('xtBatchMax takes a batch operation ("batchOrder", "batchCancel" or "getBatchOrders"), got "order"');
  }, 120_000);
});

describe("every exported error class takes any argument", () => {
  it("constructs an instance of itself (its message the values' text), or throws a UsageError; never a TypeError (property)", async () => {
    const { TradeApiError, UsageError: Usage } = await import("../../src/index.js");
    const classes = new Map<Function, string>();
    for (const path of ["../../src/index.js", "../../src/handwritten/xt/index.js", "../../src/handwritten/hubi/index.js", "../../src/handwritten/bhex/index.js", "../../src/handwritten/xele/index.js", "../../src/handwritten/quant-ws/index.js"]) {
      for (const [name, value] of Object.entries(await import(path))) {
        if (typeof value === "function" && value.prototype instanceof TradeApiError && !classes.has(value)) classes.set(value, name);
      }
    }
    expect(classes.size).toBeGreaterThan(25);
    for (const [Cls, name] of classes) {
      fc.assert(
        fc.property(fc.array(anything, { maxLength: 5 }), (args) => {
          try {
            const e = new (Cls as new (...a: unknown[]) => Error)(...args);
            if (!(e instanceof Cls) || typeof e.message !== "string") throw new Error(`${name}: not an instance with a message`);
          } catch (e) {
            if (!(e instanceof Usage)) throw new Error(`new ${name}(…) threw ${String(e)}`, { cause: e });
          }
        }),
        { seed: fcSeed(Number(process.env.PI_SEED ?? SEED)), numRuns: Number(process.env.PI_RUNS ?? 150) },
      );
    }
    // What `anything` seldom makes: a small code (a state, an HTTP status) or a text first, then
    // values with no text form of their own (a symbol, an object with no prototype, a function),
    // as such or as the fields of a context.
    const hostile = [Symbol("s"), Object.create(null) as object, () => 1, [Object.create(null)]];
    for (const [Cls, name] of classes) {
      for (const first of [1, 7, 400, "x"]) for (const h of hostile) for (const args of [[first, h], [first, h, h], [first, "m", h], [h, h, h], [first, "m", { api: h, operation: h, platform: h, field: h, path: h }]]) {
        try {
          const e = new (Cls as new (...a: unknown[]) => Error)(...args);
          if (!(e instanceof Cls) || typeof e.message !== "string") throw new Error(`${name}: not an instance with a message`);
        } catch (e) {
          if (!(e instanceof Usage)) throw new Error(`new ${name}(${args.map((x) => typeof x).join(", ")}) threw ${String(e)}`, { cause: e });
        }
      }
    }
  });
});

describe("every method of what the factories give takes any argument", () => {
  it("clients, their transports, sessions and limiters: each method returns, or throws or rejects typed; the internals are not reachable", async () => {
    const { TradeApiError, createXtClient, createHubiClient, createBhexOrgClient, createXeleClient, RateLimiter } = await import("../../src/index.js");
    const { XeleSession, InFlightLimit } = await import("../../src/handwritten/xele/index.js");
    const { createQuantWsClient } = await import("../../src/handwritten/quant-ws/index.js");
    const { startQuantWsMock } = await import("../../src/mock/index.js");
    // Nothing listens on port 9 of the loopback (a refused connection is a ConnectionError); 100 ms bounds any other outcome.
    const base = "http://127.0.0.1:9";
    const common = { retry: false as const, timeoutMs: 100 };
    const keys = { accessKey: "ak-12345678", secretKey: "sk-12345678" };
    const xt = createXtClient({ ...keys, baseUrl: base, ...common });
    const objects: Array<[string, object]> = [
      ["xt", xt],
      ["xt.transport", xt.transport],
      ["hubi", createHubiClient({ ...keys, accessToken: "tk-12345678", baseUrl: base, ...common })],
      ["bhex", createBhexOrgClient({ ...keys, baseUrl: base, ...common })],
      ["xele", createXeleClient({ username: "u", password: "p-12345678", maUrl: base, msUrl: base, ...common })],
      ["XeleSession", new XeleSession({ username: "u", password: "p-12345678", login: async () => "tok-12345678" })],
      ["InFlightLimit", new InFlightLimit(2)],
      ["RateLimiter", new RateLimiter({ a: { limit: 1, intervalMs: 10 } })],
    ];
    const mock = await startQuantWsMock();
    const quant = createQuantWsClient({ url: mock.url, pingIntervalMs: 0, requestTimeoutMs: 100 });
    const session = await quant.login({ platform: "huobi", symbols: ["ETH/USDT"], accessKey: "ak-12345678", secretKey: "sk-12345678" });
    objects.push(["quant-ws client", quant], ["quant-ws session", session]);
    // Files written where told and the session ends are left out.
    const SKIP = new Set(["saveClientSystemExport", "downloadData", "close", "logout", "constructor"]);
    const odd = [undefined, null, 5, "x", {}, [], Symbol("s"), Object.create(null), 10n, Number.NaN, () => 1, new Proxy({}, { get: () => { throw new Error("a field that throws"); } })];
    const failures: string[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => void uncaught.push(e);
    process.on("uncaughtException", onUncaught);
    try {
      for (const [label, object] of objects) {
        const names = new Set(Object.keys(object));
        for (let p = Object.getPrototypeOf(object); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) for (const n of Object.getOwnPropertyNames(p)) names.add(n);
        for (const name of names) {
          if (SKIP.has(name)) continue;
          const d = Object.getOwnPropertyDescriptor(object, name) ?? Object.getOwnPropertyDescriptor(Object.getPrototypeOf(object), name);
          const method = d && "value" in d ? (d.value as unknown) : undefined;
          if (typeof method !== "function") continue;
          for (const a of odd) {
            for (const args of [[a, undefined, a], [a, a, a], ["getOrder", a, a], ["BTC/USDT", a, a], [1, a, a]]) {
              const failure = await failureOf(() => method.call(object, ...args), 20);
              if (failure === undefined || failure instanceof TradeApiError || (failure instanceof Error && failure.message === "a field that throws")) continue;
              failures.push(`${label}.${name}(${args.map((x) => typeof x).join(", ")}): ${String(failure)}`);
            }
          }
        }
      }
      // A request timed out by then has had its say (a timer's failure was an uncaught exception).
      await new Promise((done) => setTimeout(done, 150));
    } finally {
      process.off("uncaughtException", onUncaught);
      await quant.close();
      await mock.close();
    }
    expect(failures).toEqual([]);
    expect(uncaught).toEqual([]);
    // The plumbing is not on the objects: a quant-ws client had send() (a frame with an op that is
    // no text crashed the process from its timeout), forget(), reportError() …; a transport its
    // TypeScript-private decode(), send() … reachable from JavaScript.
    for (const name of ["send", "forget", "reportError", "socketOpen", "relogging", "afterLogout"]) expect((quant as unknown as Record<string, unknown>)[name], name).toBeUndefined();
    for (const name of ["send", "decode", "head", "wireRequest", "dispatch", "transportError", "checkAnswerData"]) expect((xt.transport as unknown as Record<string, unknown>)[name], name).toBeUndefined();
    // A session had the client's handles on it as underscored methods (_awaitLoginReady with odd
    // values rejected with a TypeError; _end ended it with anything as the error).
    for (const name of ["_setToken", "_awaitLoginReady", "_onState", "_onNotify", "_loginDone", "_socketDown", "_end"]) expect((session as unknown as Record<string, unknown>)[name], name).toBeUndefined();
  }, 120_000);
});

describe("the other exported helpers take any argument", () => {
  it("a signer's options (the third argument): a result or a UsageError; a variant that is not one is named", () => {
    for (const sign of [signXtParams, signBhexParams] as Array<(a: unknown, b: unknown, c: unknown) => unknown>) {
      fc.assert(
        fc.property(anything, (options) => onlyUsageErrors(() => sign({ market: "btc_usdt" }, "sk", options))),
        { seed: fcSeed(SEED), numRuns: 500 },
      );
    }
    expect(() => signXtParams({ market: "btc_usdt" }, "sk", { variant: "jav" as never })).toThrow('variant must be one of "java", "raw", "python", got "jav"');
    expect(() => signBhexParams({ a: "1" }, "sk", null as never)).toThrow("the sign options must be an object { variant? }, got null");
  });

  it("parsers, decoders and builders: a result or a typed error (parseJson: SyntaxError for text that is not JSON, as JSON.parse), never a TypeError (property)", async () => {
    const { parseJson, retryAfterMsOf, newBhexClientOrderId, TradeApiError } = await import("../../src/index.js");
    const { decodePipeRows, decodeClientSystemExport, decodePipeRowStream } = await import("../../src/handwritten/xele/index.js");
    const { decodeFrame } = await import("../../src/handwritten/quant-ws/index.js");
    const { hubiOrderNos } = await import("../../src/handwritten/hubi/client.js");
    const { hubiErrorCode } = await import("../../src/handwritten/hubi/index.js");
    const { compareCounterVersions, fillNoCondition, InFlightLimit } = await import("../../src/handwritten/xele/index.js");
    const { stateName } = await import("../../src/handwritten/quant-ws/index.js");
    const { xtNonce } = await import("../../src/handwritten/xt/index.js");
    const helpers: Array<[string, (a: unknown, b: unknown) => unknown]> = [
      ["parseJson", parseJson as never],
      ["retryAfterMsOf", retryAfterMsOf as never],
      ["newBhexClientOrderId", newBhexClientOrderId as never],
      ["decodePipeRows", decodePipeRows as never],
      ["decodeClientSystemExport", decodeClientSystemExport as never],
      ["decodeFrame", decodeFrame as never],
      ["hubiOrderNos", hubiOrderNos as never],
      ["hubiErrorCode", hubiErrorCode as never],
      ["compareCounterVersions", compareCounterVersions as never],
      ["fillNoCondition", fillNoCondition as never],
      ["stateName", stateName as never],
      ["xtNonce", xtNonce as never],
      ["new InFlightLimit", (a, b) => new InFlightLimit(a as never, b as never)],
    ];
    const typed = (name: string, e: unknown) => e instanceof TradeApiError || (name === "parseJson" && e instanceof SyntaxError);
    for (const [name, f] of helpers) {
      fc.assert(
        fc.property(anything, anything, (a, b) => {
          try {
            f(a, b);
          } catch (e) {
            if (!typed(name, e)) throw new Error(`${name} threw ${String(e)}`, { cause: e });
          }
        }),
        { seed: fcSeed(SEED), numRuns: 400 },
      );
    }
    // InFlightLimit's acquire and run (a slot held, so that a wait starts): a signal that is none
    // was a TypeError from the abort listener, a waitMs a timer cannot hold ended after 1 ms.
    await fc.assert(
      fc.asyncProperty(anything, anything, fc.oneof(anything, fc.double()), async (signal, ctx, waitMs) => {
        const limit = new InFlightLimit(1);
        await limit.acquire();
        for (const wait of [() => limit.acquire(signal as never, ctx as never, waitMs as never), () => limit.run(signal as never, undefined, undefined, 5)]) {
          const e = await Promise.race([wait().then(() => undefined, (err: unknown) => err), new Promise((r) => setTimeout(r, 20, undefined))]);
          if (e !== undefined && !(e instanceof TradeApiError)) throw new Error(`InFlightLimit threw ${String(e)}`, { cause: e });
        }
      }),
      { seed: fcSeed(SEED), numRuns: 100 },
    );
    const held = new InFlightLimit(1, "MS");
    await held.acquire();
    await expect(held.acquire(undefined, undefined, 3e9)).rejects.toThrow("waitMs must be a number of ms above 0 and at most 2147483647, got 3000000000");
    await expect(held.acquire("x" as never)).rejects.toThrow("signal must be an AbortSignal, got string");
    await expect(held.run(5 as never)).rejects.toThrow("run takes the request to run (a function), got number");
    await fc.assert(
      fc.asyncProperty(anything, anything, async (a, b) => {
        const e = await decodePipeRowStream(a as never, b as never).next().then(() => undefined, (err: unknown) => err);
        if (e !== undefined && !(e instanceof TradeApiError)) throw new Error(`decodePipeRowStream threw ${String(e)}`, { cause: e });
      }),
      { seed: fcSeed(SEED), numRuns: 300 },
    );
    // What they say.
    expect(() => parseJson(null as never)).toThrow("parseJson takes JSON text (a string), got null");
    expect(() => parseJson("1.5", { decimals: "float" as never })).toThrow('decimals must be one of "exact", "string", "number", got "float"');
    expect(() => parseJson("1.5", { decimals: 1n as never })).toThrow('decimals must be one of "exact", "string", "number", got bigint');
    expect(() => decodePipeRows("a|b", null as never)).toThrow("the row options must be an object of options, got null");
    await expect(decodePipeRowStream(5 as never).next()).rejects.toThrow("the body must be a ReadableStream or an async iterable of bytes or text, got number");
    expect(() => decodeFrame(Buffer.from("{}") as never)).toThrow("decodeFrame takes a frame's text, got object");
    expect(() => hubiOrderNos("1,2" as never)).toThrow("the order numbers must be a list of strings, got string");
    expect(() => newBhexClientOrderId(Number.NaN)).toThrow("newBhexClientOrderId takes a time in ms, got NaN");
    expect(retryAfterMsOf(5 as never)).toBeUndefined();
    expect(() => xtNonce(1700000000000n as never)).toThrow("xtNonce takes a time in ms (a number), got bigint");
    expect(() => new InFlightLimit(null as never)).toThrow("maxInFlight must be a positive integer, got object");
    expect(hubiErrorCode(25004, 7 as never)).toBe(25004);
    expect(compareCounterVersions("3", 3 as never)).toBeLessThan(0);
    expect(stateName(Object.create(null) as never)).toBe("(not a state code: object)");
    expect(fillNoCondition(5 as never, 1)).toBe(1);
  });
});
