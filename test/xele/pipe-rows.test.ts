import { describe, expect, it } from "vitest";
import { meta } from "../../generated/xele-mgmt.docs.js";
import { AuthError, ResponseFormatError } from "../../src/handwritten/core/errors.js";
import { stringifyJson } from "../../src/handwritten/core/json.js";
import {
  columnSets,
  columnsForVersion,
  compareCounterVersions,
  decodePipeAnswer,
  decodePipeRows,
  LAYOUT_CACHE_MAX,
  MAX_PIPE_COLUMNS,
  PipeRowsError,
  type PipeRowsLayout,
} from "../../src/handwritten/xele/pipe-rows.js";
import { pipeRowsOf } from "../../src/handwritten/xele/spec-info.js";

const layoutOf = (id: string): PipeRowsLayout => pipeRowsOf(meta.operations.find((o) => o.operationId === id)!)!;
const ORDERS = layoutOf("queryOrders");
const POSITIONS = layoutOf("getPositions");
const ALARMS = layoutOf("getAlarmRecords");
const RATES = layoutOf("getInvestorRates");
const HISTORY = layoutOf("getOrderHistory");

/** One order's cells by column name (the values a counter would send). */
const CELLS: Record<string, string> = {
  InvestorId: "777001",
  OrderSysId: "1024",
  OrderUserId: "7",
  ExchangeOrderId: "12345678901234567890",
  UserRef: "3",
  OrderType: "正常",
  DelegateType: "限价FAK",
  AppID: "client_app_1.0",
  MFL: "1",
  SeatId: "000101",
  InstrumentId: "au2212",
  Direction: "买",
  CombOffsetFlag: "开仓",
  OrderStatus: "全部成交",
  OrderPrice: "400.5000",
  OrderVolume: "2",
  NobarginVolume: "0",
  BarginVolume: "2",
  OrderTime: "15:27:02",
  InsertTime: "2022-10-25 14:29:31.071",
  ErrCode: "0",
  ErrMsg: "",
  TradingDay: "20221025",
  UpdateTime: "2022-10-25 14:29:31.071",
  HedgeFlag: "投机",
};
const TYPED: Record<string, unknown> = {
  ...CELLS,
  OrderSysId: 1024,
  OrderUserId: 7,
  ExchangeOrderId: 12345678901234567890n,
  UserRef: 3,
  MFL: 1,
  ErrCode: 0,
};

function orderAnswer(version: string, opts: { header: boolean; rows?: number; announce?: number }) {
  const cols = columnsForVersion(ORDERS.columns, version).map((c) => c.name);
  const rows = Array.from({ length: opts.rows ?? 2 }, () => cols.map((c) => CELLS[c]).join("|"));
  const head = `MS,OrderQry,1.0.3,${cols.length},${opts.announce ?? rows.length},${cols.join("|")}`;
  return { cols, text: [...(opts.header ? [head] : []), ...rows].join("\n") };
}

describe("counter versions", () => {
  it("orders versions and picks each version's OrderQry columns from the spec's `since`", () => {
    expect(["007P7", "003", "007P10", "007", "007P9"].sort(compareCounterVersions)).toEqual(["003", "007", "007P7", "007P9", "007P10"]);
    expect(columnsForVersion(ORDERS.columns, "002")).toHaveLength(20);
    expect(columnsForVersion(ORDERS.columns, "003")).toHaveLength(22);
    expect(columnsForVersion(ORDERS.columns, "007")).toHaveLength(23);
    expect(columnsForVersion(ORDERS.columns, "007P7")).toHaveLength(25);
    expect(columnSets(ORDERS.columns).map((s) => s.length)).toEqual([20, 22, 23, 25]);
  });
});

describe.each([
  { version: "002", header: true },
  { version: "003", header: true },
  { version: "007", header: true },
  { version: "007P7", header: true },
  { version: "002", header: false },
  { version: "003", header: false },
  { version: "007", header: false },
  { version: "007P7", header: false },
])("OrderQry from counter $version (header: $header)", ({ version, header }) => {
  it("decodes by the columns that version sends, typed per the spec", () => {
    const { cols, text } = orderAnswer(version, { header });
    const answer = decodePipeAnswer(text, { layout: ORDERS });
    expect(answer.header?.fields ?? null).toEqual(header ? cols : null);
    expect(answer.rows).toHaveLength(2);
    const row = answer.rows[0]!.toJSON();
    expect(Object.keys(row)).toEqual(cols);
    expect(row).toEqual(Object.fromEntries(cols.map((c) => [c, TYPED[c]])));
    // Columns the counter did not send are absent, not shifted.
    if (!cols.includes("AppID")) expect((answer.rows[0] as Record<string, unknown>).AppID).toBeUndefined();
  });
});

