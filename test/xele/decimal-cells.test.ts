/**
 * Decimal cells (prices, margins, rates, the PosiQry positions, the OrderQry volumes) are
 * checked as integer cells are: the vendor's document calls them numeric strings, "101.0003",
 * so a cell must be an optional minus, digits and an optional "." with digits (empty: null).
 * Anything else (`abc`, `1.2.3`, `NaN`, `1e`, ` 5` …) is a `PipeRowsError` naming the
 * operation, the line and the column, from `call()` and `streamRows` alike, wherever the row is
 * (the first and last rows are checked directly, the others by the buffered decoder's regex
 * pass). Through the public client, its servers an injected `fetch`, and the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, recordingFetch } from "../helpers/recording-fetch.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { decodePipeRowStream } from "../../src/handwritten/xele/pipe-row-stream.js";
import { checkPipeRow, decodePipeRows, PipeRowsError } from "../../src/handwritten/xele/pipe-rows.js";
import { pipeRowsOf } from "../../src/handwritten/xele/spec-info.js";
import { meta } from "../../generated/xele-mgmt.docs.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";

const POSI_FIELDS = [
  "InvestorId", "InvestorName", "InstrumentId", "BoughtPositionSum", "BoughtPosition", "OldBoughtPosition", "SoldPositionSum", "SoldPosition", "OldSoldPosition",
  "CloseOldBoughtPosition", "CloseOldSoldPosition", "LastPrice", "UpperLimitPrice", "LowerLimitPrice", "LongMargin", "ShortMargin", "Margin", "HedgeFlag",
];
const ROW = "777001|张三|au2212|2|1|1|0|0|0|1|0|400.5000|420.0000|380.0000|80100.0000|0.0000|80100.0000|投机";

/** A PosiQry answer of `rows` rows (header first), row `at` (0-based) with `cell` in `column`. */
function positions(rows: number, at: number, column: string, cell: string): string {
  const lines = Array.from({ length: rows }, (_, i) => {
    const cells = ROW.split("|");
    if (i === at) cells[POSI_FIELDS.indexOf(column)] = cell;
    return cells.join("|");
  });
  return [`MS,PosiQry,1.0.3,18,${rows},${POSI_FIELDS.join("|")}`, ...lines].join("\n");
}

const text = (body: string) => new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });

/** A body sent in pieces: each line its own chunk (a server's socket, not one buffer). */
const chunked = (body: string, contentType = "text/plain; charset=utf-8") => {
  const enc = new TextEncoder();
  const pieces = body.split(/(?<=\n)/);
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = pieces.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(enc.encode(next));
      },
    }),
    { headers: { "content-type": contentType } },
  );
};

/** A client whose servers answer `/login` with a ticket and every other path with `answer()`. */
function clientAnswering(answer: () => Response) {
  const { fetch } = recordingFetch(async (req) => (req.url.pathname === "/login" ? json({ code: 0, msg: "成功", ticket: "tok-decimal" }) : answer()));
  return createXeleClient({ maUrl: "http://ma.test", msUrl: "http://ms.test", username: "u", password: "pw-decimal", fetch, retry: false });
}

async function callError(client: ReturnType<typeof clientAnswering>, op: "getPositions" | "queryOrders" | "getInvestorRates"): Promise<unknown> {
  return client.call(op, {}).then(
    (rows) => `resolved with ${rows.length} rows`,
    (e: unknown) => e,
  );
}

/** What streamRows yielded before it threw, and what it threw. */
async function streamError(client: ReturnType<typeof clientAnswering>, op: "getPositions" | "queryOrders" | "getInvestorRates") {
  const rows: unknown[] = [];
  try {
    for await (const r of client.streamRows(op, {})) rows.push(r.toJSON());
  } catch (error) {
    return { rows, error };
  }
  return { rows, error: `ended after ${rows.length} rows` };
}

// Each was passed through as a decimal, and `Number()` or a decimal library read it as NaN, a
// different number, or threw far from the answer.
const NOT_DECIMAL = ["abc", "1.2.3", "--5", "-", "0x10", "NaN", "Infinity", "-Infinity", " 5", "5 ", "1e", "1e+", "1E-", "e5", "1.e5", "inf", "+5", ".5", "5.", "-.5", "1,5", "１２", "\t7", "400.5000x"];

