/**
 * The Xele emulator's "|" row answers: generated OrderQry rows for the emulated counter
 * version (streamed when large), the fixed position / rate / history / alarm rows, and the
 * selection of rows a request's conditions ask for (src/mock/query-rows.ts).
 */
import type { SchemaMeta } from "../../handwritten/core/meta.js";
import { columnsForVersion, compareCounterVersions, type PipeColumn } from "../../handwritten/xele/pipe-rows.js";
import { pipeRowsOf, requestSchemaOf } from "../../handwritten/xele/spec-info.js";
import { emulatorJson } from "../decimal-text.js";
import { StreamedBody, type MockReply, type MockRequest } from "../http-mock.js";
import { pageRows, paginationOf, pagingParams, rowFilter, type Row, type RowFilter } from "../query-rows.js";
import { OK_MSG, ok, opById } from "./replies.js";
import type { XeleState } from "./state.js";

const EXCHANGE_ORDER_ID_BASE = 12345678901234567890n;
/** EXCHANGE_ORDER_ID_BASE's digits above the last 9, and its last 9 (a row's id is made without a BigInt). */
const ID_HIGH = Number(EXCHANGE_ORDER_ID_BASE / 1_000_000_000n);
const ID_LOW = Number(EXCHANGE_ORDER_ID_BASE % 1_000_000_000n);
const STATUSES = ["全部成交", "部分成交还在队列", "未成交还在队列", "撤单", "错单"];

