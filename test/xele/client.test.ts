import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import type { components } from "../../generated/xele-mgmt.js";
import { meta } from "../../generated/xele-mgmt.docs.js";
import {
  ApiError,
  AuthError,
  CredentialsError,
  InvalidRequestError,
  TradeApiError,
  UsageError,
} from "../../src/handwritten/core/errors.js";
import { parseJson, stringifyJson } from "../../src/handwritten/core/json.js";
import type { TransportEvent } from "../../src/handwritten/core/http-transport.js";
import {
  createXeleClient,
  type XeleClientOptions,
  type XeleDataArgs,
  type XeleDataInput,
  type XeleRequiredField,
  type XeleOperationId,
  type XeleResult,
  type XeleRow,
} from "../../src/handwritten/xele/client.js";
import type { ClientSystemExport } from "../../src/handwritten/xele/export.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";
import { recordingFetch } from "../helpers/recording-fetch.js";

let mock: XeleMock;
beforeAll(async () => {
  mock = await startXeleMock();
});
afterAll(() => mock.close());
afterEach(() => {
  Object.assign(mock.settings, { counterVersion: "007P9", orderQryHeader: "auto", pipeRowsIn: "result", orders: 3, latencyMs: 0, tokenTtlMs: 30 * 60_000 });
});

const client = (extra: XeleClientOptions = {}) =>
  createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, ...extra });

const templ = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;
const tradePrc = [{ prc_type: "TradingEnable", enable: 1, value: 1 }] as const;
const riskPrc = [{ prc_type: "CancelLimitByPro", enable: 1, value: 3000 }];
const alarmPrc = [{ prc_type: "OpenLimit", prc_name: "检查单笔开仓手数上限", enable: 1, threshold_value_warn: 800, threshold_value_critical: 900 }];

type Check = (result: unknown) => void;
const isArray: Check = (r) => expect(Array.isArray(r)).toBe(true);
const nonEmptyRows =
  (key: string): Check =>
  (r) => {
    expect((r as unknown[]).length).toBeGreaterThan(0);
    expect((r as Array<Record<string, unknown>>)[0]![key]).toBeDefined();
  };
const noResult: Check = (r) => expect(r).toBeUndefined();
const synced: Check = (r) => expect(r).toEqual([]);

