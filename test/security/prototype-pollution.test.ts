/**
 * Prototype pollution: another library in the process (a merge of untrusted JSON into `{}` with
 * `__proto__`) puts a property on Object.prototype. The clients read only what their caller
 * gave: an option or parameter left out stays left out even when Object.prototype carries one
 * of its name. (A polluted `baseUrl` sent every signed request, key and signature in the URL,
 * to the polluter's host; a polluted `proxy` sent them through its proxy; a polluted parameter
 * name was added to every call and signed.)
 *
 * Each API's calls run twice through an injected fetch: clean, against the emulator (the answers
 * kept), then with every option name, call option, request option and parameter name of the
 * calls put on Object.prototype (the kept answers served). The requests sent and the results must
 * be the same. A third run without a baseUrl checks that the vendor's server is the one called.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meta as bhexMeta } from "../../generated/bhex-org.docs.js";
import { meta as hubiMeta } from "../../generated/hubi-futures.docs.js";
import { meta as xeleMeta } from "../../generated/xele-mgmt.docs.js";
import { meta as xtMeta } from "../../generated/xt-spot.docs.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock } from "../../src/mock/hubi.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/client.js";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { authorizeBhex, signBhexParams } from "../../src/auth/bhex.js";
import { parseJson } from "../../src/handwritten/core/json.js";
import { RateLimiter } from "../../src/handwritten/core/rate-limit.js";
import { saveClientSystemExport } from "../../src/handwritten/xele/export.js";
import { authorizeHubi } from "../../src/auth/hubi.js";
import { authorizeXt } from "../../src/auth/xt.js";
import { OPERATIONS as QUANT_WS_OPERATIONS } from "../../src/handwritten/quant-ws/operations.js";
import { startQuantWsMock } from "../../src/mock/quant-ws.js";

/** Every option a factory, a call, a request (openapi-fetch init) or a retry takes, and the credentials. */
const OPTION_NAMES = [
  ...["baseUrl", "fetch", "proxy", "timeoutMs", "maxResponseBytes", "retry", "onEvent", "signal", "decimals", "rateLimit", "rateLimiter"],
  ...["accessKey", "secretKey", "accessToken", "now", "seqStart", "signatureValues", "signatureMethodHeader", "batchDataSigning", "signatureVariant"],
  ...["allAsPost", "newIdempotencyKey", "onIdempotencyKey", "idempotentRetry"],
  ...["maUrl", "msUrl", "username", "password", "maxInFlight", "operator", "log", "firstSerialNo", "counterVersion", "login"],
  ...["params", "body", "headers", "parseAs", "query", "path", "header", "cookie"],
  ...["maxAttempts", "baseDelayMs", "maxDelayMs", "sleep", "random", "MA", "MS"],
];
const POLLUTED = "http://127.0.0.1:9/polluted";
/** What a polluted `host` holds: every interface. */
const EVERYWHERE = "0.0.0.0";

/** Runs `fn` with `names` on Object.prototype (enumerable data properties, as `a[k1][k2] = v` with k1 "__proto__" makes them). */
async function polluted<T>(names: readonly string[], fn: () => Promise<T>, value: string = POLLUTED): Promise<T> {
  const added = names.filter((n) => !(n in Object.prototype));
  for (const n of added) (Object.prototype as Record<string, unknown>)[n] = value;
  try {
    return await fn();
  } finally {
    for (const n of added) delete (Object.prototype as Record<string, unknown>)[n];
  }
}

interface Sent {
  url: string;
  method: string;
  headers: Array<[string, string]>;
  body: string | null;
}

const pairs = (h: Headers) => {
  const out: Array<[string, string]> = [];
  h.forEach((v, k) => out.push([k, v]));
  return out;
};

/**
 * A fetch that records each request; `answers` given, it serves them in order (Responses built
 * before the pollution), else it sends the request on and keeps the answer.
 */
