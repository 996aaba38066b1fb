/**
 * `tradeapi mock bhex`: a local BHEX broker Org API. Routes and example answers come from the
 * spec (every operation answers its vendor doc example, IDs above 2^53 intact); this file adds what
 * the spec cannot say:
 *
 * - Credentials: the `X-ACCESS-KEY` header and the `signature` parameter (HMAC-SHA256 over all
 *   other parameters, query and form) are checked on every call. The canonical string of any
 *   of the vendor's three demos (Java, Python, PHP: see src/auth/bhex.ts) is accepted, hex in
 *   either case, and the one matched is named in the log. A failure is answered the way
 *   the common doc shows its business errors: HTTP 400 `{"code":1105,"msg":"Username or
 *   password is incorrect (…why…)"}` (1105 is the only authentication code documented).
 * - Every documented GET is also accepted as a form POST, as the vendor demos send them.
 * - State: spot order create → get → cancel (and open_orders / org_batch_cancel over the
 *   orders created here); create with a client_order_id already used by that user answers the
 *   existing order (idempotent). Batch tasks (batch_transfer, air_drop, batch_lock_position,
 *   batch_unlock_position) → get_*_result with a status per item: 200, 31009 for a user id the
 *   emulator does not know (BHEX_MOCK_USER_IDS), 5 (an "other failure", the vendor doc's example
 *   value) for an amount that is not a positive decimal. Batch KYC updates answer per row the
 *   same way (resultCode).
 * - Multi-page data sets for from_id/to_id paging: account/balance_flow (string ids; the vendor doc's
 *   two records first) and statistics/lock_record (ids, userId and clientReqId above 2^53;
 *   the locks a batch_lock_position task made here come first, newest first).
 * - Lists answer what they are asked (src/mock/query-rows.ts, from the spec): parameters that
 *   name record fields filter the records (`user_id` → `userId`, `symbol_id`, `side`, ...;
 *   `x-row-field: false` where a same-named parameter means something else), and
 *   `x-pagination` pages them (from_id / to_id / limit). Paged lists without state of their
 *   own answer their example's records that way.
 * - statistics/download_data serves a real small .xlsx; 404 for dates before the documented
 *   start of that file type or not yet over, 403 when started with `downloadForbidden`.
 * - Failures the emulator detects in a request it accepted (unknown order, malformed items,
 *   unknown task, missing parameter) are answered with the envelope `{"status":1,"msg":…}`:
 *   the vendor doc documents status 0 only, so 1 is this emulator's own "failed" status. A handler
 *   that throws answers HTTP 500 `{"code":110,"msg":"Internal server error"}`.
 */
import { meta } from "../../generated/bhex-org.docs.js";
import { BHEX_SIGNATURE_VARIANTS, signBhexParams, type BhexSignatureVariant } from "../auth/bhex.js";
import { decodeBatchItems, type BhexBatchOperationId } from "../handwritten/bhex/items.js";
import type { ApiMeta, OperationMeta } from "../handwritten/core/meta.js";
import { exampleReply, exampleValue, startHttpMock, type HttpMock, type MockReply, type MockRequest } from "./http-mock.js";
import { paginationOf, queryRows, type Row } from "./query-rows.js";
import { buildXlsx } from "./xlsx.js";

export const BHEX_MOCK_ACCESS_KEY = "mock-bhex-access-key";
export const BHEX_MOCK_SECRET_KEY = "mock-bhex-secret-key";

/** User ids the emulator knows (the vendor doc's); batch items naming others get 31009. */
export const BHEX_MOCK_USER_IDS: ReadonlyArray<string> = [
  "83214971450163200",
  "231215678785585152",
  "97298429944266752",
  "83521968678633472",
  "217235926081077248",
  "241178519084990464",
  "255553800589323521",
  "270794507658851841",
  "376650750486486785",
  "385355808151729920",
  "391906699396551425",
  "490273181288998912",
];

