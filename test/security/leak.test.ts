/**
 * Leak test: distinctive secrets, every error path of every REST API (servers that echo the
 * request in vendor error messages, HTML and text pages, 200 answers that are not JSON,
 * redirects to the same and to another origin, timeouts, dropped and refused connections,
 * credentials in the base URL, Xele login failures), searched for in everything a caller or a
 * log sees: message, stack, inspect, JSON.stringify, the cause chain, every field, onEvent and
 * log lines, the client object itself and the CLI's stdout/stderr. 0 hits.
 *
 * "Secret" here is every credential given (access key, secret key, access token, password) and
 * every secret-derived value a request carried (signature, nonce, bearer token, the Xele token
 * and the base64 `params` holding it), recorded by the server as it arrived.
 */
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { MAX_SHOWN_TEXT, RedirectError, TimeoutError, TradeApiError, UsageError } from "../../src/handwritten/core/errors.js";
import type { TransportEvent } from "../../src/handwritten/core/http-transport.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { runCliCaptured } from "../helpers/cli.js";
import { json as jsonResponse, recordingFetch } from "../helpers/recording-fetch.js";
import {
  carriedSecrets,
  closedPort,
  echoText,
  errorSurfaces,
  findLeaks,
  objectSurfaces,
  startProbeServer,
  type Captured,
  type ProbeServer,
  type Reply,
} from "./leak-probe.js";

const S = {
  xt: { accessKey: "xtAK-leakprobe-5d1f0a", secretKey: "xtSK-leakprobe-c93e77b1" },
  bhex: { accessKey: "bhAK-leakprobe-81a2ee", secretKey: "bhSK-leakprobe-0f4d6c2a" },
  hubi: { accessKey: "huAK-leakprobe-7e30bb", secretKey: "huSK-leakprobe-a5c1f9d4", accessToken: "huTK-leakprobe-2b8e61f0" },
  xele: { username: "xeleuser", password: "xePW-leakprobe-d0c4e8a1" },
  xeleToken: "xeTK-leakprobe-94f0c2d7e1",
  urlPassword: "urlPW-leakprobe-6a1e03",
};
const ALL_GIVEN = [
  S.xt.accessKey, S.xt.secretKey, S.bhex.accessKey, S.bhex.secretKey,
  S.hubi.accessKey, S.hubi.secretKey, S.hubi.accessToken, S.xele.password, S.xeleToken, S.urlPassword,
];

type Api = "xt" | "bhex" | "hubi" | "xele";

/** A vendor-shaped error answer whose message is the echo. */
function vendorError(api: Api, echo: string): unknown {
  switch (api) {
    case "xt":
      return { code: 104, info: echo, data: null };
    case "bhex":
      return { status: 1105, msg: echo, data: { echo } };
    case "hubi":
      return { status: -1, message: echo, result: echo };
    case "xele":
      return { code: 1, msg: echo, result: echo };
  }
}

interface Scenario {
  name: string;
  reply: (api: Api, c: Captured, other: ProbeServer) => Reply;
  /** Expect this error class (default: any TradeApiError). */
  expect?: new (...a: never[]) => Error;
  /** Operations without an envelope may take this answer as their data (no error path). */
  mayResolve?: boolean;
}

const json = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value) });

/**
 * A long echo whose error-message cut (MAX_SHOWN_TEXT characters of server text) falls 17
 * characters into a secret the request carried, printed as is: the piece before the cut is
 * longer than findLeaks' 16-character windows, so only the redactor's cut handling keeps it out.
 */
function cutInsideSecret(c: Captured): string {
  const secret = carriedSecrets(c).find((s) => s.length > 17);
  if (!secret) throw new Error(`no secret of 18+ characters in ${c.method} ${c.url}`);
  return `${"x".repeat(MAX_SHOWN_TEXT - 17)}${secret} ${echoText(c)}`;
}

/** `value` at the bottom of `depth` nested objects and arrays. */
function nested(value: unknown, depth: number): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) v = i % 2 ? { d: v, echo: value } : [v];
  return v;
}