function wire(answers?: Response[]) {
  const sent: Array<{ input: unknown; init: RequestInit | undefined }> = [];
  const kept: Array<{ status: number; headers: Array<[string, string]>; body: string }> = [];
  const fetch = async (input: unknown, init?: RequestInit): Promise<Response> => {
    sent.push({ input, init });
    if (answers) return answers.shift() ?? Response.error();
    const res = await globalThis.fetch(input as string, init);
    const body = await res.text();
    kept.push({ status: res.status, headers: pairs(res.headers), body });
    return new Response(body, { status: res.status, headers: res.headers });
  };
  // Read once the pollution is gone: a field the library did not set reads as undefined again.
  const requests = async (): Promise<Sent[]> =>
    Promise.all(
      sent.map(async ({ input, init }) => {
        const req = new Request(input as string, init);
        return { url: req.url, method: req.method, headers: pairs(req.headers), body: req.body ? await req.text() : null };
      }),
    );
  const replay = () => kept.map((a) => new Response(a.body, { status: a.status, headers: a.headers }));
  return { fetch: fetch as typeof globalThis.fetch, requests, replay };
}

/** Every property name anywhere in a schema (the fields of nested objects and of list items too). */
function fieldNames(node: unknown, out: Set<string>): Set<string> {
  if (node === null || typeof node !== "object") return out;
  if (Array.isArray(node)) {
    for (const x of node) fieldNames(x, out);
    return out;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === "properties" && v && typeof v === "object") for (const name of Object.keys(v)) out.add(name);
    fieldNames(v, out);
  }
  return out;
}

/**
 * The parameter names of the operations and every field name anywhere in their requests (a
 * request's nested fields, XT's batch items, Xele's request schemas): a left-out one must stay out.
 */
const paramNames = (meta: { operations: ReadonlyArray<{ params: ReadonlyArray<{ name: string }>; body?: unknown; requestSchema?: unknown }> }) => {
  const names = new Set<string>();
  for (const op of meta.operations) {
    for (const p of op.params) names.add(p.name);
    fieldNames([op.params, op.body, op.requestSchema], names);
  }
  return [...names];
};

interface Case {
  api: string;
  names: string[];
  /** Runs the calls with this fetch (and baseUrl, when given); the results, or the error's text. */
  run: (fetch: typeof globalThis.fetch, baseUrl: string | undefined) => Promise<unknown[]>;
  /** The vendor's servers, called when no baseUrl is given. */
  servers: ReadonlyArray<{ url: string; variables?: Record<string, { default: string }> }>;
  /** What changes between two runs by itself (a timestamp the client takes from the clock), made alike. */
  same?: (s: string) => string;
}

const settled = async (calls: Array<() => Promise<unknown>>) => {
  const out: unknown[] = [];
  for (const c of calls) out.push(await c().then((v) => ({ ok: JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x))) as unknown }), (e: Error) => ({ error: String(e) })));
  return out;
};

let xt: HttpMock;
let hubi: HttpMock;
let bhex: HttpMock;
let xele: Awaited<ReturnType<typeof startXeleMock>>;
const T0 = Date.now();
beforeAll(async () => {
  [xt, hubi, bhex, xele] = await Promise.all([startXtMock({ now: () => T0 }), startHubiMock({ now: () => T0 }), startBhexMock(), startXeleMock()]);
});
afterAll(async () => {
  await Promise.all([xt.close(), hubi.close(), bhex.close(), xele.close()]);
});

