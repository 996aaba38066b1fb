/**
 * `tradeapi mock xt`: a local XT spot v1 server. Routes and example answers come from the
 * spec; this file adds the signature check (307 bad access key / 308 bad signature, as the
 * real service answers; every canonical-string variant the vendor's SDKs send is accepted and
 * named in the log, see matchXtSignature; a nonce more than `maxClockSkewMs`, 30 s, from the
 * emulator's clock is a 400; parameters the spec refuses are a 400 naming them, see
 * xt/params.ts), list answers that follow the request (the
 * parameters naming record fields filter, `x-pagination` pages: open orders, deposit and
 * withdrawal records, withdrawal addresses, klines by `since`; a withdraw adds a withdrawal
 * record) and enough order state for order → getOrder → cancel, batch orders
 * and batch cancel. Orders are checked as the server does (102 "参数错误", 101 for an
 * entrustType other than 0 or 1): a market
 * `base_quote`, price and amount finite decimals above 0 (at most 40 characters), a type 0
 * or 1; a batch with one item that fails places nothing.
 *
 * Balances (getBalance, getFunds account 2) start as the vendor's example answer, or as the
 * `balances` option gives them. A BUY freezes price × number of the quote coin, a SELL the
 * number of the base coin, exactly (decimal arithmetic, no doubles); more than is available
 * is 103 (委托失败，没有足够的资金), for a batch as a whole. A cancel gives the freeze back.
 * The emulator has no matching engine: no order fills. A withdrawal is paid from the
 * available amount; beyond it is 404 (the error table's "other", the message in `info`).
 * batchCancel and getBatchOrders answer only the orders of their `market` (an order of another
 * market is code 121 in batchCancel's items, left out of getBatchOrders), as cancel and
 * getOrder do. The vendor's rate limits are enforced only when started with `rateLimits`
 * (see the option; the account lock is `rateLimitLockMs`, 1 s by default, not 10 minutes).
 */
import { meta } from "../../generated/xt-spot.docs.js";
import { startHttpMock, type HttpMock, type MockReply, type MockRequest } from "./http-mock.js";
import { mockRateLimiter, type OverLimit } from "./rate-limits.js";
import { envelope } from "./xt/replies.js";
import { balancesOption, checkMock, MAX_MOCK_RECORDS, SIGNED_MOCK_OPTIONS, type SignedMockOptions } from "./options.js";
import { xtAuthenticator } from "./xt/auth.js";
import { xtHandlers } from "./xt/handlers.js";
import { xtParamRefusal } from "./xt/params.js";
import { XtState } from "./xt/state.js";
import { shownValue, UsageError } from "../handwritten/core/errors.js";
import { checkOption, ownFields } from "../handwritten/core/validate.js";

export { matchXtSignature } from "./xt/auth.js";

export const XT_MOCK_ACCESS_KEY = "mock-access-key";
export const XT_MOCK_SECRET_KEY = "mock-secret-key";

/**
 * What `startXtMock` takes: where to listen (`port`, `host`), the key pair to accept (default
 * XT_MOCK_ACCESS_KEY / XT_MOCK_SECRET_KEY), `log`, and the emulated account. An unknown option
 * is a UsageError.
 */
export interface XtMockOptions extends SignedMockOptions {
  /** Deposit records the emulator holds for the example's coin (default 23: three pages of 10). */
  depositRecords?: number | undefined;
  /** Largest accepted distance between a request's `nonce` and the emulator's clock (default 30 000 ms); further is a 400. */
  maxClockSkewMs?: number | undefined;
  /** The emulator's clock (ms): nonce freshness, getServerTime, order and withdrawal times. */
  now?: (() => number) | undefined;
  /**
   * The trading account's coins and their available amounts to start with (plain digits as text
   * or a number, 0 or more, no exponent; coin names as getBalance shows them), nothing
   * frozen: `{ usdt: "100000", btc: "10" }`. Default: the vendor's example answer of getBalance
   * (3867.43650012 usdt available, no btc, eth or ltc).
   */
  balances?: Readonly<Record<string, string | number>> | undefined;
  /**
   * Enforce the vendor's rate limits (default false: tests send far more): asset queries
   * (getBalance, getFunds) 3 a second, every other signed method 10 a second (获取资产每秒3次，
   * 其他方法单个用户每秒10次). A request beyond them locks the account (超出锁定账户10分钟) for
   * `rateLimitLockMs`: every signed request is then refused, an order or batch order with 106
   * (委托频繁), a cancel or batch cancel with 124 (撤单频繁), anything else with 404 (the
   * error table has no code for it; the reason in `info`). The per-IP limit (1000 a minute) is
   * not enforced.
   */
  rateLimits?: boolean | undefined;
  /** How long the account stays locked once a limit is exceeded, with `rateLimits` (default 1000 ms; the vendor's is 10 minutes). */
  rateLimitLockMs?: number | undefined;
}

