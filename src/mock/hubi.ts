/**
 * `tradeapi mock hubi`: a local Hubi futures server. Routes and example answers come from
 * the spec; this file adds what the spec cannot say: the header/signature check and the
 * order, position and account state.
 *
 * Authentication (every operation), in this order; a failure answers
 * `{"status": -1, "message": "ILLEGAL_*"}` with HTTP 401 (the spec's assumed 4XX):
 *   X-API-Version ≠ 1.0.0                                   → ILLEGAL_VERSION
 *   X-API-Key ≠ the access key                              → ILLEGAL_ACCESS_KEY
 *   Authorization ≠ "Bearer <access token>"                 → ILLEGAL_ACCESS_KEY (the vendor
 *                                                             table has no token message)
 *   X-API-Signature-Method present and ≠ HmacSHA256         → ILLEGAL_SIGN_TYPE
 *   body charset other than UTF-8                           → ILLEGAL_CHARSET
 *   X-API-Timestamp not ISO 8601 or further than
 *   maxClockSkewMs from the emulator's clock                → ILLEGAL_TIMESTAMP
 *   X-API-Nonce not 32 lowercase hex, or seen before        → ILLEGAL_NONCE (the server cannot
 *                                                             recompute it: seqNum is not sent)
 *   X-API-Signature-Params not naming exactly the sent
 *   params, or X-API-Signature wrong                        → ILLEGAL_SIGN
 * The signature is recomputed over the params in the X-API-Signature-Params order with raw
 * values (the project's choice, the Java SDK) or as the vendor Python SDK encodes them
 * (`urlencode(params, safe=',')`): both pass, hex in either case, and the log names the one
 * matched. The Java SDK's malformed timestamp (`20:53:034+0000`, see JAVA_SDK_TIMESTAMP) is
 * accepted and named in the log.
 *
 * Trading rules (a deliberately small exchange):
 *   - every symbol has a mark price (default 10000); `setMarkPrice` moves it: positions it
 *     crosses the liquidation price of are liquidated, resting orders it makes marketable fill
 *     at their own limit (a resting order is the maker; a partly filled rest that was
 *     marketable already fills at the new mark), and positions those fills leave past their
 *     liquidation price are liquidated;
 *   - the book is as deep as an order asks, unless `bookDepth` bounds what one order takes at
 *     each match (on arrival, then at each `setMarkPrice`): a LIMIT order's rest then stays
 *     PARTIALLY_FILLED with its margin frozen, a MARKET order's rest is cancelled;
 *   - MARKET orders fill at once at the mark price; a LIMIT order fills at once at the mark
 *     price when marketable (BUY price ≥ mark, SELL price ≤ mark) and rests as NEW otherwise;
 *     a LIMIT price (entered or amended) further from the mark than `maxPriceDeviation` × mark
 *     (default 0.5: outside half to one and a half times the mark) is 25051 (the vendor's
 *     document names the code, not the bound; a conditional order's price is not checked);
 *     an order with `trigger_price` is a conditional order that waits (WAITING) and never
 *     triggers here;
 *   - numbers are decimals (sign, digits, fraction, exponent; at most 40 characters), else
 *     25010: not `0x10`, `0b11` or `Infinity`; a symbol is 1-32 letters, digits, `.`, `_`, `-`;
 *   - a stop loss or trailing stop ≤ 0 is 25032, a stop win ≤ 0 25033, a trigger price ≤ 0
 *     25027 (an amend may send a stop as 0 to remove it); a quantity that is no whole
 *     number is 25009, one below 1 is 25011;
 *   - amend_order that changes nothing is 25014 when it gives a price or quantity (both as
 *     they were), else 25030;
 *   - linear contracts (1 contract = 1 unit): margin = quantity × price / leverage, at the
 *     price the order fills at (the mark for MARKET and a marketable LIMIT) (leverage
 *     per symbol, default 10, set by risk_setting); opening needs that much available cash
 *     (25021), a resting opening order freezes it;
 *   - risk_setting re-prices the margin of the symbol's positions and resting opening orders
 *     at the new leverage, and is refused with 25036 (nothing changed) when the cash cannot
 *     cover it or the mark would be past a position's liquidation price;
 *   - position mode (change_position_leverage): two-sided, open BUY adds to the Long position
 *     and open SELL to the Short one; one-way (two_side_position=false, the default), an
 *     opening order on the other side of the held position closes it first and opens the
 *     rest (margin is frozen for that rest only). A closing order (open_position=false)
 *     reduces the opposite position (SELL → Long, BUY → Short) and needs enough closable
 *     quantity (25025); close_position closes all at the mark price;
 *   - a fill never makes margin the cash does not cover: the part that opens opens as much as
 *     the available cash carries, a closing part closes what the position still holds, and
 *     the rest is cancelled (CANCELED with cumQty < qty; only when the position changed
 *     while the order rested);
 *   - margin is isolated per position (switch_to_cross changes only `individualPosition`):
 *     liquidationPrice = entry × (1 ∓ 1/leverage), where the margin is gone; a mark at or past
 *     it closes the position by a market order of source SysRisk (爆仓单, as the vendor's
 *     document names it) filled at that price, so the loss is the position's margin and the
 *     cash never goes below 0;
 *   - realised P&L goes to the account's cash; no fees;
 *   - cancel_order_batch is all-or-nothing, as the vendor's document answers a batch as one
 *     (no result per order): 25005 if any order is unknown, else 25006 if any has finished,
 *     none cancelled; the message names those orders ("25006 订单已完成: order_nos a,b", at
 *     most ten, then how many more).
 * Trade failures answer `{"status": -1, "message": "<code> <text>"}` with HTTP 200, except
 * amend_order which fails with HTTP 500 as the vendor doc shows; a missing parameter is
 * ILLEGAL_ARGUMENT (HTTP 400).
 */
