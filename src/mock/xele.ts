/**
 * `tradeapi mock xele`: the Xele counter's two management servers on two loopback ports —
 * MA (auth server: /login, sections 8, 9, 10, 15, 17) and MS (counter server: the rest).
 * Routes and the answers of read-only JSON operations come from the spec; this file adds what
 * the spec cannot say:
 *
 * - Login: username/password → a random `ticket` that expires after `tokenTtlMs` (or at once
 *   with `expireTokens()`), so clients meet 109 and log in again. A wrong password answers
 *   code 114 (the vendor doc documents no login failure; 114 is "permission denied").
 * - Strict requests, as 注意事项 A/B and the error table say: a body (or base64 `params`) that
 *   is not JSON → 104; a field the closed schema does not know → 103; a missing field or a
 *   wrong type → 115; a value outside enum/range → 116 (105 for a wrong protocol version); an
 *   unknown or expired token → 109; an operation of the other server → 101; a method the path
 *   does not take → 108; an operation newer than the emulated counter (x-since) → 101. A
 *   request text longer than 64 KiB → 116, one nested deeper than 64 levels → 104, both unread
 *   (its JSON is read before the token is checked).
 *   Errors are HTTP 200 with the envelope (the vendor doc names no status).
 * - GET requests are read from `?params=<base64 JSON>` or, as the vendor doc also allows, a body.
 * - "|" row answers for the emulated counter version (`counterVersion`: 003, 007, 007P7, …):
 *   OrderQry rows carry the columns that version sends, with a header from 007P7 on
 *   (`orderQryHeader: "auto"`) or always/never; the alarm-record header uses the vendor doc's
 *   spellings Exchangeld/Investorld. Rows go in the envelope's `result` or as the raw text body
 *   (`pipeRowsIn`). `orders` sets how many orders queryOrders answers; large answers are
 *   generated lazily and streamed with backpressure (200 000 rows never sit in memory).
 * - Queries answer what they ask for: the conditions in `data` filter the rows (orders,
 *   positions, rates, alarm records, cash in/out, front controls) and `max_result_count`
 *   keeps the newest N, all driven by the spec through src/mock/query-rows.ts.
 * - State for the write operations: cash in/out records and audits, front control, auth
 *   codes, trading-permission / risk / alarm templates. A passed cash in/out record moves the
 *   investor's funds (getInvestorFunds; xele/funds.ts): a withdrawal beyond `available` is 118,
 *   an amount of more than 4 decimals (N8.4) 116.
 * - Counters for tests: logins, requests and the highest number of concurrent requests per
 *   server, and the decoded requests received (`received`, the last 500, at most 16 MiB of request text).
 *
 * `settings` may be changed while running (e.g. the counter version between two calls).
 */
import { meta } from "../../generated/xele-mgmt.docs.js";
import { operationById, type ApiMeta } from "../handwritten/core/meta.js";
import { serverOf, type XeleServer } from "../handwritten/xele/spec-info.js";
import { startHttpMock, type HttpMock, type MockReply } from "./http-mock.js";
import { xeleAuthenticate } from "./xele/auth.js";
import { xeleHandlers } from "./xele/handlers.js";
import { fail } from "./xele/replies.js";
import { XeleState } from "./xele/state.js";
import { checkMock } from "./options.js";
import { checkOption, ownFields } from "../handwritten/core/validate.js";

export const XELE_MOCK_USERNAME = "admin";
export const XELE_MOCK_PASSWORD = "xele-mock-password";

/** The counter versions the emulator knows (those the vendor document names), oldest first. */
export const XELE_COUNTER_VERSIONS: readonly string[] = ["003", "007", "007P7", "007P8", "007P9"];

/** The emulated counter's settings (`XeleMock.settings`; each may be given as an option). */
export interface XeleMockSettings {
  /** Emulated counter version (XELE_COUNTER_VERSIONS: 003, 007, 007P7, 007P8, 007P9); default 007P9. */
  counterVersion: string;
  /** OrderQry header: "auto" (from the spec's headerSince, 007P7), "always" or "never". */
  orderQryHeader: "auto" | "always" | "never";
  /** "|" rows in the envelope's `result` (default) or as the raw text body. */
  pipeRowsIn: "result" | "body";
  /** Orders queryOrders answers (default 3; max_result_count > 0 caps it). */
  orders: number;
  /** Token lifetime (default 30 minutes). */
  tokenTtlMs: number;
  /** Delay before each answer (default 0), to make concurrency observable. */
  latencyMs: number;
}

/**
 * What `startXeleMock` takes: the two ports, the login to accept (default XELE_MOCK_USERNAME /
 * XELE_MOCK_PASSWORD), `log`, and the counter's settings. An unknown option is a UsageError.
 */
export interface XeleMockOptions extends Partial<XeleMockSettings> {
  /** MA port (0: any free port). */
  maPort?: number | undefined;
  /** MS port (0: any free port). */
  msPort?: number | undefined;
  /** Address both servers listen on (default 127.0.0.1). */
  host?: string | undefined;
  /** The user name MA accepts (default XELE_MOCK_USERNAME). */
  username?: string | undefined;
  /** The password MA accepts (default XELE_MOCK_PASSWORD). */
  password?: string | undefined;
  /** One line per request (method, path, status; never a token). */
  log?: ((line: string) => void) | undefined;
}

export interface ReceivedRequest {
  server: XeleServer;
  operationId: string;
  method: string;
  /** Was the JSON in `?params=` (base64)? */
  viaParams: boolean;
  /** The raw `params` query value, when used. */
  params?: string;
  /** The decoded JSON request (parsed from the kept text on each read: the log holds text, not objects). */
  json: Record<string, unknown>;
}