const SCENARIOS: Scenario[] = [
  { name: "vendor error 400 echoing the request", reply: (api, c) => json(400, vendorError(api, echoText(c))) },
  { name: "vendor error 200 echoing the request", reply: (api, c) => json(200, vendorError(api, echoText(c))) },
  { name: "vendor error whose long message is cut inside an echoed secret", reply: (api, c) => json(400, vendorError(api, cutInsideSecret(c))) },
  {
    name: "vendor error with the echo nested 1 000 levels deep in its body",
    reply: (api, c) => json(400, { ...(vendorError(api, "see deep") as object), deep: nested(echoText(c), 1_000) }),
  },
  { name: "gateway {code,msg} 200 echoing the request", reply: (_api, c) => json(200, { code: -1, msg: echoText(c) }), mayResolve: true },
  {
    name: "HTML 500 page echoing the URL and headers",
    reply: (_api, c) => ({ status: 500, contentType: "text/html", body: `<html><body><h1>500</h1><pre>${echoText(c)}</pre></body></html>` }),
  },
  { name: "text 502 echoing the request", reply: (_api, c) => ({ status: 502, contentType: "text/plain", body: echoText(c) }) },
  { name: "HTML 200 echoing the request", reply: (_api, c) => ({ status: 200, contentType: "text/html", body: `<html>${echoText(c)}</html>` }) },
  { name: "JSON 200 with no envelope, echoing", reply: (_api, c) => json(200, { echo: echoText(c), [echoText(c).slice(0, 300)]: 1 }), mayResolve: true },
  {
    name: "302 to another origin",
    reply: (_api, c, other) => ({ status: 302, body: echoText(c), headers: { location: `${other.origin}/collect${c.url.slice(c.url.indexOf("?") >= 0 ? c.url.indexOf("?") : c.url.length)}` } }),
    expect: RedirectError,
  },
  {
    name: "307 to the same origin",
    reply: (_api, c) => ({ status: 307, body: echoText(c), headers: { location: `/elsewhere${c.url}` } }),
    expect: RedirectError,
  },
  { name: "no answer (timeout)", reply: () => "hang" },
  { name: "connection dropped", reply: () => "destroy" },
];

interface Probe {
  error: unknown;
  surfaces: Record<string, string>;
  carried: string[];
}

async function probeApi(api: Api, op: string, server: ProbeServer, baseUrl: string, timeoutMs = 5_000): Promise<Probe> {
  const events: TransportEvent[] = [];
  const logs: string[] = [];
  const common = { timeoutMs, retry: false as const, onEvent: (e: TransportEvent) => events.push(e) };
  let run: () => Promise<unknown> = async () => undefined;
  let client: unknown;
  let error: unknown;
  try {
  if (api === "xt") {
    const c = createXtClient({ ...S.xt, baseUrl, ...common, rateLimit: false });
    client = c;
    run = () => (op === "cancel" ? c.call("cancel", { market: "btc_usdt", id: 1 }) : c.call("getBalance"));
  } else if (api === "bhex") {
    const c = createBhexOrgClient({ ...S.bhex, baseUrl, ...common, rateLimit: false });
    client = c;
    run = () => (op === "accountBalance" ? c.call("accountBalance", { user_id: "1" }) : c.call("userGetBaseInfo", { user_id: "1" }));
  } else if (api === "hubi") {
    const c = createHubiClient({ ...S.hubi, baseUrl, ...common });
    client = c;
    run = () => (op === "cancelOrder" ? c.call("cancelOrder", { order_no: "1" }) : c.call("queryAccounts"));
  } else {
    const c = createXeleClient({ ...S.xele, maUrl: baseUrl, msUrl: baseUrl, ...common, log: (l) => logs.push(l) });
    client = c;
    run = async () => {
      if (op === "streamRows") {
        for await (const _row of c.streamRows("queryOrders")) void _row;
        return undefined;
      }
      return op === "getTradeTemplates" ? c.call("getTradeTemplates") : c.call("getSystemInfo");
    };
  }
    await run();
  } catch (e) {
    error = e;
  }
  const surfaces = {
    ...errorSurfaces("error", error),
    ...objectSurfaces("client", client),
    events: JSON.stringify(events, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)),
    logs: logs.join("\n"),
  };
  return { error, surfaces, carried: server.captured.flatMap(carriedSecrets) };
}