function expectDecimalError(error: unknown, op: string, line: number, column: string, cell: string): void {
  expect(error).toBeInstanceOf(PipeRowsError);
  const e = error as PipeRowsError;
  expect(e.line).toBe(line);
  expect(e.problem).toBe("value");
  expect(e.message.startsWith(`xele ${op}: "|" row answer: line ${line}: column ${column}: ${JSON.stringify(cell)} is not a decimal (`)).toBe(true);
  expect(e.message).toContain(`is not a decimal (an optional "-", digits, an optional fraction and exponent: "101.0003", "5e-05")`);
}

describe.each([
  ["the first row", 0],
  ["a middle row", 2],
  ["the last row", 4],
])("a decimal cell that is no decimal text, in %s of five", (_where, at) => {
  it.each(NOT_DECIMAL)("%j: call() (raw body and envelope) refuses the answer, naming the operation, line and column", async (cell) => {
    const body = positions(5, at, "LastPrice", cell);
    expectDecimalError(await callError(clientAnswering(() => text(body)), "getPositions"), "getPositions", at + 2, "LastPrice", cell);
    expectDecimalError(await callError(clientAnswering(() => json({ code: 0, msg: "成功", result: body })), "getPositions"), "getPositions", at + 2, "LastPrice", cell);
  });

  it.each(NOT_DECIMAL)("%j: streamRows throws the same error, having yielded none of the row (only rows before it)", async (cell) => {
    const body = positions(5, at, "BoughtPosition", cell);
    for (const answer of [() => chunked(body), () => chunked(JSON.stringify({ code: 0, msg: "成功", result: body }), "application/json")]) {
      const { rows, error } = await streamError(clientAnswering(answer), "getPositions");
      // (rows before it that arrived with it in one piece are not handed over either)
      expect(rows.length).toBeLessThanOrEqual(at);
      for (const r of rows) expect(r).toMatchObject({ BoughtPosition: "1" });
      expectDecimalError(error, "getPositions", at + 2, "BoughtPosition", cell);
    }
  });
});

describe("every decimal layout is checked", () => {
  const orders = pipeRowsOf(meta.operations.find((o) => o.operationId === "queryOrders")!)!;
  // An OrderQry row of a counter before 003 (20 columns, no header): read with that version's columns.
  const before003 = orders.columns.filter((c) => !c.since);
  const orderRow = (price: string, volume: string) =>
    before003.map((c) => (c.name === "OrderPrice" ? price : c.name === "OrderVolume" ? volume : c.type === "int" || c.type === "int64" || c.type === "decimal" ? "1" : "x")).join("|");

  it("a header-less OrderQry answer (an older counter): OrderPrice and OrderVolume", async () => {
    const body = [orderRow("400.5", "1"), orderRow("400.5", "1"), orderRow("400.5", "2.5.0"), orderRow("400.5", "1")].join("\n");
    expectDecimalError(await callError(clientAnswering(() => text(body)), "queryOrders"), "queryOrders", 3, "OrderVolume", "2.5.0");
    expectDecimalError((await streamError(clientAnswering(() => chunked(body)), "queryOrders")).error, "queryOrders", 3, "OrderVolume", "2.5.0");
    const first = [orderRow("NaN", "1"), orderRow("400.5", "1")].join("\n");
    expectDecimalError(await callError(clientAnswering(() => text(first)), "queryOrders"), "queryOrders", 1, "OrderPrice", "NaN");
    expectDecimalError((await streamError(clientAnswering(() => chunked(first)), "queryOrders")).error, "queryOrders", 1, "OrderPrice", "NaN");
  });

  it("rates (no header): a fee ratio written with an exponent (as C prints a double) is kept as written; a cut exponent is refused", async () => {
    const rate = (r: string) => `777001|au2212|0.000050|0.000000|${r}|0.000000|0.000000|0.000000|0.080000|0.080000|1000`;
    const good = [rate("0.000050"), rate("5e-05"), rate("1.5E+3")].join("\n");
    const rows = (await clientAnswering(() => text(good)).call("getInvestorRates", {})).map((r) => (r.toJSON() as Record<string, unknown>).CloseRatioByMoney);
    expect(rows).toEqual(["0.000050", "5e-05", "1.5E+3"]);
    const body = [rate("0.000050"), rate("5e-"), rate("0.000050")].join("\n");
    expectDecimalError(await callError(clientAnswering(() => text(body)), "getInvestorRates"), "getInvestorRates", 2, "CloseRatioByMoney", "5e-");
    expectDecimalError((await streamError(clientAnswering(() => chunked(body)), "getInvestorRates")).error, "getInvestorRates", 2, "CloseRatioByMoney", "5e-");
  });

  it("decodePipeRowStream, the lines arriving one by one: the rows before the bad one are yielded, then its error", async () => {
    const layout = pipeRowsOf(meta.operations.find((o) => o.operationId === "getPositions")!)!;
    async function* lines() {
      for (const line of positions(5, 3, "ShortMargin", "1e").split(/(?<=\n)/)) yield line;
    }
    const rows: unknown[] = [];
    let error: unknown;
    try {
      for await (const r of decodePipeRowStream(lines(), { layout, context: { api: "xele", operation: "getPositions" } })) rows.push(r.toJSON());
    } catch (e) {
      error = e;
    }
    expect(rows).toHaveLength(3);
    expectDecimalError(error, "getPositions", 5, "ShortMargin", "1e");
  });

  it('decodePipeRows with check: "on-read" throws when the row is read, and checkPipeRow names it', () => {
    const layout = pipeRowsOf(meta.operations.find((o) => o.operationId === "getPositions")!)!;
    const rows = decodePipeRows<Record<string, unknown>>(positions(4, 1, "Margin", "80100.0000.0"), { layout, check: "on-read", context: { api: "xele", operation: "getPositions" } });
    expect(rows[0]!.Margin).toBe("80100.0000");
    expect(() => checkPipeRow(rows[1]!)).toThrow(PipeRowsError);
    let error: unknown;
    try {
      void rows[1]!.Margin;
    } catch (e) {
      error = e;
    }
    expectDecimalError(error, "getPositions", 3, "Margin", "80100.0000.0");
  });
});