describe("decodePipeRows", () => {
  it("keeps exact digits for 8-byte exchange order IDs (bigint above 2^53, number below)", () => {
    const cols = ORDERS.columns.map((c) => c.name);
    const line = (id: string) => cols.map((c) => (c === "ExchangeOrderId" ? id : CELLS[c])).join("|");
    const text = [`MS,OrderQry,1.0.3,25,3,${cols.join("|")}`, line("18446744073709551615"), line("9007199254740993"), line("42")].join("\n");
    const ids = decodePipeRows(text, { layout: ORDERS }).map((r) => (r as Record<string, unknown>).ExchangeOrderId);
    expect(ids).toEqual([18446744073709551615n, 9007199254740993n, 42]);
  });

  it("a bad row anywhere in a long answer is found up front and named by its line (rows are checked in runs of 1024)", () => {
    const cols = ORDERS.columns.map((c) => c.name);
    const good = cols.map((c) => CELLS[c]).join("|");
    const rows = 5000;
    const lines = Array.from({ length: rows }, () => good);
    const text = (bad: number, cell: string) => {
      const copy = [...lines];
      copy[bad] = cols.map((c) => (c === "OrderSysId" ? cell : CELLS[c])).join("|");
      return [`MS,OrderQry,1.0.3,25,${rows},${cols.join("|")}`, ...copy].join("\n") + "\n";
    };
    expect(decodePipeRows(text(0, "1024"), { layout: ORDERS })).toHaveLength(rows);
    for (const bad of [1, 1023, 1024, 1025, 1026, 2049, 3000, rows - 2]) {
      for (const cell of ["2x", "2|3"]) {
        let err: unknown;
        try {
          decodePipeRows(text(bad, cell), { layout: ORDERS });
        } catch (e) {
          err = e;
        }
        expect(err, `row ${bad + 1}, ${cell}`).toBeInstanceOf(PipeRowsError);
        expect((err as PipeRowsError).line, `row ${bad + 1}, ${cell}`).toBe(bad + 2);
      }
    }
  });

  it("an int column (typed number) holding a value past ±(2^53 - 1) is a PipeRowsError naming the column and line, in any row, never a bigint", () => {
    const cols = ORDERS.columns.map((c) => c.name);
    const line = (sysId: string) => cols.map((c) => (c === "OrderSysId" ? sysId : CELLS[c])).join("|");
    const head = (n: number) => `MS,OrderQry,1.0.3,25,${n},${cols.join("|")}`;
    // The edge: 2^53 - 1 (16 digits) is a number; the int64 column keeps its bigint.
    const edge = decodePipeRows<Record<string, unknown>>([head(2), line("9007199254740991"), line("-9007199254740991")].join("\n"), { layout: ORDERS });
    expect(edge.map((r) => r.OrderSysId)).toEqual([9007199254740991, -9007199254740991]);
    expect(edge[0]!.ExchangeOrderId).toBe(12345678901234567890n);
    for (const big of ["9007199254740992", "-9007199254740992", "99999999999999999999", "18446744073709551615"]) {
      // First, middle and last row; default check and check: "on-read" (then when read).
      for (const at of [0, 1, 2]) {
        const ids = ["1", "2", "3"];
        ids[at] = big;
        const text = [head(3), ...ids.map(line)].join("\n");
        let err: unknown;
        try {
          decodePipeRows(text, { layout: ORDERS, context: { api: "xele", operation: "queryOrders" } });
        } catch (e) {
          err = e;
        }
        expect(err, `${big} in row ${at + 1}`).toBeInstanceOf(PipeRowsError);
        expect((err as PipeRowsError).line).toBe(at + 2);
        expect((err as PipeRowsError).problem).toBe("value");
        expect((err as Error).message).toMatch(`xele queryOrders: "|" row answer: line ${at + 2}: column OrderSysId: ${JSON.stringify(big)} is beyond ±(2^53 - 1), too large for an int column (a number) (body starts: "777001|${big}|`);
        if (at === 1) {
          const lazy = decodePipeRows<Record<string, unknown>>(text, { layout: ORDERS, check: "on-read" });
          expect(() => lazy[1]!.OrderSysId).toThrow(PipeRowsError);
        }
      }
    }
  });

  it("keeps fields with commas, quotes, spaces and Chinese verbatim; decimals stay text", () => {
    const msg = ` 价格超出涨跌停板, "price" 'out', of range  `;
    const cols = ORDERS.columns.map((c) => c.name);
    const text = [`MS,OrderQry,1.0.3,25,1,${cols.join("|")}`, cols.map((c) => (c === "ErrMsg" ? msg : c === "OrderPrice" ? "0.10000000" : CELLS[c])).join("|")].join("\n");
    const [row] = decodePipeRows<Record<string, unknown>>(text, { layout: ORDERS });
    expect(row!.ErrMsg).toBe(msg);
    expect(row!.OrderPrice).toBe("0.10000000");
    expect(stringifyJson(row)).toContain(JSON.stringify(msg));
  });

  it("decodes positions with the spec example's header (PosiQry, 18 columns)", () => {
    const example = meta.operations.find((o) => o.operationId === "getPositions")!.responses["200"]!.example!;
    const [row] = decodePipeRows<Record<string, unknown>>(example, { layout: POSITIONS });
    expect(row!.toJSON()).toMatchObject({ InvestorId: "777001", InvestorName: "张三", BoughtPositionSum: "2", LastPrice: "400.5000", Margin: "80100.0000", HedgeFlag: "投机" });
  });

  it("maps the vendor doc's header spellings (Exchangeld, Investorld) to the spec's names and does not check an undocumented kind", () => {
    const text = "MS,SomethingElse,1.0.3,9,1,Exchangeld|Investorld|InvestorName|ProductId|InstrumentId|PrcType|CurPrcValue|PrcState|UpdateTime\nSHFE|777001|张三|au|au2212|OpenLimit|950|严重|2025-10-13 10:12:01.004";
    const [row] = decodePipeRows<Record<string, unknown>>(text, { layout: ALARMS });
    expect(row!.toJSON()).toEqual({
      ExchangeId: "SHFE",
      InvestorId: "777001",
      InvestorName: "张三",
      ProductId: "au",
      InstrumentId: "au2212",
      PrcType: "OpenLimit",
      CurPrcValue: 950,
      PrcState: "严重",
      UpdateTime: "2025-10-13 10:12:01.004",
    });
  });

  it("keeps columns a newer counter adds, as strings under their header name", () => {
    const cols = [...ORDERS.columns.map((c) => c.name), "FutureColumn"];
    const text = `MS,OrderQry,1.0.4,26,1,${cols.join("|")}\n${[...ORDERS.columns.map((c) => CELLS[c.name]), "42"].join("|")}`;
    const [row] = decodePipeRows(text, { layout: ORDERS });
    expect(row!.toJSON().FutureColumn).toBe("42");
    expect(row!.toJSON().OrderSysId).toBe(1024);
  });

  it("uses the spec's fixed columns for header-less answers (rates, order history)", () => {
    const rates = decodePipeRows(meta.operations.find((o) => o.operationId === "getInvestorRates")!.responses["200"]!.example!, { layout: RATES });
    expect(rates[0]!.toJSON()).toMatchObject({ InvestorId: "777001", InstrumentId: "au001", OpenRatioByMoney: "0.000050", VolumeMultiple: 1000 });
    const history = decodePipeRows("60|10|50|0\r\n62|10|51|0\r\n", { layout: HISTORY });
    expect(history.map((r) => r.toJSON())).toEqual([
      { OrderTimes: 60, CancelTimes: 10, TradeTimes: 50, ErrorVolume: 0 },
      { OrderTimes: 62, CancelTimes: 10, TradeTimes: 51, ErrorVolume: 0 },
    ]);
  });

  it("decodes an empty int cell as null", () => {
    const [row] = decodePipeRows<Record<string, unknown>>("60||50|0", { layout: HISTORY });
    expect(row!.CancelTimes).toBeNull();
  });

  it("rows behave as objects where it matters: for…in, JSON, toMatchObject, inspect", () => {
    const [row] = decodePipeRows("60|10|50|0", { layout: HISTORY });
    const keys: string[] = [];
    for (const k in row) keys.push(k);
    expect(keys).toEqual(["OrderTimes", "CancelTimes", "TradeTimes", "ErrorVolume"]);
    expect(JSON.parse(JSON.stringify(row))).toEqual({ OrderTimes: 60, CancelTimes: 10, TradeTimes: 50, ErrorVolume: 0 });
    expect(row).toMatchObject({ OrderTimes: 60, ErrorVolume: 0 });
  });
});