const OPERATIONS: Array<{ op: XeleOperationId; data?: unknown; check: Check }> = [
  { op: "getInvestorFunds", data: { content: "777001" }, check: nonEmptyRows("avaiable_limit") },
  { op: "getCashInOut", data: { investor_id: "777001" }, check: nonEmptyRows("unique_id") },
  { op: "createCashInOut", data: { investor_id: "777009", direction: "1", amount: 1000.5 }, check: noResult },
  { op: "auditCashInOut", data: { unique_id: 12, status: 1 }, check: noResult },
  { op: "getSeatConfigs", data: {}, check: nonEmptyRows("seat_index") },
  { op: "getFrontControls", check: nonEmptyRows("model_switch") },
  { op: "updateFrontControls", data: [{ exchange_id: "SHFE", seat_index: 0, seat_type: "MANAGER", model_switch: 1, flow_control: 200, weight: 99, front_ip: "192.168.2.5" }], check: noResult },
  { op: "exportClientSystemInfo", data: { trading_day: "20220412" }, check: (r) => expect(r).toMatchObject({ fileName: "clientinfo20220412.txt" }) },
  { op: "getPositions", data: { investor_id: ["777001"] }, check: nonEmptyRows("BoughtPositionSum") },
  { op: "getInvestorRates", data: { instrument_id: ["au2212"] }, check: nonEmptyRows("VolumeMultiple") },
  { op: "getTradePermissions", data: { exchange: ["SHFE"] }, check: isArray },
  { op: "getTradeTemplates", check: nonEmptyRows("templ") },
  { op: "createTradeTemplate", data: { templ: "tpl-new", enable: 1, product: ["au"], prc: tradePrc }, check: synced },
  { op: "updateTradeTemplate", data: { templ: "tpl-new", templ_new: "tpl-renamed", enable: 0, prc: tradePrc }, check: synced },
  { op: "deleteTradeTemplate", data: { templ: "tpl-renamed" }, check: synced },
  { op: "getAuthCodes", check: nonEmptyRows("auth_code") },
  { op: "createAuthCode", data: { auth_code: "CODE000000000002", app_id: "app2", allow_investor: ["777001"] }, check: noResult },
  { op: "updateAuthCode", data: { unique_id: 2, auth_code: "CODE000000000003", app_id: "app2" }, check: noResult },
  { op: "deleteAuthCode", data: { unique_id: 2 }, check: noResult },
  { op: "getTradeStatistics", data: { trading_day: "20221025" }, check: isArray },
  { op: "getSystemInfo", check: (r) => expect(r).toMatchObject({ CpuNum: expect.any(Number) }) },
  { op: "getCounterStatus", check: (r) => expect(r).toHaveProperty("Xtf") },
  { op: "getOrderHistory", check: nonEmptyRows("OrderTimes") },
  { op: "getRiskTemplates", check: nonEmptyRows("priority") },
  { op: "createRiskTemplate", data: { templ: "risk-new", priority: -5, enable: 1, prc: riskPrc }, check: synced },
  { op: "updateRiskTemplate", data: { templ: "risk-new", priority: 5, enable: 1, prc: riskPrc }, check: synced },
  { op: "deleteRiskTemplate", data: { templ: "risk-new" }, check: synced },
  { op: "queryOrders", data: { investor_id: ["777001"], order_price: { min: 400 } }, check: nonEmptyRows("ExchangeOrderId") },
  { op: "getAlarmConfigs", check: isArray },
  { op: "createAlarmConfig", data: { templ: "alarm-new", investor: ["777001"], prc: alarmPrc }, check: synced },
  { op: "updateAlarmConfig", data: { templ: "alarm-new", prc: alarmPrc }, check: synced },
  { op: "deleteAlarmConfig", data: { templ: "alarm-new" }, check: synced },
  { op: "getAlarmRecords", data: { prc_type: ["OpenLimit"] }, check: nonEmptyRows("PrcState") },
  { op: "getUserStatistics", data: { investor_id: ["777001"] }, check: nonEmptyRows("LoginOk") },
  { op: "getSeatConnections", data: { exchange_id: ["SHFE"] }, check: nonEmptyRows("SeatState") },
];

describe("createXeleClient: every operation against the emulator", () => {
  it("covers the 35 operations besides login", () => {
    expect(OPERATIONS.map((o) => o.op).sort()).toEqual(meta.operations.map((o) => o.operationId).filter((id) => id !== "login").sort());
  });

  // In order: the writes build on each other (create → update → delete).
  const shared = { client: undefined as ReturnType<typeof client> | undefined };
  it.each(OPERATIONS)("$op", async ({ op, data, check }) => {
    shared.client ??= client();
    const before = mock.received.length;
    const result = await (shared.client.call as (op: string, data?: unknown) => Promise<unknown>)(op, data);
    check(result instanceof Array ? result.map((r) => (r && typeof r === "object" && "toJSON" in r ? (r as { toJSON(): unknown }).toJSON() : r)) : result);
    // What went on the wire: the right server and method, the operation's common fields, complete data.
    const sent = mock.received.slice(before).find((r) => r.operationId === op)!;
    const opMeta = meta.operations.find((o) => o.operationId === op)!;
    expect(sent.server).toBe(opMeta.server);
    expect(sent.method).toBe(opMeta.method);
    expect(sent.viaParams).toBe(opMeta.method === "GET");
    const common = meta.commonRequestFields![sent.server]!.fields;
    expect(Object.keys(sent.json).slice(0, common.length)).toEqual(common);
  });
});