const CASES: Case[] = [
  {
    api: "xt",
    names: paramNames(xtMeta),
    servers: xtMeta.servers,
    run: (fetch, baseUrl) => {
      const c = createXtClient({ ...(baseUrl ? { baseUrl } : {}), fetch, accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, now: () => T0 });
      return settled([
        () => c.call("getServerTime"),
        () => c.call("getBalance", {}),
        () => c.call("order", { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 }, { timeoutMs: 5_000 }),
        () => c.GET("/trade/api/v1/getBalance", {}).then((r) => r.data ?? String(r.error)),
        () => c.batchOrder("btc_usdt", [{ price: 5000, amount: 0.001, type: 1 }]),
      ]);
    },
  },
  {
    api: "hubi",
    names: paramNames(hubiMeta),
    servers: hubiMeta.servers,
    run: (fetch, baseUrl) => {
      const c = createHubiClient({ ...(baseUrl ? { baseUrl } : {}), fetch, accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN, now: () => T0, seqStart: 1 });
      return settled([
        () => c.call("queryAccounts", {}),
        () => c.call("enterOrder", { coin_code: "USDT", symbol: "ETHUSD", open_position: true, quantity: 1, price: 9000, trade_direction: "BUY", order_type: "LIMIT" }),
        () => c.call("queryActiveOrders", {}),
      ]);
    },
  },
  {
    api: "bhex",
    names: paramNames(bhexMeta),
    servers: bhexMeta.servers,
    same: (s) => s.replace(/timestamp=\d+/g, "timestamp=T").replace(/signature=[0-9a-f]+/g, "signature=S"),
    run: (fetch, baseUrl) => {
      let n = 0;
      const c = createBhexOrgClient({ ...(baseUrl ? { baseUrl } : {}), fetch, accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, newIdempotencyKey: () => `key-${++n}` });
      return settled([
        () => c.call("basicTime"),
        () => c.call("orderCreate", { user_id: 83214971450163200n, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "0.1668", quantity: "10" }),
      ]);
    },
  },
  {
    api: "xele",
    names: paramNames(xeleMeta),
    servers: xeleMeta.servers,
    same: (s) => s.replace(/"(Token|token)":"[^"]*"/g, '"$1":"T"'),
    run: (fetch, baseUrl) => {
      const c = createXeleClient({ ...(baseUrl ? { maUrl: xele.maUrl, msUrl: xele.msUrl } : {}), fetch, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });
      return settled([
        () => c.call("getCounterStatus"),
        () => c.call("getPositions", {}).then((rows) => rows.map((r) => r.toJSON())),
        () => c.call("queryOrders", { max_result_count: 2, order_price: { min: 1 } } as never).then((rows) => rows.map((r) => r.toJSON())),
      ]);
    },
  },
];

describe("prototype pollution does not reach a call", () => {
  it.each(CASES)("$api: the same requests and results with every option and parameter name on Object.prototype", async ({ names, run, same = (s) => s }) => {
    const mock = { xt, hubi, bhex }[(CASES.find((c) => c.names === names)!.api as "xt" | "hubi" | "bhex")];
    const baseUrl = mock?.url ?? "xele";
    const clean = wire();
    const expected = await run(clean.fetch, baseUrl);
    const served = wire(clean.replay());
    const got = await polluted([...OPTION_NAMES, ...names], () => run(served.fetch, baseUrl));
    expect(expected.some((r) => "error" in (r as object)), JSON.stringify(expected)).toBe(false);
    expect(same(JSON.stringify(got, null, 1))).toBe(same(JSON.stringify(expected, null, 1)));
    expect(same(JSON.stringify(await served.requests(), null, 1))).toBe(same(JSON.stringify(await clean.requests(), null, 1)));
  });

  it.each(CASES)("$api: without a baseUrl, the vendor's server is called, not the one on Object.prototype", async ({ names, run, servers }) => {
    const w = wire([...Array(10)].map(() => new Response("{}", { status: 503 })));
    await polluted([...OPTION_NAMES, ...names], () => run(w.fetch, undefined));
    const hosts = new Set((await w.requests()).map((r) => new URL(r.url).host));
    const vendor = servers.map((s) => new URL(s.url.replace(/\{(\w+)\}/g, (_m, v: string) => s.variables?.[v]?.default ?? v)).host);
    expect(hosts.size).toBeGreaterThan(0);
    for (const h of hosts) expect(vendor).toContain(h);
  });
});

/**
 * The Quant gateway client's options, login fields, request options and every request field.
 * Not `signal`: Node's own streams read one from Object.prototype (every socket of such a process
 * fails, a client's and a server's alike), so it cannot be tested over a socket.
 */