export interface BhexMockOptions {
  port?: number;
  host?: string;
  accessKey?: string;
  secretKey?: string;
  log?: (line: string) => void;
  /** Records in each paged data set (default 23). */
  pagedRecords?: number;
  /** More user ids to treat as known. */
  knownUserIds?: ReadonlyArray<string>;
  /** Answer download_data with 403 (no permission). */
  downloadForbidden?: boolean;
  /** Clock (ms) for order times and the "not yet over" rule of download_data. */
  now?: () => number;
  /** Checked after authentication, before the handler: return a reply to inject a failure. */
  fault?: (req: MockRequest) => MockReply | undefined;
}

const VARIANT_NAMES: Record<BhexSignatureVariant, string> = {
  java: "java (names sorted, raw values; the vendor Java demo)",
  python: "python (whole k=v strings sorted; the vendor Python demo)",
  php: "php (ksort + http_build_query, URL-encoded; the vendor PHP demo)",
};

const STATUS_FAILED = 1;
const ITEM_OK = 200;
const ITEM_USER_ERROR = 31009;
const ITEM_OTHER_FAILURE = 5;

const ok = (data?: unknown): MockReply => ({ body: data === undefined ? { status: 0 } : { status: 0, msg: "Success", data } });
const failed = (msg: string): MockReply => ({ body: { status: STATUS_FAILED, msg } });
const authFailed = (why: string): MockReply => ({ status: 400, body: { code: 1105, msg: `Username or password is incorrect (${why})` } });
const internalError = (): MockReply => ({ status: 500, body: { code: 110, msg: "Internal server error" } });

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DECIMAL = /^\d+(\.\d+)?$/;

function toBig(v: string | undefined): bigint | undefined {
  return v !== undefined && /^-?\d+$/.test(v) ? BigInt(v) : undefined;
}

/** GET operations also answer as POST (the vendor demos post everything). */
function withPostAliases(m: ApiMeta): ApiMeta {
  const posted = new Set(m.operations.filter((o) => o.method === "POST").map((o) => o.path));
  const aliases = m.operations.filter((o) => o.method === "GET" && !posted.has(o.path)).map((o) => ({ ...o, method: "POST" as const }));
  return { ...m, operations: [...m.operations, ...aliases] };
}

interface MockOrder {
  orderId: bigint;
  userId: string;
  clientOrderId: string;
  symbolId: string;
  exchangeId: string;
  price: string;
  quantity: string;
  type: string;
  side: string;
  status: string;
  time: number;
}

interface BatchRow {
  cells: Record<string, unknown>;
  status: number;
}
interface BatchTask {
  id: string;
  clientOrderId: string;
  desc: string;
  rows: BatchRow[];
  polled: boolean;
}

/** Batch create operation → its result operation, the answer's task key and item fields. */
const BATCH_KINDS: Record<string, { result: string; taskKey: string; view: (c: Record<string, unknown>) => Record<string, unknown>; users: string[] }> = {
  financeBatchTransfer: {
    result: "financeGetBatchTransferResult",
    taskKey: "task",
    users: ["source_user_id", "target_user_id"],
    view: (c) => ({
      sourceUserId: c.source_user_id,
      targetUserId: c.target_user_id,
      tokenId: c.token_id,
      amount: c.amount,
      fromSourceLock: c.from_source_lock ?? false,
      toTargetLock: c.to_target_lock ?? false,
    }),
  },
  financeAirDrop: {
    result: "financeGetAirDropResult",
    taskKey: "transferTask",
    users: ["target_user_id"],
    view: (c) => ({ targetUserId: c.target_user_id, tokenId: c.token_id, amount: c.amount, toTargetLock: c.to_target_lock ?? false }),
  },
  financeBatchLockPosition: {
    result: "financeGetBatchLockPositionResult",
    taskKey: "task",
    users: ["user_id"],
    view: (c) => ({ userId: c.user_id, tokenId: c.token_id, amount: c.amount, desc: c.desc ?? "" }),
  },
  financeBatchUnlockPosition: {
    result: "financeGetBatchUnlockPositionResult",
    taskKey: "task",
    users: ["user_id"],
    view: (c) => ({ userId: c.user_id, tokenId: c.token_id, amount: c.amount, desc: c.desc ?? "" }),
  },
};