/** One order's value for each OrderQry column (index i); unknown columns are "". */
const ORDER_CELLS: Record<string, (i: number) => string> = {
  InvestorId: (i) => `77700${i % 3}`,
  OrderSysId: (i) => String(1000 + i),
  OrderUserId: (i) => String(i + 1),
  // EXCHANGE_ORDER_ID_BASE + i (i < 2^31: the sum of the low parts is a safe integer)
  ExchangeOrderId: (i) => {
    const low = ID_LOW + i;
    return `${ID_HIGH + Math.floor(low / 1e9)}${String(low % 1e9).padStart(9, "0")}`;
  },
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

export function headerLine(kind: string, columns: readonly string[], rows: number): string {
  return `MS,${kind},1.0.3,${columns.length},${rows},${columns.join("|")}`;
}

export const POSITIONS = [
  "777001|张三|au2212|2|1|1|0|0|0|1|0|400.5000|420.0000|380.0000|80100.0000|0.0000|80100.0000|投机",
  "777001|张三|ag2212|0|0|0|3|3|0|0|0|5200.0000|5460.0000|4940.0000|0.0000|46800.0000|46800.0000|投机",
  "777002|李 四, \"Lee\"|au2212|1|1|0|0|0|0|0|0|400.5000|420.0000|380.0000|40050.0000|0.0000|40050.0000|套利",
];
export const RATES = [
  "777001|au2212|0.000050|0.000000|0.000050|0.000000|0.000000|0.000000|0.080000|0.080000|1000",
  "777002|ag2212|0.000000|1.500000|0.000000|1.500000|0.000000|0.000000|0.090000|0.090000|15",
];
export const HISTORY = ["60|10|50|0", "62|10|51|0", "70|12|55|1"];
/** The alarm-record header in the vendor doc's own spellings (Exchangeld, Investorld). */
export const ALARM_FIELDS = ["Exchangeld", "Investorld", "InvestorName", "ProductId", "InstrumentId", "PrcType", "CurPrcValue", "PrcState", "UpdateTime"];
export const ALARMS = [
  "SHFE|777001|张三|au|au2212|CancelLimitByPro|2700|告警|2025-10-13 10:11:25.123",
  "SHFE|777002|李四|ag|ag2212|OpenLimit|950|严重|2025-10-13 10:12:01.004",
];

/**
 * The fixed rows each operation answers (cells in the spec's column order), and the header
 * names it sends with them where they are not the spec's own (the alarm records' vendor spellings).
 */
export const FIXED_ROWS: Readonly<Record<string, { rows: ReadonlyArray<string>; header?: ReadonlyArray<string> }>> = {
  getPositions: { rows: POSITIONS },
  getInvestorRates: { rows: RATES },
  getOrderHistory: { rows: HISTORY },
  getAlarmRecords: { rows: ALARMS, header: ALARM_FIELDS },
};

/**
 * A fixed row whose cell count is not the spec's column count would be labelled by the wrong
 * columns (a column inserted in the spec shifts every cell after it): an error naming the
 * operation and both counts, never cells padded or cut.
 */
export function checkFixedRows(operationId: string, lines: ReadonlyArray<string>, columns: number, header?: ReadonlyArray<string>): void {
  const fix = "update the emulator's fixed rows (src/mock/xele/rows.ts) to the spec's x-pipe-rows columns";
  if (header && header.length !== columns) throw new Error(`Xele emulator: ${operationId}: its header names ${header.length} columns, the spec's x-pipe-rows has ${columns}; ${fix}`);
  lines.forEach((line, i) => {
    const cells = line.split("|").length;
    if (cells !== columns) throw new Error(`Xele emulator: ${operationId}: fixed row ${i + 1} has ${cells} cells, the spec's x-pipe-rows has ${columns} columns; ${fix}`);
  });
}

/** Every operation's fixed rows against the spec (when the emulator is built). */
export function checkAllFixedRows(): void {
  for (const [id, { rows, header }] of Object.entries(FIXED_ROWS)) {
    const layout = pipeRowsOf(opById(id as Parameters<typeof opById>[0]));
    if (!layout) throw new Error(`Xele emulator: ${id}: the spec no longer gives its answer as "|" rows (x-pipe-rows), but the emulator has fixed rows for it (src/mock/xele/rows.ts)`);
    checkFixedRows(id, rows, layout.columns.length, header);
  }
}

/** "|" rows in the envelope's `result` or as the raw text body (settings.pipeRowsIn). */
export function pipeReply(st: XeleState, text: string): MockReply {
  return st.settings.pipeRowsIn === "body" ? { body: text, contentType: "text/plain; charset=utf-8" } : ok(text);
}

/** The request's conditions (its `data`) as a row filter over `columns` (see query-rows.ts). */
export function filterOf(st: XeleState, req: MockRequest, columns: ReadonlyArray<string>): RowFilter {
  const props = ((requestSchemaOf(req.op).properties?.data as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) as Record<string, SchemaMeta>;
  return rowFilter(st.dataOf(req), columns, { ignore: pagingParams(paginationOf(req.op)), schemaOf: (n) => (Object.hasOwn(props, n) ? props[n] : undefined) });
}

/** Fixed "|" rows (in the spec's column order) that the request selects, paged by x-pagination. */
export function selectLines(st: XeleState, req: MockRequest, lines: ReadonlyArray<string>): string[] {
  const columns = pipeRowsOf(req.op)!.columns.map((c) => c.name);
  checkFixedRows(req.op.operationId, lines, columns.length);
  const keep = filterOf(st, req, columns);
  const rows = lines.map((l) => {
    const cells = l.split("|");
    return Object.fromEntries(columns.map((c, i) => [c, cells[i]!])) as Row;
  });
  return pageRows(rows.filter(keep), st.dataOf(req), paginationOf(req.op)).rows.map((r) => columns.map((c) => String(r[c])).join("|"));
}

const orderLayout = pipeRowsOf(opById("queryOrders"))!;
const orderCellNames = Object.keys(ORDER_CELLS);

/**
 * Generated orders a filter is run over at once, in the handler. A larger table is scanned in
 * slices of at most SCAN_SLICE_MS inside the streamed answer, the event loop free between them:
 * a scan of 200,000 orders held the emulator (every other request, its own clients' too) for
 * 1 to 70 s; at once, 1,000,000 orders with a fuzzy search take a few hundred ms.
 */
const SCAN_AT_ONCE = 50_000;
const SCAN_SLICE_MS = 10;

/**
 * Scan generated orders `from` on with `keep`, pushing the index of each it selects to `hits`,
 * until `end` or (checked every 1,024 orders) `ms` have passed; returns where it stopped. Only
 * the columns the filter reads are made (an order's 25 cells were made to test one).
 */
function scanOrders(keep: RowFilter, hits: number[], from: number, end: number, ms: number): number {
  const cells = keep.reads.filter((n) => Object.hasOwn(ORDER_CELLS, n)).map((n) => [n, ORDER_CELLS[n]!] as const);
  const row: Record<string, string> = {};
  const started = performance.now();
  for (let i = from; i < end; i++) {
    for (const [name, cell] of cells) row[name] = cell(i);
    if (keep(row)) hits.push(i);
    if ((i & 1023) === 1023 && performance.now() - started > ms) return i + 1;
  }
  return end;
}

/** queryOrders: the OrderQry rows of the emulated counter, streamed above 1 000 rows. */
export function ordersAnswer(st: XeleState, req: MockRequest): MockReply {
  const keep = filterOf(st, req, orderCellNames);
  // Without conditions every generated order matches and nothing is held; with conditions the
  // matching indexes are kept (4 bytes each), so 200 000 orders stay cheap.
  if (keep.applied.length === 0) return ordersOf(st, req, undefined);
  const total = st.settings.orders;
  if (total <= SCAN_AT_ONCE) {
    const hits: number[] = [];
    scanOrders(keep, hits, 0, total, Infinity);
    return ordersOf(st, req, Int32Array.from(hits));
  }
  async function* scanThenAnswer(): AsyncGenerator<string> {
    const hits: number[] = [];
    for (let at = 0; at < total; ) {
      at = scanOrders(keep, hits, at, total, SCAN_SLICE_MS);
      if (at < total) await new Promise((resolve) => setImmediate(resolve));
      if (st.closed) return;
    }
    // (the same bytes as a table scanned at once: a streamed answer's chunks, or the whole text)
    const answer = ordersOf(st, req, Int32Array.from(hits));
    if (answer.body instanceof StreamedBody) yield* answer.body.chunks as AsyncIterable<string>;
    else yield typeof answer.body === "string" ? answer.body : emulatorJson(answer.body);
  }
  return { body: new StreamedBody(scanThenAnswer()), contentType: streamedType(st) };
}

const streamedType = (st: XeleState) => (st.settings.pipeRowsIn === "result" ? "application/json; charset=utf-8" : "text/plain; charset=utf-8");

/** The answer of the generated orders at `indexes` (all of them when undefined). */
function ordersOf(st: XeleState, req: MockRequest, indexes: ArrayLike<number> | undefined): MockReply {
  const { settings } = st;
  const columns = columnsForVersion(orderLayout.columns, settings.counterVersion);
  const matching = indexes ? indexes.length : settings.orders;
  // max_result_count (x-pagination style newest): the newest N matching orders, i.e. the last N.
  const max = Number(st.dataOf(req).max_result_count ?? 0);
  const count = max > 0 ? Math.min(max, matching) : matching;
  const skip = matching - count;
  const indexAt = (k: number) => (indexes ? indexes[skip + k]! : skip + k);
  const header =
    settings.orderQryHeader === "always" ||
    (settings.orderQryHeader === "auto" && compareCounterVersions(settings.counterVersion, orderLayout.headerSince ?? "0") >= 0);
  const head = header ? `${headerLine("OrderQry", columns.map((c) => c.name), count)}\n` : "";
  if (count <= 1000) {
    const rows = Array.from({ length: count }, (_, k) => orderRow(columns, indexAt(k)));
    return pipeReply(st, head + rows.join("\n"));
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
  return { body: new StreamedBody(chunks()), contentType: streamedType(st) };
}