/** A running Xele emulator: its two servers, its settings, and what it has received. */
export interface XeleMock {
  /** The MA (auth) server's URL, for the client's `maUrl`. */
  maUrl: string;
  /** The MS (counter) server's URL, for the client's `msUrl`. */
  msUrl: string;
  /** The MA server. */
  ma: HttpMock;
  /** The MS server. */
  ms: HttpMock;
  /** The settings in force (the options given, the rest at their defaults); may be changed while running. */
  settings: XeleMockSettings;
  /** Logins, requests and the most requests in flight at once, per server. */
  stats: {
    logins: number;
    requests: Record<XeleServer, number>;
    inFlight: Record<XeleServer, number>;
    maxInFlight: Record<XeleServer, number>;
  };
  /** The decoded requests received, oldest first (the last 500, at most 16 MiB of request text). */
  received: ReceivedRequest[];
  /** Make every issued token invalid (the next request answers 109). */
  expireTokens(): void;
  /** HttpMock.loseAnswers on the server (MA or MS) the operation belongs to. */
  loseAnswers(operationId: string, count?: number): void;
  /** Stop both servers: open connections end, and a request waiting out `latencyMs` is handled and answered no more. */
  close(): Promise<void>;
}

function serverMeta(server: XeleServer): ApiMeta {
  return { ...meta, operations: meta.operations.filter((o) => serverOf(o) === server) };
}

/** An unknown route: 108 for a method the path does not take, 101 for the other server's path. */
const notFound = (server: XeleServer) => (method: string, path: string): MockReply => {
  const here = meta.operations.filter((o) => o.path === path && serverOf(o) === server);
  if (here.length) return fail(108, `${method} ${path}; allowed: ${here.map((o) => o.method).join(", ")}`);
  const there = meta.operations.find((o) => o.path === path);
  return fail(101, there ? `${path} is served by ${serverOf(there)}, this is ${server}` : path);
};

/**
 * Start the Xele counter's two management servers, MA and MS (127.0.0.1, free ports unless
 * given): login and tokens, strict request checks, "|" row answers for the emulated counter
 * version, and state for the write operations. Resolves once both listen; `close()` stops them.
 *
 *   const mock = await startXeleMock();
 *   const xele = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });
 */
export async function startXeleMock(given: XeleMockOptions = {}): Promise<XeleMock> {
  // What the caller gave, never Object.prototype's: a `host` put there would listen on another address.
  const opts = ownFields(given, true);
  const ctx = { api: "xele" };
  checkMock.names("xele", opts, {
    maPort: 1,
    msPort: 1,
    host: 1,
    username: 1,
    password: 1,
    log: 1,
    counterVersion: 1,
    orderQryHeader: 1,
    pipeRowsIn: 1,
    orders: 1,
    tokenTtlMs: 1,
    latencyMs: 1,
  } satisfies Record<keyof XeleMockOptions, 1>);
  checkMock.port("xele", "maPort", opts.maPort);
  checkMock.port("xele", "msPort", opts.msPort);
  checkMock.host("xele", opts.host);
  // Rows are made per answer (none held): more than for other emulators, not unbounded.
  checkOption(ctx, "orders", opts.orders, { min: 0, max: 10_000_000 });
  checkOption(ctx, "latencyMs", opts.latencyMs, "delay");
  checkOption(ctx, "tokenTtlMs", opts.tokenTtlMs, "ms");
  const settings: XeleMockSettings = {
    counterVersion: opts.counterVersion ?? "007P9",
    orderQryHeader: opts.orderQryHeader ?? "auto",
    pipeRowsIn: opts.pipeRowsIn ?? "result",
    orders: opts.orders ?? 3,
    tokenTtlMs: opts.tokenTtlMs ?? 30 * 60_000,
    latencyMs: opts.latencyMs ?? 0,
  };
  const st = new XeleState(settings, opts.username ?? XELE_MOCK_USERNAME, opts.password ?? XELE_MOCK_PASSWORD);
  const handlers = xeleHandlers(st);

  const start = async (server: XeleServer, port: number | undefined): Promise<HttpMock> => {
    const mock = await startHttpMock({
      meta: serverMeta(server),
      port,
      host: opts.host,
      authenticate: xeleAuthenticate(st, server),
      handlers,
      notFound: notFound(server),
      log: opts.log ? (line) => opts.log!(`${server} ${line}`) : undefined,
    });
    const { stats } = st;
    mock.server.on("request", (_req, res) => {
      stats.inFlight[server]++;
      stats.maxInFlight[server] = Math.max(stats.maxInFlight[server], stats.inFlight[server]);
      res.once("close", () => stats.inFlight[server]--);
    });
    return mock;
  };

  const ma = await start("MA", opts.maPort);
  let ms: HttpMock;
  try {
    ms = await start("MS", opts.msPort);
  } catch (e) {
    await ma.close();
    throw e;
  }
  return {
    maUrl: ma.url,
    msUrl: ms.url,
    ma,
    ms,
    settings,
    stats: st.stats,
    received: st.received,
    expireTokens: () => st.tokens.clear(),
    loseAnswers: (operationId, count) => {
      const op = operationById(meta, operationId);
      // An unknown name goes to MS, which refuses it naming the closest.
      (op && serverOf(op) === "MA" ? ma : ms).loseAnswers(operationId, count);
    },
    close: async () => {
      st.close();
      await Promise.all([ma.close(), ms.close()]);
    },
  };
}
