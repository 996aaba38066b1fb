/**
 * Answers as the vendor document allows them, where the spec once held them to less: each is
 * accepted by the client (and read exactly, never rounded or trimmed), through an injected
 * `fetch` standing for both servers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, recordingFetch } from "../helpers/recording-fetch.js";
import { ResponseFormatError } from "../../src/handwritten/core/errors.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";

/** A client whose servers answer `/login` with a ticket and every other path with `answer(path)`. */
function clientAnswering(answer: (path: string) => Response) {
  const { fetch, calls } = recordingFetch(async (req) => (req.url.pathname === "/login" ? json({ code: 0, msg: "成功", ticket: "tok-doc" }) : answer(req.url.pathname)));
  const client = createXeleClient({ maUrl: "http://ma.test", msUrl: "http://ms.test", username: "u", password: "pw-doc", fetch, retry: false });
  return { client, calls };
}

/** Every row streamRows gives for `op`, as plain objects. */
async function streamed(client: ReturnType<typeof createXeleClient>, op: "getPositions" | "queryOrders"): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const r of client.streamRows(op, {})) rows.push(r.toJSON());
  return rows;
}

const text = (body: string) => new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });

const POSI_FIELDS =
  "InvestorId|InvestorName|InstrumentId|BoughtPositionSum|BoughtPosition|OldBoughtPosition|SoldPositionSum|SoldPosition|OldSoldPosition|CloseOldBoughtPosition|CloseOldSoldPosition|LastPrice|UpperLimitPrice|LowerLimitPrice|LongMargin|ShortMargin|Margin|HedgeFlag";

describe("position rows (PosiQry): every column but 投保 is a numeric string, e.g. \"101.0003\"", () => {
  const body = [
    `MS,PosiQry,1.0.3,18,2,${POSI_FIELDS}`,
    "777001|张三|au2212|101.0003|10.0|91.0003|0.5|0|0.50|100.0000|12.0|400.5000|420.0000|380.0000|80100.0000|0.0000|80100.0000|投机",
    "777002|李四|ag2212|2|1|1|0|0|0|1|0|5200.0000|5460.0000|4940.0000|0.0000|46800.0000|46800.0000|套利",
  ].join("\n");
  const want = [
    { BoughtPositionSum: "101.0003", BoughtPosition: "10.0", OldBoughtPosition: "91.0003", SoldPositionSum: "0.5", SoldPosition: "0", OldSoldPosition: "0.50", CloseOldBoughtPosition: "100.0000", CloseOldSoldPosition: "12.0" },
    { BoughtPositionSum: "2", BoughtPosition: "1", OldBoughtPosition: "1", SoldPositionSum: "0", SoldPosition: "0", OldSoldPosition: "0", CloseOldBoughtPosition: "1", CloseOldSoldPosition: "0" },
  ];

  it.each([
    ["as the raw body", () => text(body)],
    ["in the envelope's result", () => json({ code: 0, msg: "成功", result: body })],
  ])("call() reads positions with decimals %s, each as its exact text", async (_how, answer) => {
    const { client } = clientAnswering(answer);
    const rows = (await client.call("getPositions", {})).map((r) => r.toJSON());
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ InvestorId: "777001", LastPrice: "400.5000", HedgeFlag: "投机", ...want[0] });
    expect(rows[1]).toMatchObject(want[1]!);
  });

  it("streamRows reads them the same", async () => {
    const { client } = clientAnswering(() => text(body));
    expect(await streamed(client, "getPositions")).toMatchObject(want);
  });
});

describe("order rows (OrderQry): volumes are numeric strings, ExchangeOrderId an 8-byte unsigned integer", () => {
  const fields = "InvestorId|OrderSysId|OrderUserId|ExchangeOrderId|UserRef|MFL|OrderPrice|OrderVolume|NobarginVolume|BarginVolume|ErrCode|HedgeFlag";
  const body = [
    `MS,OrderQry,1.0.3,12,2,${fields}`,
    "777001|4294967295|7|18446744073709551615|4294967295|1|400.5000|10.0|2.5|7.5000|0|投机",
    "777001|1024|8|9223372036854775808|0|0|400.5000|101.0003|0|101.0003|1001|投机",
  ].join("\n");
  const want = [
    { OrderSysId: 4294967295, OrderUserId: 7, ExchangeOrderId: 18446744073709551615n, UserRef: 4294967295, MFL: 1, OrderVolume: "10.0", NobarginVolume: "2.5", BarginVolume: "7.5000", ErrCode: 0 },
    { OrderSysId: 1024, OrderUserId: 8, ExchangeOrderId: 9223372036854775808n, UserRef: 0, MFL: 0, OrderVolume: "101.0003", NobarginVolume: "0", BarginVolume: "101.0003", ErrCode: 1001 },
  ];

  it("call() reads volumes with decimals as their exact text and ids above 2^63 - 1 (uN8) and 2^32 - 1 (uN4) exactly", async () => {
    const { client } = clientAnswering(() => json({ code: 0, msg: "成功", result: body }));
    const rows = (await client.call("queryOrders", {})).map((r) => r.toJSON());
    expect(rows).toEqual([expect.objectContaining(want[0]), expect.objectContaining(want[1])]);
  });

  it("streamRows reads them the same", async () => {
    const { client } = clientAnswering(() => text(body));
    expect(await streamed(client, "queryOrders")).toMatchObject(want);
  });
});

