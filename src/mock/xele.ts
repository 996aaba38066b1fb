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
 *   does not take → 108; an operation newer than the emulated counter (x-since) → 101.
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
 *   codes, trading-permission / risk / alarm templates.
 * - Counters for tests: logins, requests and the highest number of concurrent requests per
 *   server, and the decoded requests received (`received`, the last 500, at most 16 MiB of request text).
 *
 * `settings` may be changed while running (e.g. the counter version between two calls).
 */
import { randomBytes } from "node:crypto";
import { meta } from "../../generated/xele-mgmt.docs.js";
import { parseJson } from "../handwritten/core/json.js";
import type { ApiMeta, OperationMeta } from "../handwritten/core/meta.js";
import { columnsForVersion, compareCounterVersions, type PipeColumn } from "../handwritten/xele/pipe-rows.js";
import { checkSchema } from "../handwritten/xele/request-schema.js";
import { pipeRowsOf, requestSchemaOf, serverOf, type XeleServer } from "../handwritten/xele/spec-info.js";
import type { SchemaMeta } from "../handwritten/core/meta.js";
import { exampleValue, startHttpMock, StreamedBody, type HttpMock, type MockReply, type MockRequest } from "./http-mock.js";
import { pageRows, paginationOf, pagingParams, rowFilter, type Row, type RowFilter } from "./query-rows.js";

export const XELE_MOCK_USERNAME = "admin";
export const XELE_MOCK_PASSWORD = "xele-mock-password";