describe("answer location: raw body or the JSON envelope's result", () => {
  const text = "MS,PosiQry,1.0.3,18,1,InvestorId|InvestorName|InstrumentId|BoughtPositionSum|BoughtPosition|OldBoughtPosition|SoldPositionSum|SoldPosition|OldSoldPosition|CloseOldBoughtPosition|CloseOldSoldPosition|LastPrice|UpperLimitPrice|LowerLimitPrice|LongMargin|ShortMargin|Margin|HedgeFlag\n777001|张三|au2212|2|1|1|0|0|0|1|0|400.5000|420.0000|380.0000|80100.0000|0.0000|80100.0000|投机";
  const forms: Array<{ name: string; answer: unknown }> = [
    { name: "raw text", answer: text },
    { name: "raw bytes", answer: new TextEncoder().encode(text) },
    { name: "envelope object", answer: { code: 0, msg: "成功", result: text } },
    { name: "envelope as JSON text", answer: JSON.stringify({ code: 0, msg: "成功", result: text }) },
    { name: "envelope with an array of lines", answer: { code: 0, msg: "成功", result: text.split("\n") } },
    { name: "text with a BOM and a trailing newline", answer: `\uFEFF${text}\n` },
  ];
  it.each(forms)("$name", ({ answer }) => {
    const rows = decodePipeRows<Record<string, unknown>>(answer, { layout: POSITIONS });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.InstrumentId).toBe("au2212");
  });

  it("a non-zero code in the envelope is the ApiError from the spec's table", () => {
    const err = (() => {
      try {
        decodePipeRows('{"code":109,"msg":"无效token"}', { layout: POSITIONS });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe(109);
  });
});

describe("empty answers", () => {
  it.each([
    { name: "empty body", answer: "" },
    { name: "blank lines", answer: "\n\r\n" },
    { name: "envelope without result", answer: { code: 0, msg: "成功" } },
    { name: "envelope with empty result", answer: { code: 0, msg: "成功", result: "" } },
    { name: "header announcing 0 rows", answer: `MS,OrderQry,1.0.3,25,0,${ORDERS.columns.map((c) => c.name).join("|")}` },
    { name: "header announcing 0 rows, trailing newline", answer: `MS,OrderQry,1.0.3,25,0,${ORDERS.columns.map((c) => c.name).join("|")}\n` },
  ])("$name → []", ({ answer }) => {
    expect(decodePipeRows(answer, { layout: ORDERS })).toEqual([]);
  });
});

describe("malformed and truncated answers raise PipeRowsError, never a partial list", () => {
  const cols = ORDERS.columns.map((c) => c.name);
  const row = cols.map((c) => CELLS[c]).join("|");
  const head = (n: number, count = 25, names = cols) => `MS,OrderQry,1.0.3,${count},${n},${names.join("|")}`;
  const cases: Array<{ name: string; text: string; line: number; problem: string; message: RegExp }> = [
    { name: "fewer rows than the header announces", text: [head(3), row, row].join("\n"), line: 0, problem: "row-count", message: /truncated: the header announces 3 rows but the answer ends after 2/ },
    { name: "more rows than announced", text: [head(1), row, row].join("\n"), line: 0, problem: "row-count", message: /announces 1 rows but the answer has 2/ },
    { name: "last row cut short", text: [head(2), row, row.slice(0, 40)].join("\n"), line: 3, problem: "columns", message: /expected 25 \(the last line: the answer looks truncated\)/ },
    { name: "header column count disagrees with its list", text: [head(1, 24), row].join("\n"), line: 1, problem: "header", message: /announces 24 columns but lists 25 names/ },
    { name: "header row count not a number", text: [head(1).replace(",1,Inv", ",x,Inv"), row].join("\n"), line: 1, problem: "header", message: /row count "x"/ },
    { name: "header of another kind", text: [head(1).replace("OrderQry", "PosiQry"), row].join("\n"), line: 1, problem: "kind", message: /header kind "PosiQry", expected "OrderQry"/ },
    { name: "header listing a column twice", text: [head(1, 25, [...cols.slice(0, 24), "InvestorId"]), row].join("\n"), line: 1, problem: "header", message: /twice/ },
    { name: "first row with an extra field", text: [head(1), `${row}|x`].join("\n"), line: 2, problem: "columns", message: /has 26 fields, expected 25/ },
    { name: "non-integer in an int column", text: [head(1), row.replace("|1024|", "|10a4|")].join("\n"), line: 2, problem: "value", message: /column OrderSysId: "10a4" is not an integer/ },
    { name: "header-less rows matching no known layout", text: "a|b|c", line: 1, problem: "columns", message: /has 3 fields; the known layouts have 20, 22, 23, 25/ },
    ...["toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "toLocaleString", "__defineGetter__", "toJSON", "constructor", "__proto__"].map((name) => ({
      // A getter named like an Object.prototype member would break `${row}`, `row + ""`, row.hasOwnProperty(…).
      name: `header naming a column ${name}`,
      text: [head(1, 25, [...cols.slice(0, 24), name]), row].join("\n"),
      line: 1,
      problem: "header",
      message: new RegExp(`header column name "${name}" is not allowed`),
    })),
    { name: "envelope naming a member twice (not the last one winning)", text: '{"code":109,"msg":"无效token","code":0,"result":""}', line: 0, problem: "envelope", message: /the JSON envelope has "code" twice/ },
    { name: "envelope that is not JSON", text: '{"code":0,"result":"', line: 0, problem: "envelope", message: /not valid JSON/ },
    { name: "empty line inside the answer", text: [head(2), row, "", row].join("\n"), line: 3, problem: "columns", message: /empty line/ },
  ];
  it.each(cases)("$name", ({ text, line, problem, message }) => {
    let err: unknown;
    try {
      decodePipeRows(text, { layout: ORDERS, context: { api: "xele", operation: "queryOrders" } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PipeRowsError);
    expect(err).toBeInstanceOf(ResponseFormatError);
    expect((err as PipeRowsError).line).toBe(line);
    expect((err as PipeRowsError).problem).toBe(problem);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/^xele queryOrders: /);
  });

  it("every row is checked before anything is returned: a bad last row followed by blank lines, the second of two rows, a 5000-digit integer in a middle row", () => {
    const bad = row.replace("|1024|", "|x|");
    const cases: Array<[string, number, RegExp]> = [
      [[head(2), row, bad, "", ""].join("\r\n"), 3, /line 3: column OrderSysId: "x" is not an integer/],
      [`${[head(2), row, `${row}|extra`].join("\r\n")}\r\n\r\n`, 3, /line 3: has 26 fields, expected 25/],
      [[head(2), row, bad].join("\n"), 3, /line 3: column OrderSysId/],
      [[head(3), row, row.replace("|12345678901234567890|", `|${"9".repeat(5000)}|`), row].join("\n"), 3, /line 3: column ExchangeOrderId: an integer of 5000 digits, more than the 4300 read/],
      [[head(4), row, row, row.replace("|12345678901234567890|", `|${"9".repeat(4301)}|`), row].join("\n"), 4, /line 4: column ExchangeOrderId: an integer of 4301 digits/],
    ];
    for (const [text, line, message] of cases) {
      let err: unknown;
      try {
        decodePipeRows(text, { layout: ORDERS });
      } catch (e) {
        err = e;
      }
      expect(err, text.slice(-60)).toBeInstanceOf(PipeRowsError);
      expect((err as PipeRowsError).line).toBe(line);
      expect((err as Error).message).toMatch(message);
    }
    // check: "on-read" still checks the last row (not the blank line after it) up front.
    expect(() => decodePipeRows([head(3), row, row, bad, "", ""].join("\r\n"), { layout: ORDERS, check: "on-read" })).toThrow(/line 4: column OrderSysId/);
    // 4300 digits is the most an int64 cell may have, in every row.
    const long = row.replace("|12345678901234567890|", `|${"9".repeat(4300)}|`);
    expect(decodePipeRows([head(3), row, long, row].join("\n"), { layout: ORDERS })).toHaveLength(3);
  });

  it("a malformed middle row throws at once (default), or when it is read with check: on-read", () => {
    const text = [head(3), row, row.replace("|2|0|2|", "|2|0|"), row].join("\n");
    expect(() => decodePipeRows(text, { layout: ORDERS })).toThrow(/line 3: has 24 fields, expected 25/);
    expect(() => decodePipeRows(text, { layout: ORDERS, check: "all" })).toThrow(PipeRowsError);
    const lazy = decodePipeRows<Record<string, unknown>>(text, { layout: ORDERS, check: "on-read" });
    expect(lazy[0]!.OrderSysId).toBe(1024);
    expect(() => lazy[1]!.OrderSysId).toThrow(PipeRowsError);
    expect(() => lazy[1]!.toJSON()).toThrow(/line 3: has 24 fields, expected 25/);
  });

  it.each([
    { name: "an extra field", edit: (r: string) => `${r}|x` },
    { name: "a letter in an integer column", edit: (r: string) => r.replace("|1024|", "|10a4|") },
    { name: "a lone minus in an integer column", edit: (r: string) => r.replace("|1024|", "|-|") },
  ])("every row is checked by default: $name in a middle row of many", ({ edit }) => {
    const body = Array.from({ length: 50 }, (_, i) => (i === 31 ? edit(row) : row));
    expect(() => decodePipeRows([head(50), ...body].join("\n"), { layout: ORDERS })).toThrow(/line 33:/);
    expect(decodePipeRows([head(50), ...Array(50).fill(row)].join("\r\n"), { layout: ORDERS })).toHaveLength(50);
  });
});

describe("a hostile header's fields in messages", () => {
  it.each([
    ["column count", `MS,OrderQry,1.0.3,${"x".repeat(1_000_000)},1,InvestorId\n1`],
    ["row count", `MS,OrderQry,1.0.3,1,${"x".repeat(1_000_000)},InvestorId\n1`],
    ["column name listed twice", `MS,OrderQry,1.0.3,2,1,${"C".repeat(1_000_000)}|${"C".repeat(1_000_000)}\n1|2`],
    ["kind", `MS,${"K".repeat(1_000_000)},1.0.3,1,1,InvestorId\n1`],
  ])("%s of a megabyte: quoted cut after 60 characters (the message was a megabyte)", (_what, text) => {
    const e = (() => {
      try {
        decodePipeRows(text, { layout: ORDERS });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(PipeRowsError);
    expect((e as Error).message.length).toBeLessThan(1_000);
    expect((e as Error).message).toMatch(/…"/);
  });
});

describe("row layouts from the server's header lines", () => {
  it("a server sending a new header with each answer does not grow the layout cache without bound", () => {
    // Row classes are built per distinct header; the first LAYOUT_CACHE_MAX are kept and reused.
    const layoutOf = (cols: string) => decodePipeAnswer(`MS,Custom,1.0,2,1,${cols}\n1|2`).rows[0]!.constructor;
    const first = "A|B";
    expect(layoutOf(first)).toBe(layoutOf(first));
    for (let i = 0; i < LAYOUT_CACHE_MAX + 50; i++) layoutOf(`A${i}|B`);
    expect(layoutOf(first)).toBe(layoutOf(first));
    // Past the limit a header's layout is built for its answer and not kept (not reused).
    const late = `Late${Date.now()}|B`;
    const a = decodePipeAnswer<Record<string, unknown>>(`MS,Custom,1.0,2,1,${late}\n1|2`).rows[0]!;
    expect(a.constructor).not.toBe(layoutOf(late));
    expect(a.toJSON()).toEqual({ [late.split("|")[0]!]: "1", B: "2" });
  });

  it(`a header of more than MAX_PIPE_COLUMNS (${MAX_PIPE_COLUMNS}) columns is a PipeRowsError naming the limit, before its list is split; ${MAX_PIPE_COLUMNS} decode`, () => {
    const answer = (n: number, announced = n) => {
      const row = Array(n).fill("x").join("|");
      return `MS,Custom,1.0,${announced},3,${Array.from({ length: n }, (_, i) => `c${i}`).join("|")}\n${row}\n${row}\n${row}`;
    };
    expect(decodePipeRows(answer(MAX_PIPE_COLUMNS))).toHaveLength(3);
    // 200,000 names (1.5 MB): refused at once (it took seconds to build its row class).
    for (const [text, what] of [
      [answer(MAX_PIPE_COLUMNS + 1), "one too many"],
      [answer(200_000), "200,000"],
      [answer(2, 99_999), "announced"],
      [`MS,Custom,1.0,${"9".repeat(400)},1,a|b\nx|y`, "a count no double holds"],
    ] as const) {
      let error: unknown;
      try {
        decodePipeRows(text);
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(PipeRowsError);
      expect(error, what).toMatchObject({ line: 1, problem: "header" });
      expect((error as Error).message, what).toContain(`more than ${MAX_PIPE_COLUMNS} columns`);
    }
  });
});