describe("user statistics: UpdateTime is N4 (a number) in the vendor doc", () => {
  const record = { ClientIndex: 1, Investorld: "777001", LoginOk: 3, LoginErr: 0, OrderTimes: 60, ActionTimes: 10, Volume: 50, OrderAbnormalTrade: 0, OrderAbnormalExch: 0, ActionAbnormalTrade: 0, ActionAbnormalExch: 0 };

  it("a number is read as that number, and a text time still as text", async () => {
    const { client } = clientAnswering(() => json({ code: 0, msg: "成功", result: [{ ...record, UpdateTime: 1760321485 }, { ...record, UpdateTime: "2025-10-13 10:11:25" }] }));
    const result = await client.call("getUserStatistics", {});
    expect(result?.map((r) => r.UpdateTime)).toEqual([1760321485, "2025-10-13 10:11:25"]);
  });
});

describe("counter status: Xbm and Xtf are C64 (text) in the vendor doc, with Status and ErrMsg described in its remark", () => {
  const totals = { CancelTimesSum: 10, ErrorVolumeSum: 0, TradeVolumeSum: 100, OrderTimesSum: 60, ExchangeId: "SHFE" };

  it("text is read as sent", async () => {
    const { client } = clientAnswering(() => json({ code: 0, msg: "成功", result: { ...totals, Xbm: "Status:true;ErrMsg:", Xtf: "Status:fasle;ErrMsg:连接断开" } }));
    const result = await client.call("getCounterStatus");
    expect(result).toMatchObject({ Xbm: "Status:true;ErrMsg:", Xtf: "Status:fasle;ErrMsg:连接断开" });
  });

  it("an object is read as before, and one of each too", async () => {
    const { client } = clientAnswering(() => json({ code: 0, msg: "成功", result: { ...totals, Xbm: { Status: true, ErrMsg: "" }, Xtf: "Status:true;ErrMsg:" } }));
    expect(await client.call("getCounterStatus")).toMatchObject({ Xbm: { Status: true, ErrMsg: "" }, Xtf: "Status:true;ErrMsg:" });
  });

  it("anything else (a number) is still refused", async () => {
    const { client } = clientAnswering(() => json({ code: 0, msg: "成功", result: { ...totals, Xbm: 1, Xtf: "Status:true;ErrMsg:" } }));
    await expect(client.call("getCounterStatus")).rejects.toBeInstanceOf(ResponseFormatError);
  });
});

describe("alarm items: section 17 (the only table for /api/prc/alarm) spells PriceDeviationCoeffcient and PriceDeviationAbsolutValue", () => {
  let mock: XeleMock;
  beforeAll(async () => {
    mock = await startXeleMock();
  });
  afterAll(() => mock.close());

  const item = <T extends string>(prc_type: T, prc_name: string) => ({ prc_type, prc_name, enable: 1, threshold_value_warn: 8000, threshold_value_critical: 9000 }) as const;
  const section17 = [item("PriceDeviationCoeffcient", "价格偏离度系数"), item("PriceDeviationAbsolutValue", "价格偏离度绝对值")];

  it("a request may send section 17's spellings (sent as given), and the answer carrying them is read as sent", async () => {
    const c = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });
    expect(await c.call("createAlarmConfig", { templ: "alarm-section-17", investor: ["777001"], prc: section17 })).toEqual([]);
    const sent = mock.received.filter((r) => r.operationId === "createAlarmConfig").at(-1)!.json.data as { prc: Array<{ prc_type: string }> };
    expect(sent.prc.map((p) => p.prc_type)).toEqual(["PriceDeviationCoeffcient", "PriceDeviationAbsolutValue"]);
    const configs = await c.call("getAlarmConfigs");
    expect(configs?.find((t) => t.templ === "alarm-section-17")?.prc?.map((p) => p.prc_type)).toEqual(["PriceDeviationCoeffcient", "PriceDeviationAbsolutValue"]);
    // the section 15/18 spellings stay valid
    expect(await c.call("updateAlarmConfig", { templ: "alarm-section-17", prc: [item("PriceDeviationCoefficient", "价格偏离度系数"), item("PriceDeviationAbsoluteValue", "价格偏离度绝对值")] })).toEqual([]);
  });

  it("a counter's answer with section 17's spelling is accepted (injected fetch)", async () => {
    const { client } = clientAnswering(() => json({ code: 0, msg: "成功", result: [{ templ: "t", trade: [{ ip: "192.168.2.58", name: "cd118" }], investor: ["777001"], prc: section17 }] }));
    const [config] = (await client.call("getAlarmConfigs")) ?? [];
    expect(config?.prc).toEqual(section17);
  });

  it("other ids are still refused in requests", async () => {
    const c = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });
    await expect(c.call("createAlarmConfig", { templ: "alarm-bad", prc: [item("PriceDeviationCoef", "x") as never] })).rejects.toThrow(/prc_type/);
  });
});