/** First day each history file type exists (statistics/download_data, vendor doc). */
function downloadStart(type: string): string {
  if (type.startsWith("user_")) return "2019-07-14";
  if (type === "balance_flow" || type === "contract_position") return "2019-10-31";
  if (type === "lock_position") return "2019-11-14";
  return "2019-06-24";
}

function opById(id: string): OperationMeta {
  const op = meta.operations.find((o) => o.operationId === id);
  if (!op) throw new Error(`no operation ${id} in the BHEX spec`);
  return op;
}

export async function startBhexMock(opts: BhexMockOptions = {}): Promise<HttpMock> {
  const accessKey = opts.accessKey ?? BHEX_MOCK_ACCESS_KEY;
  const secretKey = opts.secretKey ?? BHEX_MOCK_SECRET_KEY;
  const now = opts.now ?? Date.now;
  const users = new Set([...BHEX_MOCK_USER_IDS, ...(opts.knownUserIds ?? [])]);
  const pagedRecords = Math.max(0, opts.pagedRecords ?? 23);

  // ---- state ----
  const orders = new Map<bigint, MockOrder>();
  const byClientId = new Map<string, bigint>();
  // Order ids above 2^53 (the vendor doc's are 18 digits).
  let nextOrderId = 494003445757047808n;
  const tasks = new Map<string, BatchTask>();
  let nextTaskId = 100;

  // ---- paged data sets ----
  const flowExample = (exampleValue(opById("accountBalanceFlow")) as { data: Array<Record<string, unknown>> }).data;
  const balanceFlow: Array<Record<string, unknown>> = [];
  for (let i = 0; i < pagedRecords; i++) {
    const example = flowExample[i];
    if (example) balanceFlow.push(example);
    else {
      const prev = BigInt(String(balanceFlow[balanceFlow.length - 1]?.id ?? "392345285099050240"));
      balanceFlow.push({ ...flowExample[0], id: String(prev - 86_400_000n - BigInt(i)), created: String(1561507202690 - i * 86_400_000) });
    }
  }
  const lockExample = (exampleValue(opById("statisticsLockRecord")) as { data: Array<Record<string, unknown>> }).data[0]!;
  // Locks made here through batch_lock_position (newest first), above the generated ones.
  const madeLocks: Array<Record<string, unknown>> = [];
  let nextLockId = 9_007_199_254_742_001n;
  const lockRecords = (userId: string | undefined) => [
    ...madeLocks.filter((r) => String(r.userId) === String(toBig(userId) ?? "")),
    ...generatedLocks(userId),
  ];
  const generatedLocks = (userId: string | undefined) =>
    Array.from({ length: pagedRecords }, (_, i) => ({
      ...lockExample,
      id: 9_007_199_254_741_099n - BigInt(3 * i),
      userId: toBig(userId) ?? lockExample.userId,
      clientReqId: 410_722_994_621_856_001n + BigInt(i),
      createdTime: 1_560_821_724_749 - i * 1000,
      updatedTime: 1_560_821_724_749 - i * 1000,
    }));

  // ---- authentication ----
  const authenticate = (req: MockRequest): MockReply | undefined => {
    if (req.op.security.length === 0) return undefined;
    if (!req.headers["x-access-key"]) return authFailed("missing X-ACCESS-KEY header");
    if (req.headers["x-access-key"] !== accessKey) return authFailed("unknown X-ACCESS-KEY");
    const pairs = [...req.query, ...req.form];
    const sigs = pairs.filter(([k]) => k === "signature");
    if (sigs.length !== 1) return authFailed(sigs.length ? "more than one signature parameter" : "missing signature parameter");
    const signed: Record<string, string> = {};
    for (const [k, v] of pairs) if (k !== "signature") signed[k] = v;
    const given = sigs[0]![1].toLowerCase();
    // Variants whose canonical strings coincide for these params are all named.
    const hits = BHEX_SIGNATURE_VARIANTS.filter((v) => signBhexParams(signed, secretKey, { variant: v }) === given);
    if (hits.length === 0) return authFailed("signature mismatch");
    req.notes.push(`signature: ${hits.length > 1 ? `${hits.join(" = ")}, identical here` : VARIANT_NAMES[hits[0]!]}`);
    return opts.fault?.(req);
  };

  // ---- orders ----
  const orderView = (o: MockOrder) => ({
    time: String(o.time),
    orderId: String(o.orderId),
    accountId: "97298430070624256",
    clientOrderId: o.clientOrderId,
    symbolId: o.symbolId,
    symbolName: o.symbolId,
    baseTokenId: o.symbolId.replace(/USDT$|BTC$|ETH$/, ""),
    baseTokenName: o.symbolId.replace(/USDT$|BTC$|ETH$/, ""),
    quoteTokenId: /USDT$|BTC$|ETH$/.exec(o.symbolId)?.[0] ?? "USDT",
    quoteTokenName: /USDT$|BTC$|ETH$/.exec(o.symbolId)?.[0] ?? "USDT",
    price: o.price,
    origQty: o.quantity,
    executedQty: "0",
    executedAmount: "0",
    avgPrice: "0",
    type: o.type.toUpperCase(),
    side: o.side.toUpperCase(),
    fees: [],
    status: o.status,
    exchangeId: o.exchangeId,
  });
  const findOrder = (p: Record<string, string>): MockOrder | undefined => {
    const user = p.user_id ?? "";
    const byId = toBig(p.order_id);
    const id = byId ?? (p.client_order_id ? byClientId.get(`${user}:${p.client_order_id}`) : undefined);
    const o = id === undefined ? undefined : orders.get(id);
    return o && o.userId === user ? o : undefined;
  };
  const missing = (p: Record<string, string>, names: string[]) => names.filter((n) => p[n] === undefined || p[n] === "");

  // ---- batch tasks ----
  const rowStatus = (kind: (typeof BATCH_KINDS)[string], cells: Record<string, unknown>): number => {
    if (kind.users.some((u) => !users.has(String(cells[u])))) return ITEM_USER_ERROR;
    if (!DECIMAL.test(String(cells.amount)) || Number(cells.amount) <= 0) return ITEM_OTHER_FAILURE;
    return ITEM_OK;
  };
  const createTask = (opId: string) => (req: MockRequest): MockReply => {
    const p = req.params;
    const lack = missing(p, ["client_order_id", "data_type", "items"]);
    if (lack.length) return failed(`missing parameter ${lack.join(", ")}`);
    const kind = BATCH_KINDS[opId]!;
    const key = `${opId}:${p.client_order_id}`;
    let task = tasks.get(key);
    if (!task) {
      let rows: Array<Record<string, unknown>>;
      try {
        rows = decodeBatchItems(opId as BhexBatchOperationId, p.items!, p.data_type as "simple" | "json") as unknown as Array<Record<string, unknown>>;
      } catch (e) {
        return failed(e instanceof Error ? e.message : String(e));
      }
      const shared: Record<string, unknown> = {};
      if (p.business_subject) shared.business_subject = Number(p.business_subject);
      if (p.sub_business_subject) shared.sub_business_subject = Number(p.sub_business_subject);
      task = {
        id: String(nextTaskId++),
        clientOrderId: p.client_order_id!,
        desc: p.desc ?? "",
        rows: rows.map((r) => {
          const cells = { ...r, ...shared };
          return { cells, status: rowStatus(kind, cells) };
        }),
        polled: false,
      };
      tasks.set(key, task);
      if (opId === "financeBatchLockPosition") {
        for (const r of task.rows) {
          if (r.status !== ITEM_OK) continue;
          const t = now();
          madeLocks.unshift({
            ...lockExample,
            id: nextLockId++,
            userId: toBig(String(r.cells.user_id)) ?? String(r.cells.user_id),
            tokenId: String(r.cells.token_id),
            clientReqId: toBig(task.clientOrderId) ?? task.clientOrderId,
            lockAmount: String(r.cells.amount),
            lockReason: String(r.cells.desc ?? ""),
            createdTime: t,
            updatedTime: t,
          });
        }
      }
    }
    return ok({ id: task.id, clientOrderId: task.clientOrderId, desc: task.desc, status: task.polled ? 1 : 0 });
  };
  const taskResult = (opId: string) => (req: MockRequest): MockReply => {
    const kind = BATCH_KINDS[opId]!;
    const task = tasks.get(`${opId}:${req.params.client_order_id ?? ""}`);
    if (!task) return failed(`no ${opId} task with client_order_id ${JSON.stringify(req.params.client_order_id ?? "")}`);
    task.polled = true;
    return ok({
      [kind.taskKey]: { id: task.id, clientOrderId: task.clientOrderId, desc: task.desc, status: 1 },
      items: task.rows.map((r) => ({ ...kind.view(r.cells), status: r.status })),
    });
  };

  const handlers: Record<string, (req: MockRequest) => MockReply> = {
    basicTime: () => ok({ time: String(now()) }),

    orderCreate: (req) => {
      const p = req.params;
      const lack = missing(p, ["user_id", "exchange_id", "symbol_id", "client_order_id", "type", "side", "quantity"]);
      if (lack.length) return failed(`missing parameter ${lack.join(", ")}`);
      if (!["limit", "market", "limit_maker"].includes(p.type!)) return failed(`unknown order type ${p.type}`);
      if (!["buy", "sell"].includes(p.side!)) return failed(`unknown order side ${p.side}`);
      if (!DECIMAL.test(p.quantity!) || Number(p.quantity) <= 0) return failed("quantity must be a positive decimal");
      if (p.type !== "market" && (!p.price || !DECIMAL.test(p.price))) return failed("price is required for limit orders");
      const existing = byClientId.get(`${p.user_id}:${p.client_order_id}`);
      if (existing !== undefined) return ok(orderView(orders.get(existing)!));
      const o: MockOrder = {
        orderId: nextOrderId++,
        userId: p.user_id!,
        clientOrderId: p.client_order_id!,
        symbolId: p.symbol_id!,
        exchangeId: p.exchange_id!,
        price: p.type === "market" ? "0" : p.price!,
        quantity: p.quantity!,
        type: p.type!,
        side: p.side!,
        status: "NEW",
        time: now(),
      };
      orders.set(o.orderId, o);
      byClientId.set(`${o.userId}:${o.clientOrderId}`, o.orderId);
      return ok(orderView(o));
    },
    orderGet: (req) => {
      if (missing(req.params, ["order_id"]).length && missing(req.params, ["client_order_id"]).length) return failed("order_id or client_order_id is required");
      const o = findOrder(req.params);
      return o ? ok(orderView(o)) : failed("order not found");
    },
    orderCancel: (req) => {
      const o = findOrder(req.params);
      if (!o) return failed("order not found");
      if (o.status !== "NEW") return failed(`order is ${o.status}, cannot cancel`);
      o.status = "CANCELED";
      return ok({ success: true });
    },
    orderOrgBatchCancel: (req) => {
      for (const o of orders.values()) if (o.symbolId === req.params.symbol_id && o.status === "NEW") o.status = "CANCELED";
      return ok({ success: true });
    },
    orderOpenOrders: (req) => {
      const mine = [...orders.values()].filter((o) => o.userId === req.params.user_id);
      if (mine.length === 0) return exampleReply(req.op);
      const open = mine.filter((o) => o.status === "NEW").sort((a, b) => (a.orderId < b.orderId ? 1 : -1));
      return ok(queryRows(req.op, open.map(orderView), req.params).rows);
    },

    financeBatchTransfer: createTask("financeBatchTransfer"),
    financeAirDrop: createTask("financeAirDrop"),
    financeBatchLockPosition: createTask("financeBatchLockPosition"),
    financeBatchUnlockPosition: createTask("financeBatchUnlockPosition"),
    financeGetBatchTransferResult: taskResult("financeBatchTransfer"),
    financeGetAirDropResult: taskResult("financeAirDrop"),
    financeGetBatchLockPositionResult: taskResult("financeBatchLockPosition"),
    financeGetBatchUnlockPositionResult: taskResult("financeBatchUnlockPosition"),
    userBatchUpdateUserKycInfo: (req) => {
      const p = req.params;
      const lack = missing(p, ["user_id", "data_type", "items"]);
      if (lack.length) return failed(`missing parameter ${lack.join(", ")}`);
      let rows: Array<Record<string, unknown>>;
      try {
        rows = decodeBatchItems("userBatchUpdateUserKycInfo", p.items!, p.data_type as "json") as unknown as Array<Record<string, unknown>>;
      } catch (e) {
        return failed(e instanceof Error ? e.message : String(e));
      }
      return ok({
        results: rows.map((r) => {
          const known = users.has(String(r.user_id));
          return { userId: String(r.user_id), resultCode: known ? ITEM_OK : ITEM_USER_ERROR, resultMessage: known ? "Success" : "用户信息错误" };
        }),
      });
    },

    accountBalanceFlow: (req) => ok(queryRows(req.op, balanceFlow, req.params).rows),
    statisticsLockRecord: (req) => ok(queryRows(req.op, lockRecords(req.params.user_id), req.params).rows),

    statisticsDownloadData: (req) => {
      const { type = "", date = "" } = req.params;
      const types = (req.op.params.find((p) => p.name === "type")?.schema.enum ?? []).map(String);
      if (!types.includes(type)) return { status: 404, body: "Not Found", contentType: "text/plain" };
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return { status: 404, body: "Not Found", contentType: "text/plain" };
      if (opts.downloadForbidden) return { status: 403, body: "Forbidden", contentType: "text/plain" };
      const today = new Date(now()).toISOString().slice(0, 10);
      if (date < downloadStart(type) || date >= today) return { status: 404, body: "Not Found", contentType: "text/plain" };
      const rows = [
        ["date", "type", "userId", "accountId", "tokenId", "amount"],
        [date, type, "217235926081077248", "231215678938542080", "USDT", "2000.00000001"],
        [date, type, "83214971450163200", "97298430070624256", "BTC", "0.5"],
      ];
      return {
        body: buildXlsx(rows, `${type} ${date}`),
        contentType: XLSX,
        headers: { "content-disposition": `attachment; filename="${type}_${date}.xlsx"` },
      };
    },
  };

  // Every other paged list answers its example's records as the request selects them: the
  // parameters that name record fields filter (a user's records only), x-pagination pages.
  for (const op of meta.operations) {
    if (handlers[op.operationId] || !paginationOf(op)) continue;
    const example = exampleValue(op) as { data?: unknown } | unknown[] | undefined;
    const records = (Array.isArray(example) ? example : Array.isArray(example?.data) ? example.data : undefined) as Row[] | undefined;
    if (!records) continue;
    const bare = op.envelope === false;
    handlers[op.operationId] = (req) => {
      const page = queryRows(req.op, records, req.params).rows;
      return bare ? { body: page } : ok(page);
    };
  }

  const guarded: typeof handlers = {};
  for (const [id, h] of Object.entries(handlers)) {
    guarded[id] = (req) => {
      try {
        return h(req);
      } catch (e) {
        opts.log?.(`handler ${id} failed: ${e instanceof Error ? e.message : String(e)}`);
        return internalError();
      }
    };
  }

  return startHttpMock({
    meta: withPostAliases(meta),
    port: opts.port,
    host: opts.host,
    authenticate,
    handlers: guarded,
    notFound: (m, p) => ({ status: 404, body: { code: 404, msg: `no such endpoint: ${m} ${p}` } }),
    log: opts.log,
  });
}