function expectNoLeaks(p: Probe, extra: string[] = []): void {
  const hits = findLeaks(p.surfaces, [...ALL_GIVEN, ...p.carried, ...extra]);
  expect(hits, hits.map((h) => `${h.where}: ${h.secret} in …${h.excerpt}…`).join("\n")).toEqual([]);
}

const OPS: Record<Api, string[]> = {
  xt: ["getBalance", "cancel"],
  bhex: ["userGetBaseInfo", "accountBalance"],
  hubi: ["queryAccounts", "cancelOrder"],
  xele: ["getSystemInfo", "getTradeTemplates", "streamRows"],
};

describe.each(Object.keys(OPS) as Api[])("%s: no secret in any error path", (api) => {
  let other: ProbeServer;
  beforeAll(async () => {
    other = await startProbeServer(() => ({ status: 200, body: "{}" }));
  });
  afterAll(() => other.close());

  for (const sc of SCENARIOS) {
    for (const op of OPS[api]) {
      it(`${op}: ${sc.name}`, async () => {
        const server = await startProbeServer((c) =>
          api === "xele" && c.url.startsWith("/login") ? json(200, { code: 0, msg: "", ticket: S.xeleToken }) : sc.reply(api, c, other),
        );
        try {
          // A short timeout only where the server never answers (a loaded machine is slow).
          const p = await probeApi(api, op, server, server.url, /timeout/.test(sc.name) ? 300 : 5_000);
          if (!(sc.mayResolve && p.error === undefined)) expect(p.error).toBeInstanceOf(sc.expect ?? TradeApiError);
          // The path under test was reached (not a timeout standing in for it).
          if (!/timeout/.test(sc.name)) expect(p.error).not.toBeInstanceOf(TimeoutError);
          expect(server.captured.length).toBeGreaterThan(0);
          expectNoLeaks(p);
          // Nothing reached the other origin: no credential was forwarded.
          expect(other.captured).toEqual([]);
        } finally {
          await server.close();
        }
      });
    }
  }

  it("refused connection", async () => {
    const port = await closedPort();
    const server = await startProbeServer(() => json(200, {}));
    try {
      const p = await probeApi(api, OPS[api][0]!, server, `http://127.0.0.1:${port}`);
      expect(p.error).toBeInstanceOf(TradeApiError);
      expectNoLeaks(p);
    } finally {
      await server.close();
    }
  });

  it("a base URL with user:password@ is refused, and its password never printed", async () => {
    const server = await startProbeServer((c) => json(400, vendorError(api, echoText(c))), `leakuser:${S.urlPassword}`);
    try {
      const p = await probeApi(api, OPS[api][0]!, server, server.url);
      expect(p.error).toBeInstanceOf(UsageError);
      expect(server.captured).toEqual([]);
      expectNoLeaks(p);
    } finally {
      await server.close();
    }
  });
});

describe("xele login failures", () => {
  const LOGIN_SCENARIOS: Array<[string, (c: Captured, other: ProbeServer) => Reply]> = [
    ["login refused, echoing the login body", (c) => json(200, { code: 101, msg: echoText(c) })],
    ["login 401 echoing the body", (c) => json(401, { code: 101, msg: echoText(c) })],
    ["login HTML 500 echoing", (c) => ({ status: 500, contentType: "text/html", body: `<pre>${echoText(c)}</pre>` })],
    ["login answer without a ticket, echoing", (c) => json(200, { code: 0, msg: echoText(c) })],
    ["login redirected to another origin", (c, other) => ({ status: 302, body: "", headers: { location: `${other.origin}/login` } })],
    ["login 307 to another origin (would resend the password)", (c, other) => ({ status: 307, body: "", headers: { location: `${other.origin}/login` } })],
  ];
  it.each(LOGIN_SCENARIOS)("%s", async (_name, reply) => {
    const other = await startProbeServer(() => json(200, { code: 0, ticket: "stolen" }));
    const server = await startProbeServer((c) => reply(c, other));
    try {
      const p = await probeApi("xele", "getSystemInfo", server, server.url);
      expect(p.error).toBeInstanceOf(TradeApiError);
      expectNoLeaks(p);
      expect(other.captured).toEqual([]);
    } finally {
      await server.close();
      await other.close();
    }
  });

  it("an expired token answered 109 with an echo, then a re-login", async () => {
    let n = 0;
    const server = await startProbeServer((c) =>
      c.url.startsWith("/login") ? json(200, { code: 0, ticket: `${S.xeleToken}-${++n}` }) : json(200, { code: 109, msg: echoText(c) }),
    );
    try {
      const p = await probeApi("xele", "getSystemInfo", server, server.url);
      expect(p.error).toBeInstanceOf(TradeApiError);
      expectNoLeaks(p, [`${S.xeleToken}-1`, `${S.xeleToken}-2`]);
    } finally {
      await server.close();
    }
  });
});