describe("typed results", () => {
  it("types: rows, export, result or comment; a record that may not come is null, a list never; absent for bare requests", async () => {
    type S = components["schemas"];
    expectTypeOf<XeleResult<"queryOrders">>().toEqualTypeOf<Array<XeleRow<"queryOrders">>>();
    expectTypeOf<XeleRow<"queryOrders">["ExchangeOrderId"]>().toEqualTypeOf<number | bigint | null | undefined>();
    expectTypeOf<XeleResult<"exportClientSystemInfo">>().toEqualTypeOf<ClientSystemExport>();
    expectTypeOf<XeleResult<"getSystemInfo">>().toEqualTypeOf<S["SystemInfo"] | null>();
    expectTypeOf<XeleResult<"getInvestorFunds">>().toEqualTypeOf<S["FundInfo"][]>();
    expectTypeOf<XeleResult<"createTradeTemplate">>().toEqualTypeOf<S["TemplateSyncFailure"][]>();
    expectTypeOf<XeleResult<"auditCashInOut">>().toEqualTypeOf<undefined>();
    expectTypeOf<XeleDataArgs<"getSystemInfo">>().toEqualTypeOf<[]>();
    expectTypeOf<NonNullable<XeleDataArgs<"queryOrders">[0]>>().toHaveProperty("order_price");
    // @ts-expect-error: not an operation
    await expect(client().call("placeOrder")).rejects.toThrow(/unknown operation "placeOrder"/);
    // @ts-expect-error: login is the session's
    await expect(client().call("login")).rejects.toThrow(/login is done by the session/);
  });

  it("types: the data fields nothing fills are required (a call without them compiled, then failed at run time); filters stay optional", async () => {
    const x = client();
    // @ts-expect-error: createCashInOut needs investor_id, direction and amount
    await expect(x.call("createCashInOut", {})).rejects.toThrow(/missing field data\.investor_id/);
    // @ts-expect-error: deleteAuthCode needs its data (unique_id)
    await expect(x.call("deleteAuthCode")).rejects.toThrow(/missing field|data/);
    // @ts-expect-error: the export needs trading_day
    await expect(x.saveClientSystemExport({}, tmpdir())).rejects.toThrow(/missing field data\.trading_day/);
    expectTypeOf<XeleDataArgs<"createCashInOut">>().toEqualTypeOf<[data: XeleDataInput<"createCashInOut">]>();
    expectTypeOf<XeleRequiredField<"createCashInOut">>().toEqualTypeOf<"investor_id" | "direction" | "amount">();
    // a query's filters are filled with "no condition": data and every field optional
    expectTypeOf<XeleRequiredField<"queryOrders">>().toEqualTypeOf<never>();
    expectTypeOf<XeleDataArgs<"queryOrders">>().toEqualTypeOf<[data?: XeleDataInput<"queryOrders">]>();
  });

  it("an operation id that is not a string (a symbol, a number, null) is a UsageError, as an unknown name is", async () => {
    for (const id of [Symbol("queryOrders"), 42, null, undefined, {}]) {
      const called = await (client().call as (id: unknown) => Promise<unknown>)(id).then(() => undefined, (e: unknown) => e);
      expect(called, String(id)).toBeInstanceOf(UsageError);
      expect((called as Error).message).toMatch(/^xele: an operation is named by its operationId \(a string\), got (symbol|number|null|undefined|object)$/);
      const streamed = await (async () => {
        for await (const _ of (client().streamRows as (id: unknown) => AsyncGenerator<unknown>)(id));
      })().then(() => undefined, (e: unknown) => e);
      expect(streamed, String(id)).toBeInstanceOf(UsageError);
    }
  });

  it("order rows are typed objects with exact 8-byte IDs; the CLI's JSON keeps every digit", async () => {
    // max_result_count: the newest 2 of the emulator's 3 orders.
    const rows = await client().call("queryOrders", { max_result_count: 2 });
    expect(rows).toHaveLength(2);
    const first = rows[0]!;
    expect(first.ExchangeOrderId).toBe(12345678901234567891n);
    expect(first.OrderSysId).toBe(1001);
    expect(first.OrderPrice).toBe("400.1000");
    expect(stringifyJson(rows)).toContain('"ExchangeOrderId":12345678901234567891');
  });

  it("template writes resolve to the per-counter failures (`comment`)", async () => {
    const c = client();
    const name = templ("t");
    expect(await c.call("createTradeTemplate", { templ: name, enable: 1, prc: tradePrc })).toEqual([]);
    await expect(c.call("createTradeTemplate", { templ: name, enable: 1, prc: tradePrc })).rejects.toMatchObject({ code: 112 });
    const all = await c.call("getTradeTemplates");
    expect(all?.find((t) => t.templ === name)?.product).toEqual(["null-null"]);
  });

  it("the client-system export is saved under the file name the counter gives", async () => {
    const dir = await mkdtemp(join(tmpdir(), "xele-export-"));
    try {
      const saved = await client().saveClientSystemExport({ trading_day: "20220412" }, dir);
      expect(saved).toEqual({ path: join(dir, "clientinfo20220412.txt"), lines: 2 });
      const text = await readFile(saved!.path, "utf8");
      expect(text.split("\n")).toHaveLength(3);
      expect(text).toContain('李四的终端, "v2"');
      // Its options are the call's and `overwrite`, which replaces the file (a call option alone would be refused).
      expect(await client().saveClientSystemExport({ trading_day: "20220412" }, dir, { overwrite: true, timeoutMs: 5_000 })).toEqual(saved);
      expect(await client().saveClientSystemExport({ trading_day: "19700101" }, dir)).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("counter versions and answer forms", () => {
  it.each([
    { version: "003", header: "auto", columns: 22, hasHeader: false },
    { version: "007", header: "auto", columns: 23, hasHeader: false },
    { version: "007P7", header: "auto", columns: 25, hasHeader: true },
    { version: "003", header: "always", columns: 22, hasHeader: true },
    { version: "007P9", header: "never", columns: 25, hasHeader: false },
  ] as const)("OrderQry from counter $version, header $header", async ({ version, header, columns, hasHeader }) => {
    Object.assign(mock.settings, { counterVersion: version, orderQryHeader: header });
    for (const pipeRowsIn of ["result", "body"] as const) {
      mock.settings.pipeRowsIn = pipeRowsIn;
      // Keep a copy of each answer to see its form.
      const answers: Array<{ type: string; text: string }> = [];
      const fetch: typeof globalThis.fetch = async (input, init) => {
        const res = await globalThis.fetch(input, init);
        answers.push({ type: res.headers.get("content-type") ?? "", text: await res.clone().text() });
        return res;
      };
      const rows = await client({ fetch, counterVersion: version }).call("queryOrders");
      expect(rows).toHaveLength(3);
      expect(Object.keys(rows[0]!.toJSON())).toHaveLength(columns);
      expect(rows[2]!.ExchangeOrderId).toBe(12345678901234567892n);
      expect(rows[0]!.AppID).toBe(columns === 25 ? "client_app_1.0" : undefined);
      const answer = answers.at(-1)!;
      const text = pipeRowsIn === "body" ? answer.text : (JSON.parse(answer.text) as { result: string }).result;
      expect(answer.type).toMatch(pipeRowsIn === "body" ? /^text\/plain/ : /^application\/json/);
      expect(text.startsWith("MS,OrderQry,")).toBe(hasHeader);
    }
  });

  it("an operation newer than the counter is answered 101", async () => {
    mock.settings.counterVersion = "007P8";
    await expect(client().call("getSeatConnections")).rejects.toMatchObject({ code: 101 });
  });
});

describe("token session", () => {
  it("one login for concurrent first calls; after expiry exactly one re-login for concurrent calls, each retried once", async () => {
    mock.settings.latencyMs = 20;
    const c = client({ maxInFlight: 8 });
    const logins0 = mock.stats.logins;
    await Promise.all(Array.from({ length: 6 }, () => c.call("getSystemInfo")));
    expect(mock.stats.logins - logins0).toBe(1);
    mock.expireTokens();
    const before = mock.received.length;
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => c.call("getOrderHistory")),
      ...Array.from({ length: 3 }, () => c.call("getAuthCodes")),
    ]);
    expect(results).toHaveLength(9);
    expect(mock.stats.logins - logins0).toBe(2);
    // 9 rejected with 109, one login, 9 retries.
    const after = mock.received.slice(before);
    expect(after.filter((r) => r.operationId === "login")).toHaveLength(1);
    expect(after.filter((r) => r.operationId !== "login")).toHaveLength(18);
    expect(c.session.loginCount).toBe(2);
  });

  it("tokens that expire by time lead to a re-login too", async () => {
    mock.settings.tokenTtlMs = 50;
    const c = client();
    await c.call("getSystemInfo");
    await new Promise((r) => setTimeout(r, 80));
    await c.call("getSystemInfo");
    expect(c.session.loginCount).toBe(2);
  });

  it("a token rejected again right after a fresh login is an AuthError (no loop)", async () => {
    const { fetch, calls } = recordingFetch(async (req) => {
      const body = req.url.pathname === "/login" ? { code: 0, msg: "成功", ticket: "tok-abc123" } : { code: 109, msg: "无效token" };
      return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
    });
    const c = createXeleClient({ maUrl: "http://ma.test", msUrl: "http://ms.test", username: "u", password: "secret-pw", fetch });
    const err = await c.call("getSystemInfo").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as ApiError).code).toBe(109);
    expect(calls.map((r) => r.url.pathname)).toEqual(["/login", "/api/trade/system/info", "/login", "/api/trade/system/info"]);
  });

  it("one server's URL on another machine and the other left to its default (a port of this one) is refused: the login would go there", () => {
    const made = (o: XeleClientOptions) => {
      try {
        createXeleClient({ username: "u", password: "p", ...o });
        return undefined;
      } catch (e) {
        return e;
      }
    };
    const e = made({ msUrl: "http://10.0.0.5:8181" });
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toBe('xele: msUrl is "http://10.0.0.5:8181" but maUrl is not given: the login (user name and password) would go to its default http://127.0.0.1:8899, a port of this machine; give maUrl too');
    expect((made({ maUrl: "https://auth.example:8899" }) as Error).message).toBe('xele: maUrl is "https://auth.example:8899" but msUrl is not given: the counter\'s requests and the session token would go to its default http://127.0.0.1:8181, a port of this machine; give msUrl too');
    // both given, neither, or the one given on this machine too (an emulator, a tunnel): as before
    for (const o of [{}, { maUrl: "http://10.0.0.5:8899", msUrl: "http://10.0.0.6:8181" }, { msUrl: "http://127.0.0.1:9181" }, { maUrl: "http://localhost:1" }, { msUrl: "http://[::1]:8181" }, { msUrl: "http://127.1:8181" }, { msUrl: "http://localhost.:8181" }, { msUrl: "http://0.0.0.0:8181" }, { msUrl: "http://[::ffff:127.0.0.1]:8181" }]) expect(made(o), JSON.stringify(o)).toBeUndefined();
    // a name that starts with "127." is another machine
    expect((made({ maUrl: "http://127.corp.example.net:8899" }) as Error).message).toMatch(/maUrl is "http:\/\/127\.corp\.example\.net:8899" but msUrl is not given/);
  });

  it("a wrong password is an AuthError from the login; a missing one a CredentialsError", async () => {
    await expect(client({ password: "wrong-password" }).call("getSystemInfo")).rejects.toBeInstanceOf(AuthError);
    await expect(client({ password: undefined }).call("getSystemInfo")).rejects.toBeInstanceOf(CredentialsError);
  });

  it("never puts the password or the token in logs, events or error messages", async () => {
    const lines: string[] = [];
    const events: TransportEvent[] = [];
    const c = client({ log: (l) => lines.push(l), onEvent: (e) => events.push(e) });
    await c.call("getSystemInfo");
    const token = mock.received.at(-1)!.json.token as string;
    mock.expireTokens();
    await c.call("getSystemInfo");
    const errors: string[] = [];
    for (const p of [c.call("createCashInOut", { investor_id: "x", direction: "3" as "1", amount: 1 }), client({ password: "wrong-password" }).call("getSystemInfo")]) {
      errors.push(String(await p.catch((e: Error) => `${e.name}: ${e.message}`)));
    }
    // An HTTP error page echoing the request must not leak either.
    const { fetch } = recordingFetch(async (req) =>
      req.url.pathname === "/login"
        ? new Response(JSON.stringify({ ticket: token }), { headers: { "content-type": "application/json" } })
        : new Response(`bad gateway for ${req.url.search} token=${token} password=${XELE_MOCK_PASSWORD}`, { status: 502 }),
    );
    errors.push(String(await createXeleClient({ maUrl: "http://ma.test", msUrl: "http://ms.test", username: "u", password: XELE_MOCK_PASSWORD, fetch, retry: false }).call("getSystemInfo").catch((e: Error) => e.message)));
    expect(lines.join("\n")).toMatch(/logging in to MA as admin[\s\S]*rejected \(109/);
    const all = [...lines, ...events.map((e) => JSON.stringify(e)), ...errors].join("\n");
    expect(errors[2]).toMatch(/HTTP 502/);
    expect(all).not.toContain(XELE_MOCK_PASSWORD);
    expect(all).not.toContain(token);
    expect(all).not.toContain("wrong-password");
  });
});

describe("requests", () => {
  it("GET JSON travels as ?params=<base64> of exactly the request (decoded by the emulator)", async () => {
    const before = mock.received.length;
    await client().call("getPositions", { investor_id: ["777001"], instrument_id: ["au2212"], margin: { min: 0.5 } });
    const got = mock.received.slice(before).find((r) => r.operationId === "getPositions")!;
    expect(got.viaParams).toBe(true);
    expect(parseJson(Buffer.from(got.params!, "base64").toString("utf8"))).toEqual(got.json);
    expect(got.json.data).toMatchObject({ investor_id: ["777001"], instrument_id: ["au2212"], margin: { min: 0.5, max: null }, hedge_flag: null, content: "" });
  });

  it("serialno counts per request and wraps after 65535 (MA requests carry none)", async () => {
    const c = client({ firstSerialNo: 65534 });
    const before = mock.received.length;
    for (let i = 0; i < 3; i++) await c.call("getSystemInfo");
    await c.call("getAuthCodes");
    const sent = mock.received.slice(before).filter((r) => r.operationId !== "login");
    expect(sent.map((r) => r.json.serialno)).toEqual([65534, 65535, 0, undefined]);
  });

  it("a bad request is a UsageError and nothing is sent", async () => {
    const before = mock.stats.requests.MS;
    const err = await client()
      .call("queryOrders", { investor_id: "777001" } as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^xele queryOrders: invalid request: data\.investor_id must be array/);
    expect(mock.stats.requests.MS).toBe(before);
  });

  it("the server's rejection of a value is an InvalidRequestError with the vendor code", async () => {
    const err = await client()
      .call("auditCashInOut", { unique_id: 99999, status: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(106);
    const bad = await client()
      .call("updateFrontControls", [{ exchange_id: "SHFE", seat_index: 9, seat_type: "MANAGER", model_switch: 0, flow_control: 200, weight: 0, front_ip: "x" }])
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidRequestError);
    expect((bad as ApiError).code).toBe(110);
    expect(bad).toBeInstanceOf(TradeApiError);
  });

  it("never more than maxInFlight requests at a server at once", async () => {
    mock.settings.latencyMs = 15;
    mock.stats.maxInFlight.MS = 0;
    const c = client({ maxInFlight: 2 });
    await c.login();
    await Promise.all(Array.from({ length: 12 }, () => c.call("getCounterStatus")));
    expect(mock.stats.maxInFlight.MS).toBe(2);
    mock.stats.maxInFlight.MS = 0;
    const wide = client({ maxInFlight: { MS: 5 } });
    await wide.login();
    await Promise.all(Array.from({ length: 12 }, () => wide.call("getCounterStatus")));
    expect(mock.stats.maxInFlight.MS).toBe(5);
  });

  it("retries transient failures of retryable operations with a fresh serialno, never of writes", async () => {
    let n = 0;
    const serials: unknown[] = [];
    const { fetch, calls } = recordingFetch(async (req) => {
      if (req.url.pathname === "/login") return new Response(JSON.stringify({ ticket: "tok-1" }), { headers: { "content-type": "application/json" } });
      const json = req.method === "GET" ? parseJson(Buffer.from(req.url.searchParams.get("params")!, "base64").toString()) : parseJson(req.body);
      serials.push((json as Record<string, unknown>).serialno);
      return ++n % 2 ? new Response("busy", { status: 503 }) : new Response('{"code":0,"msg":"成功","result":{}}', { headers: { "content-type": "application/json" } });
    });
    const c = createXeleClient({ maUrl: "http://ma.test", msUrl: "http://ms.test", username: "u", password: "p", fetch, retry: { baseDelayMs: 1, sleep: async () => undefined } });
    await c.call("getSystemInfo");
    expect(serials).toEqual([0, 1]);
    await expect(c.call("createCashInOut", { investor_id: "1", direction: "1", amount: 1 })).rejects.toMatchObject({ status: 503 });
    expect(calls.filter((r) => r.method === "POST" && r.url.pathname !== "/login")).toHaveLength(1);
  });
});