import { meta } from "../../generated/hubi-futures.docs.js";
import { startHttpMock, type HttpMock } from "./http-mock.js";
import { hubiAuthenticator } from "./hubi/auth.js";
import { HubiExchange } from "./hubi/engine.js";
import { hubiHandlers } from "./hubi/handlers.js";
import { checkMock, SIGNED_MOCK_OPTIONS, type SignedMockOptions } from "./options.js";
import { shownValue, UsageError } from "../handwritten/core/errors.js";
import { checkOption, ownFields } from "../handwritten/core/validate.js";

export { parseHubiTimestamp } from "./hubi/auth.js";

export const HUBI_MOCK_ACCESS_KEY = "mock-hubi-access-key";
export const HUBI_MOCK_SECRET_KEY = "mock-hubi-secret-key";
export const HUBI_MOCK_ACCESS_TOKEN = "mock-hubi-access-token";

/**
 * What `startHubiMock` takes: where to listen (`port`, `host`), the credentials to accept
 * (default HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_SECRET_KEY, HUBI_MOCK_ACCESS_TOKEN), `log`, and
 * the emulated exchange. An unknown option is a UsageError.
 */
export interface HubiMockOptions extends SignedMockOptions {
  /** The access token to accept as `Authorization: Bearer …` (default HUBI_MOCK_ACCESS_TOKEN). */
  accessToken?: string | undefined;
  /** Largest accepted distance between X-API-Timestamp and the emulator clock (default 30 000 ms). */
  maxClockSkewMs?: number | undefined;
  /** The emulator's clock (ms). */
  now?: (() => number) | undefined;
  /** Mark price of every symbol at start (default 10000). */
  markPrice?: number | undefined;
  /** Starting cash per settlement currency (default { USDT: 100000 }). */
  cash?: Readonly<Record<string, number>> | undefined;
  /**
   * Largest distance of a LIMIT order's price from the mark, as a fraction of the mark
   * (default 0.5: between half and one and a half times the mark); further is 25051.
   */
  maxPriceDeviation?: number | undefined;
  /**
   * Contracts the book offers an order each time it matches (on arrival, then at each
   * `setMarkPrice`); the rest of a LIMIT order stays PARTIALLY_FILLED, a MARKET order's rest is
   * cancelled. Default: no bound (every order fills whole).
   */
  bookDepth?: number | undefined;
}

