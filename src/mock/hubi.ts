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
 *   - every symbol has a mark price (default 10000; `setMarkPrice` moves it and re-matches);
 *   - MARKET orders fill at once at the mark price; a LIMIT order fills at once at the mark
 *     price when marketable (BUY price ≥ mark, SELL price ≤ mark) and rests as NEW otherwise;
 *     an order with `trigger_price` is a conditional order that waits (WAITING) and never
 *     triggers here;
 *   - linear contracts (1 contract = 1 unit): margin = quantity × price / leverage (leverage
 *     per symbol, default 10, set by risk_setting); opening needs that much available cash
 *     (25021), a resting opening order freezes it;
 *   - open BUY adds to the Long position, open SELL to the Short one; a closing order
 *     (open_position=false) reduces the opposite position (SELL → Long, BUY → Short) and
 *     needs enough closable quantity (25025); close_position closes all at the mark price;
 *   - realised P&L goes to the account's cash; no fees;
 *   - cancel_order_batch is all-or-nothing (25005 / 25006 if any order cannot be cancelled).
 * Trade failures answer `{"status": -1, "message": "<code> <text>"}` with HTTP 200, except
 * amend_order which fails with HTTP 500 as the vendor doc shows; a missing parameter is
 * ILLEGAL_ARGUMENT (HTTP 400).
 */
import { timingSafeEqual } from "node:crypto";
import { meta } from "../../generated/hubi-futures.docs.js";
import { HUBI_API_VERSION, hubiSignedText, type HubiValueEncoding } from "../auth/hubi.js";
import { hmacSha256Hex } from "../auth/hmac.js";
import { startHttpMock, type HttpMock, type MockReply, type MockRequest } from "./http-mock.js";
import { queryRows } from "./query-rows.js";

export const HUBI_MOCK_ACCESS_KEY = "mock-hubi-access-key";
export const HUBI_MOCK_SECRET_KEY = "mock-hubi-secret-key";
export const HUBI_MOCK_ACCESS_TOKEN = "mock-hubi-access-token";

export interface HubiMockOptions {
  port?: number;
  host?: string;
  accessKey?: string;
  secretKey?: string;
  accessToken?: string;
  /** Largest accepted distance between X-API-Timestamp and the emulator clock (default 30 000 ms). */
  maxClockSkewMs?: number;
  /** The emulator's clock (ms). */
  now?: () => number;
  /** Mark price of every symbol at start (default 10000). */
  markPrice?: number;
  /** Starting cash per settlement currency (default { USDT: 100000 }). */
  cash?: Readonly<Record<string, number>>;
  log?: (line: string) => void;
}

export interface HubiMock extends HttpMock {
  /** Move a symbol's mark price; resting orders that become marketable fill. */
  setMarkPrice(symbol: string, price: number): void;
}

type Side = "Buy" | "Sell";
type PositionSide = "Long" | "Short";
type OrdStatus = "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "REJECTED" | "WAITING";

interface MockOrder {
  id: string;
  currency: string;
  symbol: string;
  createdMs: number;
  modifiedMs: number;
  side: Side;
  type: "Limit" | "Market";
  price: number;
  qty: number;
  openPosition: boolean;
  cumQty: number;
  avgPx: number;
  ordStatus: OrdStatus;
  source: "Normal" | "Conditional";
  stopLossPrice: number;
  stopWinPrice: number;
  stopWinType: "Limit" | "Market";
  trailingStop: number;
  triggerPrice: number;
  triggerType: "LAST" | "INDEX";
  pnl: number;
  /** Margin frozen while it rests (opening orders only). */
  frozen: number;
}

interface MockPosition {
  currency: string;
  symbol: string;
  side: PositionSide;
  qty: number;
  price: number;
  pnl: number;
  stopLossPrice: number;
  stopWinPrice: number;
  stopWinType: "Limit" | "Market";
  trailingStop: number;
  createdMs: number;
}

interface MockAccount {
  cash: number;
  frozenCash: number;
  cross: boolean;
  twoSided: boolean;
}

const ENCODING_NAMES: Record<HubiValueEncoding, string> = {
  raw: "raw values (the vendor example and Java SDK)",
  "url-encoded": "urlencode(params, safe=',') (the vendor Python SDK)",
};