describe("template answers: their items are open, and the vendor doc's \"TradingEnable \" is read as sent", () => {
  const scope = { product_type: ["期货"], product: ["null-null"], investor: ["777001"], hedge: ["投机"], exchange: ["SHFE"] };

  it("a trading-permission template item with \"TradingEnable \" (the vendor doc's default object) and members the spec does not list", async () => {
    const prc = [{ prc_type: "TradingEnable ", enable: 1, value: 130, prc_name: "限制交易命令", remark: "from a newer counter" }];
    const trade = [{ ip: "192.168.2.58", name: "cd118", online: true }];
    const { client } = clientAnswering(() => json({ code: 0, msg: "成功", result: [{ templ: "t1", enable: 1, trade, ...scope, prc }, { templ: "t2", enable: 1, trade, ...scope, prc: [{ prc_type: " TradingEnable", enable: 0, value: 2 }] }] }));
    const templates = (await client.call("getTradeTemplates")) ?? [];
    expect(templates.map((t) => t.prc)).toEqual([prc, [{ prc_type: " TradingEnable", enable: 0, value: 2 }]]);
    expect(templates[0]!.trade).toEqual(trade);
  });

  it("items with only what identifies them (prc_type) are read; an item without prc_type, or another id, is refused", async () => {
    const answer = (prc: unknown[]) => clientAnswering(() => json({ code: 0, msg: "成功", result: [{ templ: "t", ...scope, trade: [{ name: "cd118" }], prc }] })).client;
    expect((await answer([{ prc_type: "TradingEnable" }]).call("getTradeTemplates"))?.[0]?.prc).toEqual([{ prc_type: "TradingEnable" }]);
    await expect(answer([{ enable: 1, value: 1 }]).call("getTradeTemplates")).rejects.toBeInstanceOf(ResponseFormatError);
    await expect(answer([{ prc_type: "TradingDisable" }]).call("getTradeTemplates")).rejects.toBeInstanceOf(ResponseFormatError);
  });

  it("risk and alarm template items too: extra members kept, enable/value/prc_name/thresholds not required", async () => {
    const risk = [{ prc_type: "CancelLimitByPro", value: 3000, unit: "笔" }, { prc_type: "SelfDealEnable" }];
    const alarm = [{ prc_type: "OpenLimit", enable: 1, threshold_value_warn: 800, threshold_value_critical: 900 }, { prc_type: "LargeOrderCancel", enable: 0, note: "无" }];
    const { client } = clientAnswering((path) => json({ code: 0, msg: "成功", result: [path === "/api/prc/alarm" ? { templ: "a", trade: [{ ip: "null-null", name: "null-null", extra: 1 }], investor: ["777001"], prc: alarm } : { templ: "r", priority: 1, enable: 1, ...scope, instrument: ["au2212"], trade: [], prc: risk }] }));
    expect((await client.call("getRiskTemplates"))?.[0]?.prc).toEqual(risk);
    const [config] = (await client.call("getAlarmConfigs")) ?? [];
    expect(config?.prc).toEqual(alarm);
    expect(config?.trade).toEqual([{ ip: "null-null", name: "null-null", extra: 1 }]);
  });

  it("requests keep their closed items: \"TradingEnable \" and an extra member are refused before sending", async () => {
    const { client, calls } = clientAnswering(() => json({ code: 0, msg: "成功", comment: [] }));
    await expect(client.call("createTradeTemplate", { templ: "t", enable: 1, prc: [{ prc_type: "TradingEnable " as "TradingEnable", enable: 1, value: 130 }] })).rejects.toThrow(/prc_type/);
    await expect(client.call("createRiskTemplate", { templ: "r", priority: 1, enable: 1, prc: [{ prc_type: "OpenLimit", enable: 1, value: 1000, unit: "手" } as never] })).rejects.toThrow(/unit/);
    await expect(client.call("createAlarmConfig", { templ: "a", prc: [{ prc_type: "OpenLimit", enable: 1, threshold_value_warn: 800, threshold_value_critical: 900 } as never] })).rejects.toThrow(/prc_name/);
    expect(calls.filter((c) => c.url.pathname !== "/login")).toEqual([]);
  });
});
