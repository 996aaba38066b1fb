/**
 * `tradeapi mock xt`: a local XT spot v1 server. Routes and example answers come from the
 * spec; this file adds the signature check (307 bad access key / 308 bad signature, as the
 * real service answers) and enough order state for order → getOrder → cancel, batch orders
 * and batch cancel.
 */
import { meta } from "../../generated/xt-spot.meta.js";
import { signXtParams } from "../auth/xt.js";
import { parseJson } from "../handwritten/core/json.js";
import type { OperationMeta } from "../handwritten/core/meta.js";
import { startHttpMock, type HttpMock, type MockReply, type MockRequest } from "./http-mock.js";

export const XT_MOCK_ACCESS_KEY = "mock-access-key";
export const XT_MOCK_SECRET_KEY = "mock-secret-key";

export interface XtMockOptions {
  port?: number;
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
    const { signature, ...rest } = params;
    const decoded: Record<string, string> = {};
    for (const [k, v] of Object.entries(rest)) decoded[k] = isBase64Field(req.op, k) ? Buffer.from(v, "base64").toString("utf8") : v;
    // The vendor doc signs the decoded batch JSON; the vendor SDKs sign the base64 text: accept both.
    if (signature !== signXtParams(decoded, secretKey) && signature !== signXtParams(rest, secretKey)) {
      return envelope(308, "signature check failed");
    }
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
      const page = Math.max(1, Number(req.params.page ?? 1));
      const size = Math.min(1000, Math.max(10, Number(req.params.pageSize ?? 10)));
      const open = [...orders.values()].filter((o) => o.market === req.params.market && o.status <= 1);
      return envelope(200, "success", open.slice((page - 1) * size, page * size).map(view));
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
    authenticate,
    handlers,
    notFound: (m, p) => ({ status: 404, body: { code: 404, info: `no such endpoint: ${m} ${p}` } }),
    log: opts.log,
  });
}
