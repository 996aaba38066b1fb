/**
 * `call()` and `streamRows` against answers a counter (or something in its place) should not
 * send, each crafted by hand on a local server: whatever `call()` resolves to has been checked
 * whole, and the two readers of a "|" row answer agree on it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { closeXeleServers, xeleServer as startXeleServer } from "../helpers/xele-server.js";
import { ApiError, ResponseFormatError } from "../../src/handwritten/core/errors.js";
import { createXeleClient, type XeleClientOptions } from "../../src/handwritten/xele/client.js";
import { PipeRowsError } from "../../src/handwritten/xele/pipe-rows.js";

const HEAD = (rows: number) => `MS,PosiQry,1.0.3,18,${rows},InvestorId|InvestorName|InstrumentId|BoughtPositionSum|BoughtPosition|OldBoughtPosition|SoldPositionSum|SoldPosition|OldSoldPosition|CloseOldBoughtPosition|CloseOldSoldPosition|LastPrice|UpperLimitPrice|LowerLimitPrice|LongMargin|ShortMargin|Margin|HedgeFlag`;
const ROW = () => `777001|张三|au2212|2|1|1|0|0|0|1|0|400.5000|420.0000|380.0000|80100.0000|0.0000|80100.0000|投机`;

afterEach(closeXeleServers);

/** One server for MA and MS: /login answers a ticket, everything else goes to `answer`. */
const xeleServer = (answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> => startXeleServer("tok-hostile", answer);

const answering = (body: string, contentType = "text/plain") =>
  xeleServer((_req, res) => {
    res.writeHead(200, { "content-type": contentType });
    res.end(body);
  });

const client = (url: string, more: Partial<XeleClientOptions> = {}) => createXeleClient({ maUrl: url, msUrl: url, username: "u", password: "pw-hostile", retry: false, ...more });

const settle = <T>(p: Promise<T>): Promise<{ value?: T; error?: Error }> =>
  p.then(
    (value) => ({ value }),
    (error: Error) => ({ error }),
  );

describe("call() resolves only with rows it has checked", () => {
  // (positions are numeric strings, kept as text: the integer cells are OrderQry's OrderSysId)
  const orders = (rows: number) => `MS,OrderQry,1.0.3,3,${rows},InvestorId|OrderSysId|ErrMsg`;
  it.each([
    ["a bad second (last) row followed by a blank line", "queryOrders", `${orders(2)}\r\n777001|5|正常\r\nx|abc|正常\r\n\r\n`, /line 3: column OrderSysId: "abc" is not an integer/],
    ["a second row with an extra field, then a blank line", "getPositions", `${HEAD(2)}\r\n${ROW()}\r\n${ROW()}|extra\r\n\r\n`, /line 3: has 19 fields, expected 18/],
    ["a middle row with a 5000-digit integer", "queryOrders", `${orders(3)}\n777001|5|正常\nx|${"9".repeat(5000)}|正常\n777001|6|正常\n`, /line 3: column OrderSysId: an integer of 5000 digits/],
  ] as const)("%s → PipeRowsError, no rows", async (_name, op, body, message) => {
    const url = await answering(body);
    const { value, error } = await settle(client(url).call(op, {}));
    expect(value).toBeUndefined();
    expect(error).toBeInstanceOf(PipeRowsError);
    expect(error!.message).toMatch(new RegExp(`^xele ${op}: "\\|" row answer: `));
    expect(error!.message).toMatch(message);
  });
});

/** call()'s rows (as JSON) or its error, and streamRows' the same way. */
async function bothReaders(url: string) {
  const c = client(url);
  const called = await settle(c.call("queryOrders", {}).then((rows) => rows.map((r) => r.toJSON())));
  const streamed = await settle(
    (async () => {
      const rows: unknown[] = [];
      for await (const r of c.streamRows("queryOrders", {})) rows.push(r.toJSON());
      return rows;
    })(),
  );
  return { called, streamed, inFlight: c.inFlight.MS.inFlight };
}

const ORDERS_HEAD = (rows: number) => `MS,OrderQry,1.0.3,3,${rows},InvestorId|OrderSysId|ErrMsg`;
const ORDERS_TEXT = `${ORDERS_HEAD(1)}\n777001|5|正常\n`;
const ORDER_ROWS = [{ InvestorId: "777001", OrderSysId: 5, ErrMsg: "正常" }];

describe("call() and streamRows read a JSON envelope alike", () => {
  for (const contentType of ["text/plain", "application/json"]) {
    it.each([
      ["result", `{"code":0,"msg":"ok","result":${JSON.stringify(`${ORDERS_HEAD(2)}\n777001|1|a\n777001|2|b`)},"result":${JSON.stringify(`${ORDERS_HEAD(1)}\n777009|3|c`)}}`],
      ["code", `{"code":109,"msg":"invalid token","code":0,"result":${JSON.stringify(ORDERS_TEXT)}}`],
      ["msg", `{"code":0,"msg":"ok","msg":"again","result":${JSON.stringify(ORDERS_TEXT)}}`],
    ])(`an envelope with "%s" twice is refused by both, naming it (${contentType})`, async (member, body) => {
      const { called, streamed, inFlight } = await bothReaders(await answering(body, contentType));
      // As JSON, the transport's own envelope check may name it first (a ResponseFormatError too).
      const errors = contentType === "text/plain" ? [called.error, streamed.error] : [streamed.error];
      for (const error of errors) {
        expect(error).toBeInstanceOf(PipeRowsError);
        expect((error as PipeRowsError).problem).toBe("envelope");
        expect(error!.message).toBe(`xele queryOrders: "|" row answer: the JSON envelope has "${member}" twice`);
      }
      expect(called.error).toBeInstanceOf(ResponseFormatError);
      expect(called.error!.message).toContain(`"${member}" twice`);
      expect(inFlight).toBe(0);
    });

    it(`an envelope code null or a boolean is refused by both, whether before or after result (${contentType})`, async () => {
      const bodies = ["null", "true", "false"].flatMap((code) => [`{"code":${code},"msg":"failed","result":${JSON.stringify(ORDERS_TEXT)}}`, `{"msg":"failed","result":${JSON.stringify(ORDERS_TEXT)},"code":${code}}`]);
      for (const body of bodies) {
        const what = body.includes('"code":null') ? "null" : "a boolean";
        const { called, streamed, inFlight } = await bothReaders(await answering(body, contentType));
        // As JSON, the transport's own envelope check names it first (a ResponseFormatError too).
        const errors = contentType === "text/plain" ? [called.error, streamed.error] : [streamed.error];
        for (const error of errors) {
          expect(error).toBeInstanceOf(PipeRowsError);
          expect(error!.message, body).toMatch(new RegExp(`^xele queryOrders: "\\|" row answer: the JSON envelope's "code" is ${what}, not a code`));
        }
        expect(called.error).toBeInstanceOf(ResponseFormatError);
        expect(called.error!.message).toContain(`"code" is ${what}, not a code`);
        expect(inFlight).toBe(0);
      }
    });

    it(`whitespace JSON does not allow before the envelope (U+00A0, U+2028) is refused by both (${contentType})`, async () => {
      for (const before of ["\u00A0", "\u2028"]) {
        const { called, streamed, inFlight } = await bothReaders(await answering(`${before}{"code":0,"msg":"ok","result":${JSON.stringify(ORDERS_TEXT)}}`, contentType));
        expect(called.error).toBeInstanceOf(ResponseFormatError);
        expect(streamed.error).toBeInstanceOf(PipeRowsError);
        expect(streamed.error!.message).toBe(`xele queryOrders: "|" row answer: unexpected ${JSON.stringify(before)} in the JSON envelope`);
        expect(inFlight).toBe(0);
      }
    });

    it.each(["0.0", "0e5", "-0", "0.000E+2"])(`an envelope code written %s is JSON's number zero: success for both (${contentType})`, async (code) => {
      const { called, streamed } = await bothReaders(await answering(`{"code":${code},"msg":"ok","result":${JSON.stringify(ORDERS_TEXT)}}`, contentType));
      expect(called.value).toEqual(ORDER_ROWS);
      expect(streamed.value).toEqual(ORDER_ROWS);
    });
  }

  it.each(["text/plain", "application/json"])("a header of 8,000 columns is the same PipeRowsError from both (%s)", async (contentType) => {
    const n = 8000;
    const row = Array(n).fill("x").join("|");
    const text = `MS,OrderQry,1.0.3,${n},3,${Array.from({ length: n }, (_, i) => `c${i}`).join("|")}\n${row}\n${row}\n${row}`;
    const { called, streamed } = await bothReaders(await answering(JSON.stringify({ code: 0, msg: "ok", result: text }), contentType));
    for (const error of [called.error, streamed.error]) {
      expect(error).toBeInstanceOf(PipeRowsError);
      expect(error!.message).toContain("more than 4096 columns");
    }
  });

  it("a non-zero code written as a decimal is that code's error for both; a code given as the text \"0.0\" is no success", async () => {
    for (const code of ["1.09e2", '"0.0"']) {
      const { called, streamed } = await bothReaders(await answering(`{"code":${code},"msg":"x","result":${JSON.stringify(ORDERS_TEXT)}}`));
      expect(called.error?.constructor).toBe(streamed.error?.constructor);
      expect(called.error?.message).toBe(streamed.error?.message);
      expect(called.error).toBeDefined();
    }
  });

  it.each(["text/plain", "application/json"])("an error code beyond 2^53 keeps every digit in both (%s)", async (contentType) => {
    const body = `{"code":9007199254740993,"msg":"x","result":${JSON.stringify(ORDERS_TEXT)}}`;
    const { called, streamed } = await bothReaders(await answering(body, contentType));
    for (const error of [called.error, streamed.error]) {
      expect(error).toBeInstanceOf(ApiError);
      expect(String((error as ApiError).code)).toBe("9007199254740993");
      expect(error!.message).toContain("9007199254740993");
    }
  });

  it.each(["text/plain", "application/json"])("a member the rows do not need, a decimal no double holds, is read by both (%s)", async (contentType) => {
    const body = `{"code":0,"msg":"ok","cost":0.12345678901234567891,"ts":123456789012345678901234,"result":${JSON.stringify(ORDERS_TEXT)}}`;
    const { called, streamed } = await bothReaders(await answering(body, contentType));
    expect(called.value).toEqual(ORDER_ROWS);
    expect(streamed.value).toEqual(ORDER_ROWS);
  });

  it("result as lines, with escapes, quotes and a BOM before the envelope: the same rows from both", async () => {
    const lines = [ORDERS_HEAD(2), '777001|1|价格 "超出" \\ 涨跌停板', "777002|2|\u2028"];
    for (const body of [`\uFEFF{"code":0,"result":${JSON.stringify(lines)}}`, ` {"result":${JSON.stringify(lines.join("\r\n"))},"code":"0"} `]) {
      const { called, streamed } = await bothReaders(await answering(body));
      expect(called.value).toEqual([
        { InvestorId: "777001", OrderSysId: 1, ErrMsg: '价格 "超出" \\ 涨跌停板' },
        { InvestorId: "777002", OrderSysId: 2, ErrMsg: "\u2028" },
      ]);
      expect(streamed.value).toEqual(called.value);
    }
  });
});
