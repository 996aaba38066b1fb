/**
 * `tradeapi mock xt`: a local XT spot v1 server. Routes and example answers come from the
 * spec; this file adds the signature check (307 bad access key / 308 bad signature, as the
 * real service answers; every canonical-string variant the vendor's SDKs send is accepted and
 * named in the log, see matchXtSignature), list answers that follow the request (the
 * parameters naming record fields filter, `x-pagination` pages: open orders, deposit and
 * withdrawal records, withdrawal addresses, klines by `since`; a withdraw adds a withdrawal
 * record) and enough order state for order → getOrder → cancel, batch orders
 * and batch cancel.
 */
import { meta } from "../../generated/xt-spot.meta.js";
import { signXtParams, XT_SIGNATURE_VARIANTS, type XtSignatureVariant } from "../auth/xt.js";
import { parseJson } from "../handwritten/core/json.js";
import type { OperationMeta } from "../handwritten/core/meta.js";
import { exampleValue, startHttpMock, type HttpMock, type MockReply, type MockRequest } from "./http-mock.js";
import { paginationOf, queryRows, type Row } from "./query-rows.js";

export const XT_MOCK_ACCESS_KEY = "mock-access-key";
export const XT_MOCK_SECRET_KEY = "mock-secret-key";

export interface XtMockOptions {
  port?: number;
  /** Interface to listen on (default 127.0.0.1), as every emulator takes. */
  host?: string;
  /** Deposit records the emulator holds for the example's coin (default 23: three pages of 10). */
  depositRecords?: number;
  accessKey?: string;
  secretKey?: string;
  log?: (line: string) => void;
}

interface MockOrder {
  id: bigint;
  market: string;
  price: string;
  number: string;
  type: number;
  entrustType: number;
  status: number;
  time: number;
}

const envelope = (code: number, info: string, data?: unknown): MockReply => ({
  body: data === undefined ? { code, info } : { code, info, data },
});

function isBase64Field(op: OperationMeta, name: string): boolean {
  return (op.body?.properties[name] ?? op.params.find((p) => p.name === name)?.schema)?.contentEncoding === "base64";
}

const VARIANT_NAMES: Record<XtSignatureVariant, string> = {
  java: "java (raw trimmed values, as the vendor Java SDK)",
  raw: "raw (raw untrimmed values)",
  python: "python (URL-encoded values, as the vendor Python SDK)",
};

/**
 * Which documented canonical-string variant a request's signature matches, or undefined.
 * Every variant (XT_SIGNATURE_VARIANTS) is tried with the batch `data` decoded (the vendor
 * doc) and as base64 text (both SDKs); the hex digits are compared without regard to case,
 * since the vendor Python SDK sends upper case and the Java SDK lower case.
 */
export function matchXtSignature(op: OperationMeta, params: Readonly<Record<string, string>>, secretKey: string): string | undefined {
  const { signature = "", ...rest } = params;
  const given = signature.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return undefined;
  const hasBatchData = Object.keys(rest).some((k) => isBase64Field(op, k));
  const decoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(rest)) decoded[k] = isBase64Field(op, k) ? Buffer.from(v, "base64").toString("utf8") : v;
  const hexCase = signature === given ? "lower-case hex" : signature === given.toUpperCase() ? "upper-case hex" : "mixed-case hex";
  for (const [data, signed] of hasBatchData ? ([["decoded", decoded], ["base64", rest]] as const) : ([["", rest]] as const)) {
    // Variants whose canonical strings coincide for these values are all named.
    const hits = XT_SIGNATURE_VARIANTS.filter((variant) => signXtParams(signed, secretKey, { variant }).toLowerCase() === given);
    if (hits.length > 0) {
      const names = hits.length > 1 ? `${hits.join(" = ")}, identical here` : VARIANT_NAMES[hits[0]!];
      return `${names}, ${hexCase}${data ? `, batch data ${data}` : ""}`;
    }
  }
  return undefined;
}