const QUANT_WS_NAMES = [
  ...["url", "requestTimeoutMs", "loginTimeoutMs", "connectTimeoutMs", "pingIntervalMs", "maxMissedPongs", "notReady", "retryReads", "reconnect", "repeatLogin"],
  ...["logoutTimeoutMs", "maxMessageBytes", "proxy", "wsOptions", "decimals", "windowMs", "baseDelayMs", "maxDelayMs", "maxAttempts", "random"],
  ...["platform", "symbols", "accessKey", "secretKey", "account", "timeoutMs", "maxBuffered", "maxBufferedChars"],
  ...Object.values(QUANT_WS_OPERATIONS).flatMap((op) => Object.keys(op.fields)),
];

describe("prototype pollution does not reach a Quant gateway request", () => {
  it("the same frames and results with every option, login field and request field name on Object.prototype", async () => {
    const run = async (url: string) => {
      const client = createQuantWsClient({ url, reconnect: false });
      try {
        const session = await client.login({ platform: "huobi", symbols: ["ETH/USDT"], accessKey: "ak-test", secretKey: "sk-test" });
        const out = await settled([
          () => session.asset(),
          () => session.placeOrder({ symbol: "ETH/USDT", action: "BUY", price: 0, quantity: 1, order_type: "MARKET" }).then(() => "placed"),
          () => session.openOrders("ETH/USDT").then((orders) => orders.length),
        ]);
        await session.logout();
        return out;
      } finally {
        await client.close();
      }
    };
    const frames = (mock: Awaited<ReturnType<typeof startQuantWsMock>>) =>
      JSON.stringify(mock.received.map((r) => r.frame), (k, v: unknown) => (k === "cid" || k === "token" ? "x" : v));
    const clean = await startQuantWsMock({ readyDelayMs: 5 });
    const dirty = await startQuantWsMock({ readyDelayMs: 5 });
    try {
      const expected = await run(clean.url);
      // (the emulator reads the frames in this process too: only the client's names are put there)
      const got = await polluted(QUANT_WS_NAMES, () => run(dirty.url));
      expect(expected.some((r) => "error" in (r as object)), JSON.stringify(expected)).toBe(false);
      expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
      expect(frames(dirty)).toBe(frames(clean));
    } finally {
      await Promise.all([clean.close(), dirty.close()]);
    }
  });
});

/** An emulator as these tests read it. */
type Started = { url: string; close(): Promise<void> };

describe("prototype pollution does not move an emulator", () => {
  it.each([
    ["xt", (): Promise<Started> => startXtMock()],
    ["hubi", (): Promise<Started> => startHubiMock()],
    ["bhex", (): Promise<Started> => startBhexMock()],
    ["quant-ws", (): Promise<Started> => startQuantWsMock()],
  ] as const)("%s listens on 127.0.0.1 with a host on Object.prototype", async (_api, start) => {
    const mock = await polluted(["host"], start, EVERYWHERE);
    try {
      expect(new URL(mock.url).hostname).toBe("127.0.0.1");
    } finally {
      await mock.close();
    }
  });

  it("xele: both servers listen on 127.0.0.1 with a host on Object.prototype", async () => {
    const mock = await polluted(["host"], () => startXeleMock(), EVERYWHERE);
    try {
      expect([new URL(mock.maUrl).hostname, new URL(mock.msUrl).hostname]).toEqual(["127.0.0.1", "127.0.0.1"]);
    } finally {
      await mock.close();
    }
  });
});

describe("prototype pollution does not reach the exported signers", () => {
  const request = () => ({ method: "GET", path: "/api/x", query: [["symbol", "BTCUSDT"]] as Array<[string, string]>, form: null, headers: {} });
  it.each([
    ["authorizeXt", () => authorizeXt(request(), { accessKey: "ak", secretKey: "sk", nonce: "1700000000000" })],
    ["authorizeBhex", () => authorizeBhex(request(), { accessKey: "ak", secretKey: "sk" })],
    ["authorizeHubi", () => authorizeHubi(request(), { accessKey: "ak", secretKey: "sk", accessToken: "tk", timestamp: "2026-12-06T00:00:00.000Z", seqNum: 1 })],
  ])("%s signs the same request with its options and request fields on Object.prototype", async (_name, sign) => {
    const clean = sign();
    // (each signer's options: one on Object.prototype is none given)
    const names = ["variant", "allAsPost", "decodeBase64", "valueEncoding", "signatureMethodHeader", "secrets"];
    const got = await polluted(names, async () => sign(), "1");
    expect(JSON.stringify(got)).toBe(JSON.stringify(clean));
  });
});