describe("bhex downloadData: an answer that is not the file", () => {
  it.each([
    ["JSON error at 200, echoing", (c: Captured): Reply => json(200, { code: 1105, msg: echoText(c) })],
    ["text at 200, echoing", (c: Captured): Reply => ({ status: 200, contentType: "text/plain", body: echoText(c) })],
    ["bytes at 200 that are not a ZIP, echoing", (c: Captured): Reply => ({ status: 200, contentType: "application/octet-stream", body: echoText(c) })],
    ["404 echoing", (c: Captured): Reply => ({ status: 404, contentType: "text/plain", body: echoText(c) })],
  ])("%s", async (_name, reply) => {
    const server = await startProbeServer(reply);
    try {
      const bhex = createBhexOrgClient({ ...S.bhex, baseUrl: server.url, rateLimit: false, retry: false });
      const error = await bhex.downloadData({ type: "balance", date: "2026-11-20" }, "/nonexistent-dir-never-written/x.xlsx").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TradeApiError);
      const hits = findLeaks(errorSurfaces("error", error), [...ALL_GIVEN, ...server.captured.flatMap(carriedSecrets)]);
      expect(hits, hits.map((h) => `${h.where}: ${h.secret} in …${h.excerpt}…`).join("\n")).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe("bhex downloadData: an answer that is not the file, while other calls are signed", () => {
  it.each([
    ["bytes that are not the file", "application/octet-stream", (sig: string) => `${sig} is what you signed; not the file`],
    ["JSON without a code", "application/json", (sig: string) => JSON.stringify({ note: `${sig} is what you signed` })],
  ])("%s: the error loses the download's own signed values however many calls were signed meanwhile", async (_what, contentType, body) => {
    // The download's answer is held until 20 other signed calls have gone out (the client keeps
    // the signed values of the last 16 for errors that name no request of their own).
    let release: (() => void) | undefined;
    const held = new Promise<void>((r) => (release = r));
    const server = await startProbeServer(() => json(200, { code: 0, msg: "ok" }));
    const http = await import("node:http");
    const front = http.createServer((req, res) => {
      const target = `${server.url}${req.url}`;
      const chunks: Buffer[] = [];
      req.on("data", (d: Buffer) => chunks.push(d));
      req.on("end", async () => {
        if (req.url!.includes("download_data")) {
          await held;
          res.writeHead(200, { "content-type": contentType });
          res.end(body(new URL(req.url!, "http://x").searchParams.get("signature")!));
          return;
        }
        const answer = await fetch(target, { method: req.method, headers: { "content-type": String(req.headers["content-type"] ?? "") }, body: req.method === "GET" ? undefined : Buffer.concat(chunks) });
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(await answer.text());
      });
    });
    await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
    try {
      const base = `http://127.0.0.1:${(front.address() as { port: number }).port}`;
      const sent: string[] = [];
      const bhex = createBhexOrgClient({ ...S.bhex, baseUrl: base, rateLimit: false, retry: false, fetch: (u, i) => (sent.push(String(u)), fetch(u, i)) });
      const download = bhex.downloadData({ type: "balance", date: "2026-11-20" }, "/nonexistent-dir-never-written/x.xlsx").catch((e: unknown) => e);
      await expect.poll(() => sent.length).toBe(1);
      await Promise.all(Array.from({ length: 20 }, (_, i) => bhex.call("basicTime", {}).catch(() => i)));
      release!();
      const error = await download;
      expect(error).toBeInstanceOf(TradeApiError);
      const signature = new URL(sent[0]!).searchParams.get("signature")!;
      expect(signature).toMatch(/^[0-9a-f]{64}$/);
      const hits = findLeaks(errorSurfaces("error", error), [...ALL_GIVEN, signature]);
      expect(hits, hits.map((h) => `${h.where}: ${h.secret} in …${h.excerpt}…`).join("\n")).toEqual([]);
    } finally {
      front.closeAllConnections();
      front.close();
      await server.close();
    }
  });
});

describe("clients, sessions and transports keep their secrets out of sight", () => {
  it.each([
    ["xt", () => createXtClient({ ...S.xt })],
    ["bhex", () => createBhexOrgClient({ ...S.bhex })],
    ["hubi", () => createHubiClient({ ...S.hubi })],
    ["xele", () => createXeleClient({ ...S.xele })],
  ] as const)("%s", async (api, make) => {
    const client = make();
    const surfaces = { ...objectSurfaces(api, client) };
    const t = (client as { transport?: unknown }).transport;
    if (t) Object.assign(surfaces, objectSurfaces(`${api}.transport`, t));
    const session = (client as { session?: unknown }).session;
    if (session) Object.assign(surfaces, objectSurfaces(`${api}.session`, session));
    expect(findLeaks(surfaces, ALL_GIVEN)).toEqual([]);
    // ...and still says what it is.
    expect(inspect(client)).toContain(api);
  });

  it("the xele session after login holds its token out of sight", async () => {
    const server = await startProbeServer((c) => (c.url.startsWith("/login") ? json(200, { code: 0, ticket: S.xeleToken }) : json(200, { code: 0, result: [] })));
    try {
      const client = createXeleClient({ ...S.xele, maUrl: server.url, msUrl: server.url });
      await client.login();
      expect(client.session.hasToken).toBe(true);
      const surfaces = { ...objectSurfaces("client", client), ...objectSurfaces("session", client.session) };
      expect(findLeaks(surfaces, ALL_GIVEN)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe("a secret parameter of the wrong kind is refused without its value", () => {
  // A numeric PIN passed as a number, a password wrapped in an object: the UsageError says what
  // is wrong and names the parameter, never what it holds (nothing is sent, so no redactor ran).
  const PIN = 918273;
  const PW = "MyTradePw-2026";
  const noFetch = (async () => {
    throw new Error("nothing is to be sent");
  }) as typeof fetch;
  it.each([
    ["xt withdraw", () => createXtClient({ ...S.xt, fetch: noFetch }).call("withdraw", { coin: "btc", address: "a", amount: 1, safePwd: PIN as never }), /parameter "safePwd" must be string, got integer \(not shown: the field is a secret\)/],
    ["xt transfer", () => createXtClient({ ...S.xt, fetch: noFetch }).call("transfer", { from: 1, to: 2, amount: 1, coin: "btc", safePwd: [PW] as never }), /parameter "safePwd" must be string, got array \(not shown/],
    ["bhex assetWithdraw", () => createBhexOrgClient({ ...S.bhex, fetch: noFetch }).call("assetWithdraw", { user_id: 1, token_id: "BTC", address: "x", quantity: "1", miner_fee: "0", convert_rate: "1", trade_password: PIN as never }), /parameter "trade_password" must be string, got integer \(not shown/],
    ["bhex userRegister", () => createBhexOrgClient({ ...S.bhex, fetch: noFetch }).call("userRegister", { email: "a@b.c", password: { value: PW } as never }), /parameter "password" must be string, got object \(not shown/],
  ])("%s", async (_name, run, message) => {
    const error = await run().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    const hits = findLeaks(errorSurfaces("error", error), [String(PIN), PW]);
    expect(hits, hits.map((h) => `${h.where}: ${h.secret}`).join("\n")).toEqual([]);
  });
});

describe("the client's own secret (or a secret-named parameter's value) given as an ordinary parameter", () => {
  // A caller who passes the secret key where a price or an order type goes (a mixed-up
  // variable): the argument check's UsageError names the parameter, never the value it holds.
  const noFetch = (async () => {
    throw new Error("nothing is to be sent");
  }) as typeof fetch;
  const xt = () => createXtClient({ ...S.xt, fetch: noFetch });
  const order = { market: "btc_usdt", price: S.xt.secretKey, number: 1, type: 1, entrustType: 0 } as never;
  it.each([
    ["xt order, call()", () => xt().call("order", order), S.xt.secretKey],
    ["xt order, POST()", async () => (await xt().POST("/trade/api/v1/order", { body: order })).error, S.xt.secretKey],
    ["xt order, the access key as price", () => xt().call("order", { ...(order as object), price: S.xt.accessKey } as never), S.xt.accessKey],
    ["xt batchCancel, the secret key as an order id", () => xt().batchCancel("btc_usdt", [S.xt.secretKey as never]), S.xt.secretKey],
    ["xt getBatchOrders, the access key as an order id", () => xt().getBatchOrders("btc_usdt", [1, S.xt.accessKey as never]), S.xt.accessKey],
    [
      "xt batchCancel, the proxy's password as an order id",
      () => createXtClient({ ...S.xt, proxy: "http://u:ProxyPw-DDDD4444@127.0.0.1:1" }).batchCancel("btc_usdt", ["ProxyPw-DDDD4444" as never]),
      "ProxyPw-DDDD4444",
    ],
    [
      "bhex orderCreate",
      () => createBhexOrgClient({ ...S.bhex, fetch: noFetch }).call("orderCreate", { user_id: 1, exchange_id: 1, symbol_id: "BTCUSDT", client_order_id: "c1", type: S.bhex.secretKey, side: "buy", quantity: "1" } as never),
      S.bhex.secretKey,
    ],
    [
      "bhex userSetTradePwd, the trade password given in another parameter too",
      () => createBhexOrgClient({ ...S.bhex, fetch: noFetch }).call("userSetTradePwd", { user_id: 1, trade_pwd: "TradePwd-FFFF6666", set_type: "TradePwd-FFFF6666" } as never),
      "TradePwd-FFFF6666",
    ],
    ["hubi enterOrder", () => createHubiClient({ ...S.hubi, fetch: noFetch }).call("enterOrder", { coin_code: "BTC", symbol: "BTCUSDT", open_position: true, quantity: 1, trade_direction: "BUY", order_type: "LIMIT", price: S.hubi.accessToken } as never), S.hubi.accessToken],
  ] as Array<[string, () => Promise<unknown>, string]>)("%s", async (_name, run, secret) => {
    const error = await Promise.resolve().then(run).then((r) => r, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain("[redacted]");
    const hits = findLeaks(errorSurfaces("error", error), [secret]);
    expect(hits, hits.map((h) => `${h.where}: ${h.secret}`).join("\n")).toEqual([]);
  });
});

describe("many calls in flight on one client", () => {
  // The transport keeps the last 16 signed requests for its redactor; each error must lose its
  // own request's signature however many others were signed after it (a BHEX signature has no
  // nonce: one shown could be replayed).
  it.each([
    ["xt", (fetch: typeof globalThis.fetch) => createXtClient({ ...S.xt, fetch, baseUrl: "https://xt.test", retry: false, rateLimit: false }), (i: number) => ["getOrder", { market: "btc_usdt", id: 1000 + i }]],
    ["bhex", (fetch: typeof globalThis.fetch) => createBhexOrgClient({ ...S.bhex, fetch, baseUrl: "https://bhex.test", retry: false }), (i: number) => ["userQueryUserList", { limit: 1 + i }]],
  ] as const)("%s: 40 calls answered together, each echoing its signature", async (api, make, args) => {
    const N = 40;
    const release: Array<() => void> = [];
    const { fetch, calls } = recordingFetch((req) => {
      const sig = /signature=([0-9a-f]{64})/.exec(`${req.url} ${req.body}`)?.[1];
      const answer = jsonResponse(api === "xt" ? { code: 308, info: `bad sig ${sig}` } : { status: 1, msg: `bad sig ${sig}` });
      return new Promise<Response>((resolve) => {
        release.push(() => resolve(answer));
        if (release.length === N) for (const r of release) r();
      });
    });
    const client = make(fetch) as unknown as { call(op: string, p: unknown): Promise<unknown> };
    const results = await Promise.allSettled(Array.from({ length: N }, (_, i) => client.call(...(args(i) as [string, unknown]))));
    const sigs = calls.map((c) => /signature=([0-9a-f]{64})/.exec(`${c.url} ${c.body}`)![1]!);
    expect(new Set(sigs).size).toBe(N);
    expect(results.every((r) => r.status === "rejected" && r.reason instanceof TradeApiError)).toBe(true);
    const surfaces = Object.assign({}, ...results.map((r, i) => errorSurfaces(`call ${i}`, (r as PromiseRejectedResult).reason)));
    expect(findLeaks(surfaces, sigs)).toEqual([]);
    // ...and the echo is still there, redacted.
    expect(((results[0] as PromiseRejectedResult).reason as Error).message).toMatch(/bad sig \[redacted\]/);
  });
});

describe("CLI: stdout and stderr carry no secret", () => {
  const ENV: Record<Api, (url: string) => NodeJS.ProcessEnv> = {
    xt: (url) => ({ XT_BASE_URL: url, XT_ACCESS_KEY: S.xt.accessKey, XT_SECRET_KEY: S.xt.secretKey }),
    bhex: (url) => ({ BHEX_BASE_URL: url, BHEX_ACCESS_KEY: S.bhex.accessKey, BHEX_SECRET_KEY: S.bhex.secretKey }),
    hubi: (url) => ({ HUBI_BASE_URL: url, HUBI_ACCESS_KEY: S.hubi.accessKey, HUBI_SECRET_KEY: S.hubi.secretKey, HUBI_ACCESS_TOKEN: S.hubi.accessToken }),
    xele: (url) => ({ XELE_MA_URL: url, XELE_MS_URL: url, XELE_USERNAME: S.xele.username, XELE_PASSWORD: S.xele.password }),
  };
  const ARGS: Record<Api, string[]> = {
    xt: ["call", "xt", "cancel", "market=btc_usdt", "id=1"],
    bhex: ["call", "bhex", "accountBalance", "user_id=1"],
    hubi: ["call", "hubi", "queryAccounts"],
    xele: ["call", "xele", "getSystemInfo"],
  };
  const CLI_SCENARIOS = SCENARIOS.filter((s) => !/timeout/.test(s.name));
  for (const api of Object.keys(ARGS) as Api[]) {
    for (const sc of CLI_SCENARIOS) {
      it(`${api}: ${sc.name}`, async () => {
        const other = await startProbeServer(() => json(200, {}));
        const server = await startProbeServer((c) =>
          api === "xele" && c.url.startsWith("/login") ? json(200, { code: 0, ticket: S.xeleToken }) : sc.reply(api, c, other),
        );
        try {
          const run = await runCliCaptured(ARGS[api], ENV[api](server.url));
          // A success answer is data, printed exactly as the server sent it (an echo of the
          // request included: the server already holds it); only error paths are checked then.
          const resolved = sc.mayResolve && run.code === 0;
          if (!resolved) expect(run.code).toBe(1);
          const seen: Record<string, string> = resolved ? { stderr: run.stderr } : { stdout: run.stdout, stderr: run.stderr };
          const hits = findLeaks(seen, [...ALL_GIVEN, ...server.captured.flatMap(carriedSecrets)]);
          expect(hits, `${run.stderr}\n${hits.map((h) => `${h.where}: ${h.secret} …${h.excerpt}…`).join("\n")}`).toEqual([]);
          expect(other.captured).toEqual([]);
        } finally {
          await server.close();
          await other.close();
        }
      });
    }
  }
});