/** The account lock, in ms, once a rate limit is exceeded (the vendor's 10 minutes would stop a test run). */
export const XT_MOCK_RATE_LIMIT_LOCK_MS = 1_000;

/** The answer to a request while the account is locked: 106 for orders, 124 for cancels, 404 for the rest. */
function rateRefusal(operationId: string, over: OverLimit): MockReply {
  const why = `(limit ${over.limit} exceeded: the account is locked for ${Math.ceil(over.waitMs)} ms more)`;
  if (operationId === "order" || operationId === "batchOrder") return envelope(106, `委托失败，委托频繁 ${why}`);
  if (operationId === "cancel" || operationId === "batchCancel") return envelope(124, `撤单失败，操过频繁 ${why}`);
  return envelope(404, `too many requests ${why}`);
}

/**
 * Start a local XT spot v1 server (127.0.0.1, a free port unless `port` is given): signature
 * checks, orders, balances and the vendor's example answers. Resolves once it listens;
 * `close()` stops it, `loseAnswers(operationId)` drops the next answers of an operation.
 *
 *   const mock = await startXtMock();
 *   const xt = createXtClient({ baseUrl: mock.url, accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY });
 */
export async function startXtMock(given: XtMockOptions = {}): Promise<HttpMock> {
  // What the caller gave, never Object.prototype's: a `host` put there would listen on another address.
  const opts = ownFields(given, true);
  checkMock.server("xt", opts, { ...SIGNED_MOCK_OPTIONS, depositRecords: 1, maxClockSkewMs: 1, now: 1, balances: 1, rateLimits: 1, rateLimitLockMs: 1 } satisfies Record<keyof XtMockOptions, 1>);
  checkOption({ api: "xt" }, "depositRecords", opts.depositRecords, { min: 0, max: MAX_MOCK_RECORDS });
  checkOption({ api: "xt" }, "maxClockSkewMs", opts.maxClockSkewMs, "ms");
  checkOption({ api: "xt" }, "now", opts.now, "function");
  checkOption({ api: "xt" }, "rateLimits", opts.rateLimits, "boolean");
  checkOption({ api: "xt" }, "rateLimitLockMs", opts.rateLimitLockMs, "ms");
  if (opts.rateLimitLockMs !== undefined && opts.rateLimits !== true) throw new UsageError("rateLimitLockMs is the lock of rateLimits: give rateLimits: true too", { api: "xt" });
  const balances = balancesOption("xt", opts.balances, (coin: string) => coin.toLowerCase());
  const now = opts.now ?? Date.now;
  const signatureCheck = xtAuthenticator({
    accessKey: opts.accessKey ?? XT_MOCK_ACCESS_KEY,
    secretKey: opts.secretKey ?? XT_MOCK_SECRET_KEY,
    maxClockSkewMs: opts.maxClockSkewMs ?? 30_000,
    now,
  });
  // (signed requests only: an unsigned or wrongly signed one is no user's)
  const limiter = opts.rateLimits ? mockRateLimiter({ meta, now, lockMs: opts.rateLimitLockMs ?? XT_MOCK_RATE_LIMIT_LOCK_MS }) : undefined;
  const rateCheck = (req: MockRequest): MockReply | undefined => {
    const over = req.op.security.length > 0 ? limiter?.(req.op) : undefined;
    return over && rateRefusal(req.op.operationId, over);
  };
  return startHttpMock({
    meta,
    port: opts.port,
    host: opts.host,
    authenticate: (req) => signatureCheck(req) ?? rateCheck(req) ?? xtParamRefusal(req),
    handlers: xtHandlers(new XtState(opts.depositRecords ?? 23, now, balances)),
    errorBody: (status, message) => ({ code: status, info: message }),
    log: opts.log,
  });
}