/** A running Hubi emulator: an HttpMock that also moves mark prices. */
export interface HubiMock extends HttpMock {
  /** Move a symbol's mark price; resting orders that become marketable fill (at most bookDepth each), positions past their liquidation price are liquidated. */
  setMarkPrice(symbol: string, price: number): void;
}

/**
 * Start a local Hubi futures server (127.0.0.1, a free port unless `port` is given): header
 * and signature checks, orders, positions, margin and liquidation at a mark price. Resolves
 * once it listens; `close()` stops it.
 *
 *   const mock = await startHubiMock();
 *   const hubi = createHubiClient({ baseUrl: mock.url, accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN });
 */
export async function startHubiMock(given: HubiMockOptions = {}): Promise<HubiMock> {
  // What the caller gave, never Object.prototype's: a `host` put there would listen on another address.
  const opts = ownFields(given, true);
  checkMock.server("hubi", opts, { ...SIGNED_MOCK_OPTIONS, accessToken: 1, maxClockSkewMs: 1, now: 1, markPrice: 1, cash: 1, maxPriceDeviation: 1, bookDepth: 1 } satisfies Record<keyof HubiMockOptions, 1>);
  checkOption({ api: "hubi" }, "maxClockSkewMs", opts.maxClockSkewMs, "ms");
  checkOption({ api: "hubi" }, "now", opts.now, "function");
  if (opts.markPrice !== undefined && !(typeof opts.markPrice === "number" && Number.isFinite(opts.markPrice) && opts.markPrice > 0)) {
    throw new UsageError(`markPrice must be a finite number above 0, got ${shownValue(opts.markPrice)}`, { api: "hubi" });
  }
  if (opts.maxPriceDeviation !== undefined && !(typeof opts.maxPriceDeviation === "number" && Number.isFinite(opts.maxPriceDeviation) && opts.maxPriceDeviation >= 0)) {
    throw new UsageError(`maxPriceDeviation must be a finite number of at least 0, got ${shownValue(opts.maxPriceDeviation)}`, { api: "hubi" });
  }
  if (opts.bookDepth !== undefined && !(Number.isSafeInteger(opts.bookDepth) && opts.bookDepth >= 1)) {
    throw new UsageError(`bookDepth must be a whole number of contracts from 1, got ${shownValue(opts.bookDepth)}`, { api: "hubi" });
  }
  const now = opts.now ?? Date.now;
  const exchange = new HubiExchange({ now, markPrice: opts.markPrice ?? 10_000, cash: opts.cash ?? { USDT: 100_000 }, maxPriceDeviation: opts.maxPriceDeviation, bookDepth: opts.bookDepth });
  const mock = await startHttpMock({
    meta,
    port: opts.port,
    host: opts.host,
    authenticate: hubiAuthenticator({
      accessKey: opts.accessKey ?? HUBI_MOCK_ACCESS_KEY,
      secretKey: opts.secretKey ?? HUBI_MOCK_SECRET_KEY,
      accessToken: opts.accessToken ?? HUBI_MOCK_ACCESS_TOKEN,
      maxClockSkewMs: opts.maxClockSkewMs ?? 30_000,
      now,
    }),
    handlers: hubiHandlers(exchange),
    errorBody: (_status, message) => ({ status: -1, message }),
    log: opts.log,
  });
  return Object.assign(mock, {
    setMarkPrice: (symbol: string, price: number) => exchange.setMarkPrice(symbol, price),
  });
}