export async function startXtMock(opts: XtMockOptions = {}): Promise<HttpMock> {
  const accessKey = opts.accessKey ?? XT_MOCK_ACCESS_KEY;
  const secretKey = opts.secretKey ?? XT_MOCK_SECRET_KEY;
  const orders = new Map<bigint, MockOrder>();
  // IDs above 2^53 so every consumer sees that they need exact integers.
  let nextId = 9_007_199_254_740_993n;

  const authenticate = (req: MockRequest): MockReply | undefined => {
    if (req.op.security.length === 0) return undefined;
    const inQuery = req.query.some(([k]) => k === "signature");
    const inForm = req.form.some(([k]) => k === "signature");
    if (inQuery && inForm) return envelope(400, "signature parameters must be in the query (GET) or the body (POST), not both");
    const pairs = req.method === "GET" ? req.query : req.form;
    const params = Object.fromEntries(pairs);
    if (params.accesskey !== accessKey) return envelope(307, "accesskey error");
    if (!/^\d{13}$/.test(params.nonce ?? "")) return envelope(400, "nonce must be a 13-digit millisecond timestamp");
    const matched = matchXtSignature(req.op, params, secretKey);
    if (!matched) return envelope(308, "signature check failed");
    req.notes.push(`signature: ${matched}`);
    return undefined;
  };

  const view = (o: MockOrder) => ({
    number: o.number,
    price: o.price,
    avgPrice: "0.00",
    id: o.id,
    time: o.time,
    type: o.type,
    status: o.status,
    completeNumber: "0.000000",
    completeMoney: "0.000000",
    entrustType: o.entrustType,
    fee: "0.000000",
  });
  const place = (market: string, price: string, number: string, type: number, entrustType: number): MockOrder => {
    const o: MockOrder = { id: nextId++, market, price, number, type, entrustType, status: 1, time: Date.now() };
    orders.set(o.id, o);
    return o;
  };
  const idsOf = (req: MockRequest): bigint[] | MockReply => {
    try {
      const arr = parseJson(Buffer.from(req.params.data ?? "", "base64").toString("utf8"));
      if (!Array.isArray(arr)) throw new Error("not an array");
      return arr.slice(0, 100).map((x) => BigInt(x as number | bigint));
    } catch {
      return envelope(400, "data must be base64 of a JSON array of order ids");
    }
  };
  const find = (market: string, id: string | undefined): MockOrder | undefined => {
    if (!id || !/^\d+$/.test(id)) return undefined;
    const o = orders.get(BigInt(id));
    return o && o.market === market ? o : undefined;
  };

  // ---- lists: the records a request selects (src/mock/query-rows.ts, from the spec) ----
  const opById = (id: string): OperationMeta => meta.operations.find((o) => o.operationId === id)!;
  /** The example's rows (its `data`, or `data[itemsField]`). */
  const exampleItems = (op: OperationMeta): Row[] => {
    const data = (exampleValue(op) as { data?: unknown } | undefined)?.data;
    const field = paginationOf(op)?.itemsField;
    const items = field && data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>)[field] : data;
    return Array.isArray(items) ? (items as Row[]) : [];
  };
  /** The example's answer with its rows replaced by the selected page (and its paging fields set where it has them). */
  const listAnswer = (req: MockRequest, rows: ReadonlyArray<Row>): MockReply => {
    const page = queryRows(req.op, rows, req.params);
    const field = paginationOf(req.op)?.itemsField;
    if (!field) return envelope(200, "success", page.rows);
    const data = { ...(exampleValue(req.op) as { data: Record<string, unknown> }).data, [field]: page.rows };
    if (page.page) {
      for (const [k, v] of [["total", page.page.total], ["pageIndex", page.page.index], ["pageSize", page.page.size]] as const) if (k in data) data[k] = v;
    }
    return envelope(200, "success", data);
  };
  // Deposits: the example's record and older ones like it (a few pages); withdrawals: the
  // example's, then every withdraw made here, newest first.
  const depositSeed = exampleItems(opById("getPayInRecord"))[0] ?? {};
  const deposits: Row[] = Array.from({ length: opts.depositRecords ?? 23 }, (_, i) => ({
    ...depositSeed,
    creatTime: Number(depositSeed.creatTime ?? 1563465915000) - i * 3_600_000,
    manageTime: Number(depositSeed.manageTime ?? 1563466260000) - i * 3_600_000,
    txHash: `0x${(BigInt(`0x${String(depositSeed.txHash ?? "0x1").slice(2)}`) - BigInt(i)).toString(16).padStart(64, "0")}`,
  }));
  const payouts: Row[] = [...exampleItems(opById("getPayOutRecord"))];
  let nextWithdrawId = 1001;
  /** Candles of one interval ending at the example's, oldest first: [time (s), open, high, low, close, volume, turnover]. */
  const KLINE_SECONDS: Record<string, number> = { "1min": 60, "5min": 300, "15min": 900, "30min": 1800, "1hour": 3600, "6hour": 21600, "1day": 86400, "7day": 604800, "30day": 2592000 };
  const klineSeed = ((exampleValue(opById("getKLine")) as { datas?: unknown[][] } | undefined)?.datas?.[0] ?? [1562923200, 1, 1, 1, 1, 0, 0]) as number[];
  const klines = (type: string): Row[] => {
    const step = KLINE_SECONDS[type] ?? 60;
    return Array.from({ length: 60 }, (_, i) => {
      const k = 59 - i;
      return [klineSeed[0]! - k * step, ...klineSeed.slice(1)] as unknown as Row;
    });
  };

  const handlers: Record<string, (req: MockRequest) => MockReply> = {
    getServerTime: () => envelope(200, "success", { serverTime: Date.now() }),
    order: (req) => {
      const { market = "", price = "", number = "", type = "", entrustType = "" } = req.params;
      if (!market || !price || !number || !/^[01]$/.test(type) || !/^[01]$/.test(entrustType)) return envelope(102, "委托失败，参数错误");
      if (Number(number) <= 0) return envelope(105, "委托失败，委托数量不能低于系统设置最小委托数量");
      const o = place(market, price, number, Number(type), Number(entrustType));
      return envelope(200, "An order has been placed successfully", { id: o.id });
    },
    batchOrder: (req) => {
      let items: unknown;
      try {
        items = parseJson(Buffer.from(req.params.data ?? "", "base64").toString("utf8"));
      } catch {
        return envelope(102, "委托失败，参数错误");
      }
      if (!Array.isArray(items) || items.length === 0) return envelope(102, "委托失败，参数错误");
      const placed = (items as Array<Record<string, unknown>>).slice(0, 100).map((i) => {
        const o = place(req.params.market ?? "", String(i.price), String(i.amount), Number(i.type), 0);
        return { amount: Number(i.amount), price: Number(i.price), id: o.id, type: o.type };
      });
      return envelope(200, "An order has been placed successfully", placed);
    },
    getOrder: (req) => {
      const o = find(req.params.market ?? "", req.params.id);
      return o ? envelope(200, "success", view(o)) : envelope(121, "撤单失败，订单不存在或已取消");
    },
    cancel: (req) => {
      const o = find(req.params.market ?? "", req.params.id);
      if (!o) return envelope(121, "撤单失败，订单不存在或已取消");
      if (o.status === 2 || o.status === 3) return envelope(122, "撤单失败，订单已取消或已完成");
      o.status = 3;
      return envelope(200, "The order has been canceled successfully");
    },
    batchCancel: (req) => {
      const ids = idsOf(req);
      if (!Array.isArray(ids)) return ids;
      const data = ids.map((id) => {
        const o = orders.get(id);
        if (!o || o.status === 3 || o.status === 2) {
          return { msg: "Failed to cancel the order since it does not exist or has been canceled", code: 121, id };
        }
        o.status = 3;
        return { msg: "The order has been canceled successfully", code: 120, id };
      });
      return envelope(200, "The order has been canceled successfully", data);
    },
    getOpenOrders: (req) => {
      const open = [...orders.values()].filter((o) => o.market === req.params.market && o.status <= 1);
      return envelope(200, "success", queryRows(req.op, open.map(view), req.params).rows);
    },
    getPayInRecord: (req) => listAnswer(req, deposits),
    getPayOutRecord: (req) => listAnswer(req, payouts),
    getPayOutAddress: (req) => listAnswer(req, exampleItems(opById("getPayOutAddress"))),
    withdraw: (req) => {
      const { coin = "", address = "", amount = "" } = req.params;
      if (!coin || !address || !(Number(amount) > 0)) return envelope(400, "coin, address and a positive amount are required");
      const now = Date.now();
      const fee = "0.001";
      payouts.unshift({ ...payouts[0], coin, address, amount: Number(amount), fee: Number(fee), creatTime: now, manageTime: now, status: 4, innerTransfer: Number(req.params.innerTransfer ?? 0) });
      const base = (exampleValue(req.op) as { data: Record<string, unknown> }).data;
      return envelope(200, "success", { ...base, amount: Number(amount), address, id: nextWithdrawId++, subTime: now });
    },
    getKLine: (req) => {
      const p = paginationOf(req.op)!;
      const page = queryRows(req.op, klines(req.params.type ?? "1min"), req.params);
      return { body: { [p.itemsField ?? "datas"]: page.rows, [p.cursorParam ?? "since"]: Number(page.next ?? 0) } };
    },
    getBatchOrders: (req) => {
      const ids = idsOf(req);
      if (!Array.isArray(ids)) return ids;
      return envelope(200, "success", ids.flatMap((id) => (orders.has(id) ? [view(orders.get(id)!)] : [])));
    },
  };

  return startHttpMock({
    meta,
    port: opts.port,
    host: opts.host,
    authenticate,
    handlers,
    notFound: (m, p) => ({ status: 404, body: { code: 404, info: `no such endpoint: ${m} ${p}` } }),
    log: opts.log,
  });
}
