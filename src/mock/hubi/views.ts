/** The Hubi emulator's views of its state: the spec's Order / Position / Account shapes. */
import { ExactDecimal } from "../decimal-text.js";
import { iso, type ExactField, type HubiExchange, type MockAccount, type MockOrder, type MockPosition } from "./engine.js";

const UID = "10001";
export const round = (x: number): number => Math.round(x * 1e8) / 1e8;

/**
 * An order's price field as the request gave it, every digit (a double rounded
 * 0.1000000000000000000001 to 0.1), while the field still holds that value; else the number.
 */
function given(o: MockOrder, field: ExactField): number | ExactDecimal {
  const text = o.texts?.[field];
  return text !== undefined && Number(text) === o[field] ? new ExactDecimal(text) : o[field];
}

export function orderView(o: MockOrder) {
  return {
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
    price: given(o, "price"),
    qty: o.qty,
    showQty: 0,
    side: o.side,
    source: o.source,
    stopLossPrice: given(o, "stopLossPrice"),
    stopWinPrice: given(o, "stopWinPrice"),
    stopWinType: o.stopWinType,
    symbol: o.symbol,
    tif: "DAY",
    trailingStop: given(o, "trailingStop"),
    triggerPrice: given(o, "triggerPrice"),
    triggerType: o.triggerType,
    type: o.type,
    uid: UID,
  };
}

export function positionView(ex: HubiExchange, p: MockPosition) {
  const lev = ex.leverageOf(p.currency, p.symbol);
  const dep = ex.deposit(p);
  const up = ex.urPnl(p);
  const long = p.side === "Long";
  const mark = ex.markOf(p.symbol);
  return {
    closableQty: p.qty - ex.reserved(p),
    created: iso(p.createdMs),
    currency: p.currency,
    deposit: round(dep),
    individualPosition: !ex.account(p.currency).cross,
    lastPrice: mark,
    liquidationPrice: round(ex.liquidationPrice(p)),
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
    trailingStopPrice: p.trailingStop ? round(long ? mark - p.trailingStop : mark + p.trailingStop) : 0,
    uid: UID,
    urPnL: round(up),
    value: round(p.qty * mark),
  };
}

export function accountView(ex: HubiExchange, currency: string, a: MockAccount) {
  const ps = ex.positionsOf(currency);
  const up = ps.reduce((s, p) => s + ex.urPnl(p), 0);
  const value = ps.reduce((s, p) => s + p.qty * ex.markOf(p.symbol), 0);
  const free = round(Math.max(0, ex.available(currency)));
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
}