describe("prototype pollution does not reach the helpers", () => {
  it("BHEX paginate walks every record with its parameters and options on Object.prototype", async () => {
    const mock = await startBhexMock();
    try {
      const client = createBhexOrgClient({ baseUrl: mock.url, accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, rateLimit: false });
      const walk = async () => {
        const ids: unknown[] = [];
        for await (const r of client.paginate("accountBalanceFlow", { user_id: 1, limit: 5 } as never)) ids.push((r as { id: unknown }).id);
        return ids;
      };
      const clean = await walk();
      expect(clean.length).toBeGreaterThan(5);
      // (a to_id there ended the walk at the first page; a pageSize or onPage changed it)
      expect(await polluted(["to_id", "from_id", "pageSize", "onPage", "timeoutMs"], walk, "392345285099050240")).toEqual(clean);
    } finally {
      await mock.close();
    }
  });

  it("saveClientSystemExport keeps an existing file with an overwrite on Object.prototype", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pollution-"));
    try {
      await writeFile(join(dir, "a.txt"), "keep me\n");
      (Object.prototype as Record<string, unknown>).overwrite = true;
      let saved: unknown;
      try {
        saved = await saveClientSystemExport({ fileName: "a.txt", lines: ["new"] }, dir).catch((e: unknown) => e);
      } finally {
        delete (Object.prototype as Record<string, unknown>).overwrite;
      }
      expect(saved).toBeInstanceOf(Error);
      expect(await readFile(join(dir, "a.txt"), "utf8")).toBe("keep me\n");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("parseJson, RateLimiter.acquire and signBhexParams read their options as given", async () => {
    const text = '{"p":12345678901234567890,"q":0.5}';
    const clean = parseJson(text, {});
    expect(await polluted(["decimals"], async () => parseJson(text, {}), "number")).toEqual(clean);
    const limiter = new RateLimiter({ a: { limit: 5, intervalMs: 1000 } });
    await expect(polluted(["signal"], () => limiter.acquire(["a"]))).resolves.toBeUndefined();
    const params = { b: "2", a: "1" };
    const signed = signBhexParams(params, "sk", {});
    expect(await polluted(["variant"], async () => signBhexParams(params, "sk", {}), "python")).toBe(signed);
  });
});

describe("options as class instances or from another realm", () => {
  const answer = () => new Response('{"code":200,"info":"ok","data":{"serverTime":1}}', { headers: { "content-type": "application/json" } });

  it("a class instance's getters and (for options) methods are read: a settings class, a fake clock", async () => {
    class Settings {
      get baseUrl() { return "https://xt.test"; }
      accessKey = "ak";
      secretKey = "sk";
      rateLimit = false;
      fetch() { return Promise.resolve(answer()); }
      /** A method of the settings class that is no option: left out, not refused. */
      validate() { return true; }
    }
    await expect(createXtClient(new Settings() as never).call("getServerTime")).resolves.toEqual({ serverTime: 1 });
    let t = 0;
    class FakeClock {
      now() { return t; }
      sleep(ms: number) { t += ms; return Promise.resolve(); }
    }
    const limiter = new RateLimiter({ r: { limit: 1, intervalMs: 60_000 } }, new FakeClock());
    await limiter.acquire(["r"]);
    await limiter.acquire(["r"]); // waits 60 s on the fake clock, at once
    expect(t).toBe(60_000);
  });

  it("options, parameters and call options made in another realm (vm) work as this realm's", async () => {
    const options = vm.runInNewContext(`({ baseUrl: "https://xt.test", accessKey: "ak", secretKey: "sk", rateLimit: false })`) as object;
    const client = createXtClient(Object.assign(options, { fetch: async () => answer() }));
    await expect(client.call("getServerTime", vm.runInNewContext("({})") as never, vm.runInNewContext("({ timeoutMs: 1000 })") as never)).resolves.toEqual({ serverTime: 1 });
  });
});