describe("decimal text is still read exactly", () => {
  const FORMS = ["101.0003", "10.0", "0", "-0", "0.0000", "-0.0000", "-12.5", "007.50", "9007199254740993", "123456789012345678901234567890.123456789012345678901234567890", "-0.00000000000000000001"];
  // Each form in LastPrice of its own row, between two ordinary rows (so middle rows too).
  const body = [
    `MS,PosiQry,1.0.3,18,${FORMS.length + 3},${POSI_FIELDS.join("|")}`,
    ROW,
    ...FORMS.map((f) => ROW.replace("|400.5000|", `|${f}|`)),
    ROW.replace("|80100.0000|0.0000|", "||0.0000|"),
    ROW,
  ].join("\n");
  const want = [{ LastPrice: "400.5000" }, ...FORMS.map((f) => ({ LastPrice: f })), { LastPrice: "400.5000", LongMargin: null, ShortMargin: "0.0000" }, { LastPrice: "400.5000" }];

  it("call() and streamRows: each as written, never rounded; an empty cell is null, as an empty integer cell", async () => {
    for (const answer of [() => text(body), () => json({ code: 0, msg: "成功", result: body })]) {
      const rows = (await clientAnswering(answer).call("getPositions", {})).map((r) => r.toJSON());
      expect(rows).toMatchObject(want);
    }
    const { rows, error } = await streamError(clientAnswering(() => chunked(body)), "getPositions");
    expect(error).toBe(`ended after ${want.length} rows`);
    expect(rows).toMatchObject(want);
  });
});

describe("the emulator's decimal cells are decimal text", () => {
  let mock: XeleMock;
  beforeAll(async () => {
    // More than 1 000 orders: the emulator streams its answer.
    mock = await startXeleMock({ orders: 1500 });
  });
  afterAll(() => mock.close());

  it("positions, rates and 1 500 orders (a streamed answer) decode, every decimal cell as sent", async () => {
    const c = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });
    const decimal = /^-?\d+(\.\d+)?$/;
    const positionsRows = await c.call("getPositions", {});
    expect(positionsRows.map((r) => r.LastPrice)).toEqual(["400.5000", "5200.0000", "400.5000"]);
    const rates = await c.call("getInvestorRates", {});
    expect(rates[0]!.OpenRatioByMoney).toBe("0.000050");
    let n = 0;
    for await (const order of c.streamRows("queryOrders", {})) {
      for (const v of [order.OrderPrice, order.OrderVolume, order.NobarginVolume, order.BarginVolume]) expect(v).toMatch(decimal);
      n++;
    }
    expect(n).toBe(1500);
    expect((await c.call("queryOrders", {})).at(-1)!.OrderPrice).toBe((400 + 1499 % 100 / 10).toFixed(4));
  });
});