export interface XeleMockSettings {
  /** Emulated counter version (003, 007, 007P7, 007P8, 007P9); default 007P9. */
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

export interface XeleMockOptions extends Partial<XeleMockSettings> {
  /** MA port (0: any free port). */
  maPort?: number;
  /** MS port (0: any free port). */
  msPort?: number;
  host?: string;
  username?: string;
  password?: string;
  /** One line per request (method, path, status; never a token). */
  log?: (line: string) => void;
}

export interface ReceivedRequest {
  server: XeleServer;
  operationId: string;
  method: string;
  /** Was the JSON in `?params=` (base64)? */
  viaParams: boolean;
  /** The raw `params` query value, when used. */
  params?: string;
  /** The decoded JSON request. */
  json: Record<string, unknown>;
}

export interface XeleMock {
  maUrl: string;
  msUrl: string;
  ma: HttpMock;
  ms: HttpMock;
  settings: XeleMockSettings;
  stats: {
    logins: number;
    requests: Record<XeleServer, number>;
    inFlight: Record<XeleServer, number>;
    maxInFlight: Record<XeleServer, number>;
  };
  received: ReceivedRequest[];
  /** Make every issued token invalid (the next request answers 109). */
  expireTokens(): void;
  close(): Promise<void>;
}

const OK_MSG = "成功";
type Json = Record<string, unknown>;

function messageOf(code: number): string {
  return String(meta.errorCodes[String(code)]?.message ?? "");
}

const reply = (body: unknown): MockReply => ({ body });
const ok = (result?: unknown): MockReply => reply(result === undefined ? { code: 0, msg: OK_MSG } : { code: 0, msg: OK_MSG, result });
const fail = (code: number, detail?: string): MockReply => reply({ code, msg: detail ? `${messageOf(code)} (${detail})` : messageOf(code) });
const synced = (): MockReply => reply({ code: 0, msg: OK_MSG, comment: [] });

const nowText = () => new Date().toISOString().replace("T", " ").slice(0, 19);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serverMeta(server: XeleServer): ApiMeta {
  return { ...meta, operations: meta.operations.filter((o) => serverOf(o) === server) };
}

function resultOf(op: OperationMeta): Json[] {
  const v = exampleValue(op) as Json | undefined;
  return Array.isArray(v?.result) ? structuredClone(v.result as Json[]) : [];
}

function opById(id: string): OperationMeta {
  const op = meta.operations.find((o) => o.operationId === id);
  if (!op) throw new Error(`xele spec has no operation ${id}`);
  return op;
}

// ---- "|" rows ----

const EXCHANGE_ORDER_ID_BASE = 12345678901234567890n;
const STATUSES = ["全部成交", "部分成交还在队列", "未成交还在队列", "撤单", "错单"];

/** One order's value for each OrderQry column (index i); unknown columns are "". */
const ORDER_CELLS: Record<string, (i: number) => string> = {
  InvestorId: (i) => `77700${i % 3}`,
  OrderSysId: (i) => String(1000 + i),
  OrderUserId: (i) => String(i + 1),
  ExchangeOrderId: (i) => String(EXCHANGE_ORDER_ID_BASE + BigInt(i)),
  UserRef: (i) => String(i % 100),
  OrderType: () => "正常",
  DelegateType: (i) => (i % 4 === 3 ? "限价FAK" : "限价GFD"),
  AppID: () => "client_app_1.0",
  MFL: () => "1",
  SeatId: () => "000101",
  InstrumentId: (i) => (i % 2 ? "ag2212" : "au2212"),
  Direction: (i) => (i % 2 ? "卖" : "买"),
  CombOffsetFlag: (i) => (i % 3 === 2 ? "平仓" : "开仓"),
  OrderStatus: (i) => STATUSES[i % STATUSES.length]!,
  OrderPrice: (i) => (400 + (i % 100) / 10).toFixed(4),
  OrderVolume: (i) => String(1 + (i % 9)),
  NobarginVolume: () => "0",
  BarginVolume: (i) => String(1 + (i % 9)),
  OrderTime: () => "15:27:02",
  InsertTime: () => "2022-10-25 14:29:31.071",
  ErrCode: (i) => (i % STATUSES.length === 4 ? "1001" : "0"),
  // A message with the characters a decoder must keep: comma, quotes, spaces, Chinese.
  ErrMsg: (i) => (i % STATUSES.length === 4 ? `价格超出涨跌停板, "price" out of range  ` : ""),
  TradingDay: () => "20221025",
  UpdateTime: () => "2022-10-25 14:29:31.071",
  HedgeFlag: () => "投机",
};

function orderRow(columns: readonly PipeColumn[], i: number): string {
  return columns.map((c) => ORDER_CELLS[c.name]?.(i) ?? "").join("|");
}

function headerLine(kind: string, columns: readonly string[], rows: number): string {
  return `MS,${kind},1.0.3,${columns.length},${rows},${columns.join("|")}`;
}

const POSITIONS = [
  "777001|张三|au2212|2|1|1|0|0|0|1|0|400.5000|420.0000|380.0000|80100.0000|0.0000|80100.0000|投机",
  "777001|张三|ag2212|0|0|0|3|3|0|0|0|5200.0000|5460.0000|4940.0000|0.0000|46800.0000|46800.0000|投机",
  "777002|李 四, \"Lee\"|au2212|1|1|0|0|0|0|0|0|400.5000|420.0000|380.0000|40050.0000|0.0000|40050.0000|套利",
];
const RATES = [
  "777001|au2212|0.000050|0.000000|0.000050|0.000000|0.000000|0.000000|0.080000|0.080000|1000",
  "777002|ag2212|0.000000|1.500000|0.000000|1.500000|0.000000|0.000000|0.090000|0.090000|15",
];
const HISTORY = ["60|10|50|0", "62|10|51|0", "70|12|55|1"];
/** The alarm-record header in the vendor doc's own spellings (Exchangeld, Investorld). */
const ALARM_FIELDS = ["Exchangeld", "Investorld", "InvestorName", "ProductId", "InstrumentId", "PrcType", "CurPrcValue", "PrcState", "UpdateTime"];
const ALARMS = [
  "SHFE|777001|张三|au|au2212|CancelLimitByPro|2700|告警|2025-10-13 10:11:25.123",
  "SHFE|777002|李四|ag|ag2212|OpenLimit|950|严重|2025-10-13 10:12:01.004",
];

// ---- the emulator ----

export async function startXeleMock(opts: XeleMockOptions = {}): Promise<XeleMock> {
  const settings: XeleMockSettings = {
    counterVersion: opts.counterVersion ?? "007P9",
    orderQryHeader: opts.orderQryHeader ?? "auto",
    pipeRowsIn: opts.pipeRowsIn ?? "result",
    orders: opts.orders ?? 3,
    tokenTtlMs: opts.tokenTtlMs ?? 30 * 60_000,
    latencyMs: opts.latencyMs ?? 0,
  };
  const username = opts.username ?? XELE_MOCK_USERNAME;
  const password = opts.password ?? XELE_MOCK_PASSWORD;
  const tokens = new Map<string, number>();
  const stats: XeleMock["stats"] = {
    logins: 0,
    requests: { MA: 0, MS: 0 },
    inFlight: { MA: 0, MS: 0 },
    maxInFlight: { MA: 0, MS: 0 },
  };
  const received: ReceivedRequest[] = [];
  const receivedSizes: number[] = [];
  let receivedChars = 0;
  const decoded = new WeakMap<MockRequest, Json>();

  // State of the write operations, seeded from the spec's examples.
  const cash = resultOf(opById("getCashInOut"));
  const fronts = resultOf(opById("getFrontControls"));
  const authCodes = resultOf(opById("getAuthCodes"));
  const templates: Record<string, Map<string, Json>> = {
    trade: new Map(resultOf(opById("getTradeTemplates")).map((t) => [String(t.templ), t])),
    risk: new Map(resultOf(opById("getRiskTemplates")).map((t) => [String(t.templ), t])),
    alarm: new Map(resultOf(opById("getAlarmConfigs")).map((t) => [String(t.templ), t])),
  };

  const pipeReply = (text: string): MockReply =>
    settings.pipeRowsIn === "body" ? { body: text, contentType: "text/plain; charset=utf-8" } : ok(text);

  /** Read the JSON request (base64 params for GET, else the body) and check it strictly. */
  const authenticate = (server: XeleServer) => async (req: MockRequest): Promise<MockReply | undefined> => {
    stats.requests[server]++;
    if (settings.latencyMs > 0) await sleep(settings.latencyMs);
    const op = req.op;
    let text = req.rawBody;
    const params = req.method === "GET" ? req.query.find(([k]) => k === "params")?.[1] : undefined;
    if (params !== undefined) {
      if (params.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(params)) return fail(104, "params is not base64");
      text = Buffer.from(params, "base64").toString("utf8");
    }
    let json: unknown;
    try {
      json = text.trim() === "" ? undefined : parseJson(text);
    } catch {
      json = undefined;
    }
    if (!json || typeof json !== "object" || Array.isArray(json)) return fail(104, "the request is not a JSON object");
    const request = json as Json;
    received.push({ server, operationId: op.operationId, method: req.method, viaParams: params !== undefined, ...(params !== undefined ? { params } : {}), json: request });
    receivedSizes.push(text.length);
    receivedChars += text.length;
    while (received.length > 500 || (receivedChars > 16 * 1024 * 1024 && received.length > 1)) {
      received.shift();
      receivedChars -= receivedSizes.shift()!;
    }
    const since = op.since;
    if (typeof since === "string" && compareCounterVersions(settings.counterVersion, since) < 0) {
      return fail(101, `${op.path} needs counter ${since}; this counter is ${settings.counterVersion}`);
    }
    const problems = checkSchema(request, requestSchemaOf(op));
    const first = (kind: string) => problems.find((p) => p.kind === kind);
    const unknown = first("unknown");
    if (unknown) return fail(103, unknown.path);
    const structural = first("missing") ?? first("type");
    if (structural) return fail(115, structural.message);
    const value = first("value");
    if (value) return fail(/^(protocl_version|client_version)$/.test(value.path) ? 105 : 116, value.message);
    if (op.security.length > 0) {
      const token = request.token;
      const expires = typeof token === "string" ? tokens.get(token) : undefined;
      if (expires === undefined || expires <= Date.now()) {
        if (typeof token === "string") tokens.delete(token);
        return fail(109);
      }
    }
    decoded.set(req, request);
    return undefined;
  };

  const dataOf = (req: MockRequest): Json => (decoded.get(req)?.data ?? {}) as Json;
  const arrayDataOf = (req: MockRequest): Json[] => (decoded.get(req)?.data ?? []) as Json[];

  const templateHandlers = (store: Map<string, Json>, prefix: "Trade" | "Risk" | "Alarm", getId: string) => ({
    [getId]: () => ok([...store.values()]),
    [`create${prefix}${prefix === "Alarm" ? "Config" : "Template"}`]: (req: MockRequest) => {
      const { sync_flag: _sync, ...t } = dataOf(req);
      if (store.has(String(t.templ))) return fail(112, `template ${String(t.templ)} exists`);
      store.set(String(t.templ), t);
      return synced();
    },
    [`update${prefix}${prefix === "Alarm" ? "Config" : "Template"}`]: (req: MockRequest) => {
      const { sync_flag: _sync, templ_new, ...t } = dataOf(req);
      const name = String(t.templ);
      if (!store.has(name)) return fail(106, `no template ${name}`);
      store.delete(name);
      const renamed = typeof templ_new === "string" && templ_new !== "" ? templ_new : name;
      store.set(renamed, { ...t, templ: renamed });
      return synced();
    },
    [`delete${prefix}${prefix === "Alarm" ? "Config" : "Template"}`]: (req: MockRequest) => {
      const name = String(dataOf(req).templ);
      return store.delete(name) ? synced() : fail(113, `no template ${name}`);
    },
  });

  /** The request's conditions (its `data`) as a row filter over `columns` (see query-rows.ts). */
  const filterOf = (req: MockRequest, columns: ReadonlyArray<string>): RowFilter => {
    const props = ((requestSchemaOf(req.op).properties?.data as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) as Record<string, SchemaMeta>;
    return rowFilter(dataOf(req), columns, { ignore: pagingParams(paginationOf(req.op)), schemaOf: (n) => props[n] });
  };
  /** Fixed "|" rows (in the spec's column order) that the request selects, paged by x-pagination. */
  const selectLines = (req: MockRequest, lines: ReadonlyArray<string>): string[] => {
    const columns = pipeRowsOf(req.op)!.columns.map((c) => c.name);
    const keep = filterOf(req, columns);
    const rows = lines.map((l) => {
      const cells = l.split("|");
      return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ""])) as Row;
    });
    return pageRows(rows.filter(keep), dataOf(req), paginationOf(req.op)).rows.map((r) => columns.map((c) => String(r[c])).join("|"));
  };

  const orderLayout = pipeRowsOf(opById("queryOrders"))!;
  const orderCellNames = Object.keys(ORDER_CELLS);
  const ordersAnswer = (req: MockRequest): MockReply => {
    const columns = columnsForVersion(orderLayout.columns, settings.counterVersion);
    const keep = filterOf(req, orderCellNames);
    // Without conditions every generated order matches and nothing is held; with conditions
    // the matching indexes are kept (4 bytes each), so 200 000 orders stay cheap.
    let indexes: ArrayLike<number> | undefined;
    if (keep.applied.length > 0) {
      const hits: number[] = [];
      for (let i = 0; i < settings.orders; i++) {
        const row: Record<string, string> = {};
        for (const name of orderCellNames) row[name] = ORDER_CELLS[name]!(i);
        if (keep(row)) hits.push(i);
      }
      indexes = Int32Array.from(hits);
    }
    const matching = indexes ? indexes.length : settings.orders;
    // max_result_count (x-pagination style newest): the newest N matching orders, i.e. the last N.
    const max = Number(dataOf(req).max_result_count ?? 0);
    const count = max > 0 ? Math.min(max, matching) : matching;
    const skip = matching - count;
    const indexAt = (k: number) => (indexes ? indexes[skip + k]! : skip + k);
    const header =
      settings.orderQryHeader === "always" ||
      (settings.orderQryHeader === "auto" && compareCounterVersions(settings.counterVersion, orderLayout.headerSince ?? "0") >= 0);
    const head = header ? `${headerLine("OrderQry", columns.map((c) => c.name), count)}\n` : "";
    if (count <= 1000) {
      const rows = Array.from({ length: count }, (_, k) => orderRow(columns, indexAt(k)));
      return pipeReply(head + rows.join("\n"));
    }
    const asJson = settings.pipeRowsIn === "result";
    async function* chunks(): AsyncGenerator<string> {
      const escape = (s: string) => (asJson ? JSON.stringify(s).slice(1, -1) : s);
      yield asJson ? `{"code":0,"msg":"${OK_MSG}","result":"${escape(head)}` : head;
      const per = 2000;
      for (let from = 0; from < count; from += per) {
        const to = Math.min(count, from + per);
        let text = "";
        for (let k = from; k < to; k++) text += (k ? "\n" : "") + orderRow(columns, indexAt(k));
        yield escape(text);
      }
      if (asJson) yield '"}';
    }
    return {
      body: new StreamedBody(chunks()),
      contentType: asJson ? "application/json; charset=utf-8" : "text/plain; charset=utf-8",
    };
  };

  const handlers: Record<string, (req: MockRequest) => MockReply> = {
    login: (req) => {
      const body = decoded.get(req) ?? {};
      if (body.username !== username || body.password !== password) return fail(114, "wrong user name or password");
      const ticket = randomBytes(16).toString("hex");
      tokens.set(ticket, Date.now() + settings.tokenTtlMs);
      stats.logins++;
      return reply({ code: 0, msg: OK_MSG, ticket, username });
    },
    getCashInOut: (req) => ok(cash.filter(filterOf(req, Object.keys(cash[0] ?? { investor_id: "" })))),
    createCashInOut: (req) => {
      const d = dataOf(req);
      const unique_id = Math.max(0, ...cash.map((r) => Number(r.unique_id))) + 1;
      cash.push({ unique_id, investor_name: "", operator: "", ...d, status: 0, update_time: nowText() });
      return ok();
    },
    auditCashInOut: (req) => {
      const d = dataOf(req);
      const rec = cash.find((r) => r.unique_id === Number(d.unique_id));
      if (!rec) return fail(106, `no record ${String(d.unique_id)}`);
      rec.status = d.status;
      rec.update_time = nowText();
      return ok();
    },
    getFrontControls: (req) => ok(fronts.filter(filterOf(req, Object.keys(fronts[0] ?? {})))),
    updateFrontControls: (req) => {
      for (const item of arrayDataOf(req)) {
        const f = fronts.find((x) => x.exchange_id === item.exchange_id && x.seat_index === item.seat_index);
        if (!f) return fail(110, `${String(item.exchange_id)} seat ${String(item.seat_index)}`);
        Object.assign(f, item, { update_time: nowText() });
      }
      return ok();
    },
    exportClientSystemInfo: (req) => {
      const day = String(dataOf(req).trading_day);
      if (day === "19700101") return pipeReply("");
      return pipeReply(
        [
          `clientinfo${day}.txt`,
          `777001|client_app_1.0|Windows 10|00:1A:2B:3C:4D:5E|192.168.2.58|${day} 09:00:01`,
          `777002|李四的终端, "v2"|Linux 5.15|00:1A:2B:3C:4D:5F|192.168.2.59|${day} 09:00:02`,
        ].join("\n"),
      );
    },
    getPositions: (req) => {
      const cols = pipeRowsOf(opById("getPositions"))!.columns.map((c) => c.name);
      const rows = selectLines(req, POSITIONS);
      return pipeReply([headerLine("PosiQry", cols, rows.length), ...rows].join("\n"));
    },
    getInvestorRates: (req) => pipeReply(selectLines(req, RATES).join("\n")),
    getOrderHistory: () => pipeReply(HISTORY.join("\n")),
    queryOrders: ordersAnswer,
    getAlarmRecords: (req) => {
      const rows = selectLines(req, ALARMS);
      return pipeReply([headerLine("PrcAlarmQry", ALARM_FIELDS, rows.length), ...rows].join("\n"));
    },
    getAuthCodes: () => ok(authCodes),
    createAuthCode: (req) => {
      const d = dataOf(req);
      const unique_id = Math.max(0, ...authCodes.map((r) => Number(r.unique_id))) + 1;
      authCodes.push({ unique_id, ...d, update_time: nowText() });
      return ok();
    },
    updateAuthCode: (req) => {
      const d = dataOf(req);
      const rec = authCodes.find((r) => r.unique_id === Number(d.unique_id));
      if (!rec) return fail(106, `no auth code ${String(d.unique_id)}`);
      Object.assign(rec, d, { update_time: nowText() });
      return ok();
    },
    deleteAuthCode: (req) => {
      const i = authCodes.findIndex((r) => r.unique_id === Number(dataOf(req).unique_id));
      if (i < 0) return fail(113, `no auth code ${String(dataOf(req).unique_id)}`);
      authCodes.splice(i, 1);
      return ok();
    },
    ...templateHandlers(templates.trade!, "Trade", "getTradeTemplates"),
    ...templateHandlers(templates.risk!, "Risk", "getRiskTemplates"),
    ...templateHandlers(templates.alarm!, "Alarm", "getAlarmConfigs"),
  };

  // Every other query whose answer is a list of records answers its example's records that
  // its conditions select (read-only data: the spec's example is all the emulator knows).
  for (const op of meta.operations) {
    if (handlers[op.operationId] || op.method !== "GET" || pipeRowsOf(op)) continue;
    const records = resultOf(op);
    if (records.length === 0 || typeof records[0] !== "object") continue;
    const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
    handlers[op.operationId] = (req) => ok(pageRows(records.filter(filterOf(req, columns)), dataOf(req), paginationOf(req.op)).rows);
  }

  const notFound = (server: XeleServer) => (method: string, path: string): MockReply => {
    const here = meta.operations.filter((o) => o.path === path && serverOf(o) === server);
    if (here.length) return fail(108, `${method} ${path}; allowed: ${here.map((o) => o.method).join(", ")}`);
    const there = meta.operations.find((o) => o.path === path);
    return fail(101, there ? `${path} is served by ${serverOf(there)}, this is ${server}` : path);
  };

  const start = async (server: XeleServer, port: number | undefined): Promise<HttpMock> => {
    const mock = await startHttpMock({
      meta: serverMeta(server),
      port,
      host: opts.host,
      authenticate: authenticate(server),
      handlers,
      notFound: notFound(server),
      log: opts.log ? (line) => opts.log!(`${server} ${line}`) : undefined,
    });
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
    stats,
    received,
    expireTokens: () => tokens.clear(),
    close: async () => {
      await Promise.all([ma.close(), ms.close()]);
    },
  };
}