const UID = "10001";
const ACTIVE: ReadonlySet<OrdStatus> = new Set(["NEW", "PARTIALLY_FILLED", "WAITING"]);
const round = (x: number): number => Math.round(x * 1e8) / 1e8;
const iso = (ms: number): string => new Date(ms).toISOString();

/** A failure body as the spec documents it. */
function failure(message: string, status = 200): MockReply {
  return { status, body: { status: -1, message } };
}
const illegal = (name: string, status = 401): MockReply => failure(name, status);
const ok = (result: string | null = null): MockReply => ({ body: { status: 0, result } });

/** Thrown inside handlers: a trade code from the spec's table. */
class TradeReject extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus = 200,
  ) {
    super(code);
  }
}
function reject(code: string): never {
  throw new TradeReject(code);
}
function tradeFailure(code: string, httpStatus: number): MockReply {
  if (code.startsWith("ILLEGAL_")) return illegal(code, 400);
  return failure(`${code} ${meta.errorCodes[code]?.message ?? ""}`.trim(), httpStatus);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const ISO_8601 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
/**
 * The vendor Java SDK formats X-API-Timestamp with the pattern `yyyy-MM-dd'T'HH:mm:sssZ`:
 * `sss` is the seconds padded to three digits, not milliseconds, so it sends e.g.
 * `2024-01-02T20:53:034+0000` (a vendor bug). Java's own lenient parser reads that back as
 * 34 seconds; the emulator does the same (and says so in its log) rather than refuse every
 * call of the vendor's SDK.
 */
const JAVA_SDK_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):0([0-5]\d)(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parse X-API-Timestamp; a timestamp without a zone (as in the vendor's example) is UTC. The
 * vendor Java SDK's `HH:mm:sssZ` form (three-digit seconds, no fraction) is read as seconds.
 */
export function parseHubiTimestamp(text: string): number | undefined {
  const java = JAVA_SDK_TIMESTAMP.exec(text.trim());
  if (java) return parseHubiTimestamp(`${java[1]}:${java[2]}${java[3]}`);
  const m = ISO_8601.exec(text.trim());
  if (!m) return undefined;
  const ms = m[2] ? m[2].slice(0, 4).padEnd(4, "0") : "";
  const zone = m[3] ? m[3].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2") : "Z";
  const t = Date.parse(`${m[1]}${ms}${zone}`);
  return Number.isNaN(t) ? undefined : t;
}

export async function startHubiMock(opts: HubiMockOptions = {}): Promise<HubiMock> {
  const accessKey = opts.accessKey ?? HUBI_MOCK_ACCESS_KEY;
  const secretKey = opts.secretKey ?? HUBI_MOCK_SECRET_KEY;
  const accessToken = opts.accessToken ?? HUBI_MOCK_ACCESS_TOKEN;
  const maxSkew = opts.maxClockSkewMs ?? 30_000;
  const now = opts.now ?? Date.now;
  const defaultMark = opts.markPrice ?? 10_000;

  const seenNonces = new Map<string, number>();
  const orders = new Map<string, MockOrder>();
  const positions = new Map<string, MockPosition>();
  const accounts = new Map<string, MockAccount>();
  for (const [currency, cash] of Object.entries(opts.cash ?? { USDT: 100_000 })) {
    accounts.set(currency, { cash, frozenCash: 0, cross: false, twoSided: false });
  }
  const marks = new Map<string, number>();
  const leverages = new Map<string, number>();
  let orderSeq = 1000;
  let ordersProCursor = 0;

  // ---- authentication ----

  const authenticate = (req: MockRequest): MockReply | undefined => {
    const h = req.headers;
    if (h["x-api-version"] !== HUBI_API_VERSION) return illegal("ILLEGAL_VERSION");
    if (!h["x-api-key"] || !sameText(h["x-api-key"], accessKey)) return illegal("ILLEGAL_ACCESS_KEY");
    if (!h.authorization || !sameText(h.authorization, `Bearer ${accessToken}`)) return illegal("ILLEGAL_ACCESS_KEY");
    const method = h["x-api-signature-method"];
    if (method !== undefined && method !== "HmacSHA256") return illegal("ILLEGAL_SIGN_TYPE");
    const charset = /charset=([^;\s]+)/i.exec(h["content-type"] ?? "")?.[1];
    if (charset && !/^utf-?8$/i.test(charset)) return illegal("ILLEGAL_CHARSET", 400);
    const timestamp = h["x-api-timestamp"] ?? "";
    const javaSdkForm = JAVA_SDK_TIMESTAMP.test(timestamp.trim());
    const at = parseHubiTimestamp(timestamp);
    const t = now();
    if (at === undefined || Math.abs(t - at) > maxSkew) return illegal("ILLEGAL_TIMESTAMP");
    const nonce = h["x-api-nonce"] ?? "";
    for (const [n, seenAt] of seenNonces) if (seenAt < t - 2 * maxSkew) seenNonces.delete(n);
    if (!/^[0-9a-f]{32}$/.test(nonce) || seenNonces.has(nonce)) return illegal("ILLEGAL_NONCE");
    const listed = h["x-api-signature-params"];
    const signature = h["x-api-signature"];
    if (listed === undefined || !signature) return illegal("ILLEGAL_SIGN");
    const sent = [...req.query, ...req.form];
    const names = listed === "" ? [] : listed.split(",");
    const byName = new Map(sent);
    const sentNames = sent.map(([k]) => k);
    const coversExactly =
      names.length === sentNames.length && new Set(names).size === names.length && names.every((n) => byName.has(n));
    if (!coversExactly) return illegal("ILLEGAL_SIGN");
    const pairs = names.map((n) => [n, byName.get(n)!] as [string, string]);
    const expected = (enc: HubiValueEncoding) => hmacSha256Hex(secretKey, hubiSignedText(pairs, nonce, req.path, enc));
    const given = signature.toLowerCase();
    const encoding = (["raw", "url-encoded"] as const).find((enc) => sameText(given, expected(enc)));
    if (!encoding) return illegal("ILLEGAL_SIGN");
    seenNonces.set(nonce, t);
    req.notes.push(`signature: ${ENCODING_NAMES[encoding]}`);
    if (javaSdkForm) req.notes.push("X-API-Timestamp in the vendor Java SDK's HH:mm:sssZ form (a vendor bug), read as seconds");
    return undefined;
  };

  // ---- exchange state ----

  const markOf = (symbol: string) => marks.get(symbol) ?? defaultMark;
  const leverageOf = (currency: string, symbol: string) => leverages.get(`${currency}:${symbol}`) ?? 10;
  const positionKey = (currency: string, symbol: string, side: PositionSide) => `${currency}:${symbol}:${side}`;
  const account = (currency: string): MockAccount => accounts.get(currency) ?? reject("25007");
  const deposit = (p: MockPosition) => (p.qty * p.price) / leverageOf(p.currency, p.symbol);
  const urPnl = (p: MockPosition) => (markOf(p.symbol) - p.price) * p.qty * (p.side === "Long" ? 1 : -1);
  const positionsOf = (currency: string) => [...positions.values()].filter((p) => p.currency === currency);
  const available = (currency: string) => {
    const a = account(currency);
    return a.cash - a.frozenCash - positionsOf(currency).reduce((s, p) => s + deposit(p), 0);
  };
  /** Quantity of a position already promised to resting closing orders. */
  const reserved = (p: MockPosition, except?: MockOrder) =>
    [...orders.values()]
      .filter((o) => o !== except && !o.openPosition && ACTIVE.has(o.ordStatus) && o.currency === p.currency && o.symbol === p.symbol)
      .filter((o) => (o.side === "Sell") === (p.side === "Long"))
      .reduce((s, o) => s + o.qty - o.cumQty, 0);

  const nextOrderId = (t: number): string => {
    const s = iso(t);
    return `O101-${s.slice(0, 10).replace(/-/g, "")}-${s.slice(11, 19).replace(/:/g, "")}-${s.slice(20, 23)}-${++orderSeq}`;
  };

  /** Fill the rest of an order at `price`, moving the position and the cash. */
  const fill = (o: MockOrder, price: number, t: number) => {
    const q = o.qty - o.cumQty;
    const a = account(o.currency);
    a.frozenCash = Math.max(0, a.frozenCash - o.frozen);
    o.frozen = 0;
    const side: PositionSide = o.openPosition === (o.side === "Buy") ? "Long" : "Short";
    const key = positionKey(o.currency, o.symbol, side);
    const p = positions.get(key);
    if (o.openPosition) {
      const next: MockPosition = p ?? {
        currency: o.currency,
        symbol: o.symbol,
        side,
        qty: 0,
        price,
        pnl: 0,
        stopLossPrice: 0,
        stopWinPrice: 0,
        stopWinType: "Limit",
        trailingStop: 0,
        createdMs: t,
      };
      next.price = (next.qty * next.price + q * price) / (next.qty + q);
      next.qty += q;
      if (o.stopLossPrice) next.stopLossPrice = o.stopLossPrice;
      if (o.stopWinPrice) next.stopWinPrice = o.stopWinPrice;
      if (o.trailingStop) next.trailingStop = o.trailingStop;
      next.stopWinType = o.stopWinType;
      positions.set(key, next);
    } else if (p) {
      const realised = (price - p.price) * q * (side === "Long" ? 1 : -1);
      a.cash += realised;
      p.pnl += realised;
      o.pnl += realised;
      p.qty -= q;
      if (p.qty <= 0) positions.delete(key);
    }
    o.avgPx = o.cumQty === 0 ? price : (o.avgPx * o.cumQty + price * q) / (o.cumQty + q);
    o.cumQty = o.qty;
    o.ordStatus = "FILLED";
    o.modifiedMs = t;
  };

  const marketable = (o: MockOrder) => {
    if (o.ordStatus === "WAITING" || !ACTIVE.has(o.ordStatus)) return false;
    if (o.type === "Market") return true;
    const mark = markOf(o.symbol);
    return o.side === "Buy" ? o.price >= mark : o.price <= mark;
  };
  const match = (o: MockOrder, t: number) => {
    if (marketable(o)) fill(o, markOf(o.symbol), t);
  };

  /** Margin an opening order needs at `price` for its open quantity; 25021 if not available. */
  const freeze = (o: MockOrder, price: number, extraAvailable = 0) => {
    if (!o.openPosition) return;
    const need = ((o.qty - o.cumQty) * price) / leverageOf(o.currency, o.symbol);
    if (need > available(o.currency) + extraAvailable + 1e-9) reject("25021");
    account(o.currency).frozenCash += need;
    o.frozen = need;
  };
  const release = (o: MockOrder) => {
    const a = account(o.currency);
    a.frozenCash = Math.max(0, a.frozenCash - o.frozen);
    o.frozen = 0;
  };

  // ---- parameter parsing (a wrong value is the code the vendor table gives it) ----

  const requireParams = (req: MockRequest) => {
    for (const name of req.op.body?.required ?? []) if (!req.params[name]) reject("ILLEGAL_ARGUMENT");
    for (const p of req.op.params) if (p.required && !req.params[p.name]) reject("ILLEGAL_ARGUMENT");
  };
  const num = (v: string | undefined): number | undefined => {
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : reject("25010");
  };
  const bool = (v: string | undefined): boolean => (v === "true" ? true : v === "false" ? false : reject("ILLEGAL_ARGUMENT"));
  const quantity = (v: string | undefined): number | undefined => {
    const n = num(v);
    return n === undefined ? undefined : Number.isInteger(n) && n > 0 ? n : reject("25009");
  };
  const positivePrice = (v: string | undefined): number | undefined => {
    const n = num(v);
    return n === undefined ? undefined : n > 0 ? n : reject("25012");
  };
  const stopWinType = (v: string | undefined): "Limit" | "Market" | undefined =>
    v === undefined ? undefined : v === "LIMIT" ? "Limit" : v === "MARKET" ? "Market" : reject("ILLEGAL_ARGUMENT");
  /** 25043-25046: stops on the wrong side of the order price. */
  const checkStops = (side: Side, price: number, stopLoss: number, stopWin: number) => {
    if (side === "Buy") {
      if (stopLoss && price < stopLoss) reject("25043");
      if (stopWin && price > stopWin) reject("25044");
    } else {
      if (stopLoss && price > stopLoss) reject("25045");
      if (stopWin && price < stopWin) reject("25046");
    }
  };
  const findOrder = (no: string | undefined): MockOrder => orders.get(no ?? "") ?? reject("25005");

  // ---- views (the spec's Order / Position / Account shapes) ----

  const orderView = (o: MockOrder) => ({
    avgPx: round(o.avgPx),
    created: iso(o.createdMs),
    cumQty: o.cumQty,
    currency: o.currency,
    fee: 0,
    iceberg: false,
    id: o.id,
    modified: iso(o.modifiedMs),
    openPosition: o.openPosition,
    ordStatus: o.ordStatus,
    pnl: round(o.pnl),
    price: o.price,
    qty: o.qty,
    showQty: 0,
    side: o.side,
    source: o.source,
    stopLossPrice: o.stopLossPrice,
    stopWinPrice: o.stopWinPrice,
    stopWinType: o.stopWinType,
    symbol: o.symbol,
    tif: "DAY",
    trailingStop: o.trailingStop,
    triggerPrice: o.triggerPrice,
    triggerType: o.triggerType,
    type: o.type,
    uid: UID,
  });
  const positionView = (p: MockPosition) => {
    const lev = leverageOf(p.currency, p.symbol);
    const dep = deposit(p);
    const up = urPnl(p);
    const long = p.side === "Long";
    return {
      closableQty: p.qty - reserved(p),
      created: iso(p.createdMs),
      currency: p.currency,
      deposit: round(dep),
      individualPosition: !account(p.currency).cross,
      lastPrice: markOf(p.symbol),
      liquidationPrice: round(long ? p.price * (1 - 1 / lev) : p.price * (1 + 1 / lev)),
      pnl: round(p.pnl),
      pnlRate: dep ? round(up / dep) : 0,
      positionLeverage: lev,
      price: round(p.price),
      qty: p.qty,
      side: p.side,
      stopLossPrice: p.stopLossPrice,
      stopWinPrice: p.stopWinPrice,
      stopWinType: p.stopWinType,
      symbol: p.symbol,
      trailingStop: p.trailingStop,
      trailingStopPrice: p.trailingStop ? round(long ? markOf(p.symbol) - p.trailingStop : markOf(p.symbol) + p.trailingStop) : 0,
      uid: UID,
      urPnL: round(up),
      value: round(p.qty * markOf(p.symbol)),
    };
  };
  const accountView = (currency: string, a: MockAccount) => {
    const ps = positionsOf(currency);
    const up = ps.reduce((s, p) => s + urPnl(p), 0);
    const value = ps.reduce((s, p) => s + p.qty * markOf(p.symbol), 0);
    const free = round(Math.max(0, available(currency)));
    return {
      cash: round(a.cash),
      cashAvailable: free,
      currency,
      factLeverage: a.cash + up > 0 ? round(value / (a.cash + up)) : 0,
      frozenCash: round(a.frozenCash),
      uid: UID,
      urPnl: round(up),
      withdrawableCash: free,
    };
  };

  // ---- operations ----

  const handlers: Record<string, (req: MockRequest) => MockReply> = {
    queryOrdersPro: (req) => {
      const since = num(req.params.timestamp) ?? ordersProCursor;
      ordersProCursor = now();
      return { body: [...orders.values()].filter((o) => o.modifiedMs >= since).map(orderView) };
    },
    queryOrderById: (req) => {
      requireParams(req);
      return { body: orderView(findOrder(req.params.order_no)) };
    },
    // The `symbol` parameter names the order field it filters (src/mock/query-rows.ts).
    queryActiveOrders: (req) => ({ body: queryRows(req.op, [...orders.values()].filter((o) => ACTIVE.has(o.ordStatus)).map(orderView), req.params).rows }),
    queryAccounts: () => ({ body: [...accounts].map(([c, a]) => accountView(c, a)) }),
    queryPosition: () => ({ body: [...positions.values()].map(positionView) }),

    enterOrder: (req) => {
      requireParams(req);
      const p = req.params;
      const t = now();
      account(p.coin_code!);
      const openPosition = bool(p.open_position);
      const qty = quantity(p.quantity)!;
      const side: Side = p.trade_direction === "BUY" ? "Buy" : p.trade_direction === "SELL" ? "Sell" : reject("25017");
      const type = p.order_type === "LIMIT" ? "Limit" : p.order_type === "MARKET" ? "Market" : reject("25016");
      const price = positivePrice(p.price) ?? (type === "Limit" ? reject("25012") : 0);
      const stopLossPrice = num(p.stop_loss_price) ?? 0;
      const trailingStop = num(p.trailing_stop) ?? 0;
      if (p.stop_loss_price && p.trailing_stop) reject("ILLEGAL_ARGUMENT");
      const stopWinPrice = num(p.stop_win_price) ?? 0;
      const triggerPrice = num(p.trigger_price) ?? 0;
      const triggerType = p.trigger_type === undefined || p.trigger_type === "LAST" ? "LAST" : p.trigger_type === "INDEX" ? "INDEX" : reject("ILLEGAL_ARGUMENT");
      const refPrice = type === "Limit" ? price : markOf(p.symbol!);
      checkStops(side, refPrice, stopLossPrice, stopWinPrice);
      if (!openPosition) {
        const pos = positions.get(positionKey(p.coin_code!, p.symbol!, side === "Sell" ? "Long" : "Short"));
        if (!pos || pos.qty - reserved(pos) < qty) reject("25025");
      }
      const o: MockOrder = {
        id: nextOrderId(t),
        currency: p.coin_code!,
        symbol: p.symbol!,
        createdMs: t,
        modifiedMs: t,
        side,
        type,
        price,
        qty,
        openPosition,
        cumQty: 0,
        avgPx: 0,
        ordStatus: triggerPrice ? "WAITING" : "NEW",
        source: triggerPrice ? "Conditional" : "Normal",
        stopLossPrice,
        stopWinPrice,
        stopWinType: stopWinType(p.stop_win_type) ?? "Limit",
        trailingStop,
        triggerPrice,
        triggerType,
        pnl: 0,
        frozen: 0,
      };
      freeze(o, refPrice);
      orders.set(o.id, o);
      match(o, t);
      return ok(o.id);
    },

    amendOrder: (req) => {
      requireParams(req);
      const p = req.params;
      const o = findOrder(p.order_no);
      if (!ACTIVE.has(o.ordStatus)) reject("25006");
      const qty = quantity(p.quantity);
      const price = positivePrice(p.price);
      const triggerPrice = num(p.trigger_price);
      const stopLossPrice = num(p.stop_loss_price);
      const trailingStop = num(p.trailing_stop);
      if (stopLossPrice !== undefined && trailingStop !== undefined) reject("ILLEGAL_ARGUMENT");
      const stopWinPrice = num(p.stop_win_price);
      const swType = stopWinType(p.stop_win_type);
      const changes: Partial<MockOrder> = {};
      if (qty !== undefined && qty !== o.qty) {
        if (qty > o.qty) reject("25023");
        if (qty <= o.cumQty) reject("25024");
        changes.qty = qty;
      }
      if (price !== undefined && price !== o.price) {
        if (o.type === "Market") reject("25016");
        changes.price = price;
      }
      if (triggerPrice !== undefined && triggerPrice !== o.triggerPrice) {
        if (o.ordStatus !== "WAITING") reject("25027");
        changes.triggerPrice = triggerPrice;
      }
      if (stopLossPrice !== undefined && stopLossPrice !== o.stopLossPrice) changes.stopLossPrice = stopLossPrice;
      if (trailingStop !== undefined && trailingStop !== o.trailingStop) changes.trailingStop = trailingStop;
      if (stopWinPrice !== undefined && stopWinPrice !== o.stopWinPrice) changes.stopWinPrice = stopWinPrice;
      if (swType !== undefined && swType !== o.stopWinType) changes.stopWinType = swType;
      if (Object.keys(changes).length === 0) reject("25030");
      const next = { ...o, ...changes };
      if (changes.stopLossPrice !== undefined) next.trailingStop = 0;
      if (changes.trailingStop !== undefined) next.stopLossPrice = 0;
      checkStops(next.side, next.type === "Limit" ? next.price : markOf(next.symbol), next.stopLossPrice, next.stopWinPrice);
      // Re-freeze margin for the new price/quantity; on 25021 the order stays as it was.
      const before = o.frozen;
      release(o);
      try {
        freeze(next, next.type === "Limit" ? next.price : markOf(next.symbol));
      } catch (e) {
        account(o.currency).frozenCash += before;
        o.frozen = before;
        throw e;
      }
      Object.assign(o, next, { modifiedMs: now() });
      match(o, o.modifiedMs);
      return ok();
    },

    cancelOrder: (req) => {
      requireParams(req);
      const o = findOrder(req.params.order_no);
      if (!ACTIVE.has(o.ordStatus)) reject("25006");
      release(o);
      o.ordStatus = "CANCELED";
      o.modifiedMs = now();
      return ok();
    },

    cancelOrderBatch: (req) => {
      requireParams(req);
      const nos = (req.params.order_nos ?? "").split(",");
      if (nos.some((n) => !n.trim())) reject("ILLEGAL_ARGUMENT");
      const list = nos.map(findOrder);
      if (list.some((o) => !ACTIVE.has(o.ordStatus))) reject("25006");
      const t = now();
      for (const o of list) {
        release(o);
        o.ordStatus = "CANCELED";
        o.modifiedMs = t;
      }
      return ok();
    },

    closePosition: (req) => {
      requireParams(req);
      const p = req.params;
      const side = p.position_type === "Long" || p.position_type === "Short" ? p.position_type : reject("ILLEGAL_ARGUMENT");
      account(p.coin_code!);
      const pos = positions.get(positionKey(p.coin_code!, p.symbol!, side));
      if (!pos || pos.qty <= 0) reject("25035");
      const t = now();
      // Resting closing orders on this position are cancelled; the close is a market order.
      for (const o of orders.values()) {
        if (!o.openPosition && ACTIVE.has(o.ordStatus) && o.currency === pos.currency && o.symbol === pos.symbol && (o.side === "Sell") === (side === "Long")) {
          o.ordStatus = "CANCELED";
          o.modifiedMs = t;
        }
      }
      const o: MockOrder = {
        id: nextOrderId(t),
        currency: pos.currency,
        symbol: pos.symbol,
        createdMs: t,
        modifiedMs: t,
        side: side === "Long" ? "Sell" : "Buy",
        type: "Market",
        price: 0,
        qty: pos.qty,
        openPosition: false,
        cumQty: 0,
        avgPx: 0,
        ordStatus: "NEW",
        source: "Normal",
        stopLossPrice: 0,
        stopWinPrice: 0,
        stopWinType: "Limit",
        trailingStop: 0,
        triggerPrice: 0,
        triggerType: "LAST",
        pnl: 0,
        frozen: 0,
      };
      orders.set(o.id, o);
      fill(o, markOf(pos.symbol), t);
      return ok();
    },

    switchToCross: (req) => {
      requireParams(req);
      const a = account(req.params.coin_code!);
      if (a.cross) reject("25030");
      a.cross = true;
      return ok();
    },

    changePositionLeverage: (req) => {
      requireParams(req);
      const currency = req.params.coin_code!;
      const a = account(currency);
      const twoSided = bool(req.params.two_side_position);
      if (a.twoSided === twoSided) reject("25030");
      // Switching modes with open positions or orders is refused (25007), as exchanges do.
      const busy = positionsOf(currency).length > 0 || [...orders.values()].some((o) => o.currency === currency && ACTIVE.has(o.ordStatus));
      if (busy) reject("25007");
      a.twoSided = twoSided;
      return ok();
    },

    riskSetting: (req) => {
      requireParams(req);
      const { coin_code: currency = "", symbol = "" } = req.params;
      account(currency);
      const leverage = num(req.params.leverage)!;
      if (!Number.isInteger(leverage) || leverage < 1 || leverage > 100) reject("25031");
      const key = `${currency}:${symbol}`;
      const before = leverages.get(key);
      leverages.set(key, leverage);
      if (available(currency) < 0) {
        if (before === undefined) leverages.delete(key);
        else leverages.set(key, before);
        reject("25036");
      }
      return ok();
    },
  };

  // Handlers throw TradeReject; amend_order fails with HTTP 500 as the vendor doc shows.
  const guarded: Record<string, (req: MockRequest) => MockReply> = {};
  for (const [id, handler] of Object.entries(handlers)) {
    guarded[id] = (req) => {
      try {
        return handler(req);
      } catch (e) {
        if (e instanceof TradeReject) return tradeFailure(e.code, id === "amendOrder" ? 500 : e.httpStatus);
        throw e;
      }
    };
  }

  const mock = await startHttpMock({
    meta,
    port: opts.port,
    host: opts.host,
    authenticate,
    handlers: guarded,
    notFound: (m, p) => ({ status: 404, body: { status: -1, message: `no such endpoint: ${m} ${p}` } }),
    log: opts.log,
  });
  return Object.assign(mock, {
    setMarkPrice(symbol: string, price: number) {
      marks.set(symbol, price);
      const t = now();
      for (const o of orders.values()) match(o, t);
    },
  });
}
