import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meta } from "../../generated/bhex-org.docs.js";
import { signBhexParams } from "../../src/auth/bhex.js";
import { batchItemFailures, batchTask, batchTaskState } from "../../src/handwritten/bhex/batch-results.js";
import { createBhexOrgClient, type BhexOperationId } from "../../src/handwritten/bhex/client.js";
import { DownloadForbiddenError, HistoryFileNotFoundError } from "../../src/handwritten/bhex/download.js";
import { AbortedError, ApiError, AuthError, ResponseFormatError, ServiceUnavailableError, TradeApiError, UsageError } from "../../src/handwritten/core/errors.js";
import { parseJson } from "../../src/handwritten/core/json.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { buildZip } from "../../src/mock/xlsx.js";
import { plausibleParams, XLSX_TYPE } from "./helpers.js";
import { rejection } from "../helpers/rejection.js";
import { tempDir } from "../helpers/temp-dir.js";

const run = promisify(execFile);
let mock: HttpMock;
let faults = 0;
beforeAll(async () => {
  mock = await startBhexMock({
    // The users the order tests place orders for (an unknown user's order is 31009).
    knownUserIds: ["0", "1", "7001"],
    // Two HTTP 500s for basicTokens, then normal answers.
    fault: (req) => (req.op.operationId === "basicTokens" && faults-- > 0 ? { status: 500, body: { code: 110, msg: "Internal server error" } } : undefined),
  });
});
afterAll(() => mock.close());

const client = (extra: object = {}) =>
  createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, retry: { sleep: async () => {} }, ...extra });

/** A raw signed request, bypassing the client. */
async function raw(method: "GET" | "POST", path: string, params: Record<string, string>, opts: { key?: string; secret?: string; sigIn?: "query" | "form" | "both" | "none" } = {}) {
  const signature = signBhexParams(params, opts.secret ?? BHEX_MOCK_SECRET_KEY);
  const sigIn = opts.sigIn ?? (method === "GET" ? "query" : "form");
  const q = new URLSearchParams(method === "GET" ? params : {});
  const f = new URLSearchParams(method === "POST" ? params : {});
  if (sigIn === "query" || sigIn === "both") q.append("signature", signature);
  if (sigIn === "form" || sigIn === "both") f.append("signature", signature);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (opts.key !== "") headers["x-access-key"] = opts.key ?? BHEX_MOCK_ACCESS_KEY;
  const res = await fetch(`${mock.url}${path}${q.size ? `?${q}` : ""}`, { method, headers, body: method === "POST" ? f.toString() : undefined });
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
}

describe("every operation against the emulator", () => {
  const STATEFUL = new Set([
    "basicTime",
    "orderCreate",
    "orderGet",
    "orderCancel",
    "orderOrgBatchCancel",
    "orderOpenOrders",
    // Balances and the order history are the emulator's own (test/bhex/mock-funds.test.ts).
    "accountBalance",
    "orderTradeOrders",
    "orderMatchInfo",
    "orderMyTrades",
    "financeBatchTransfer",
    "financeAirDrop",
    "financeBatchLockPosition",
    "financeBatchUnlockPosition",
    "financeGetBatchTransferResult",
    "financeGetAirDropResult",
    "financeGetBatchLockPositionResult",
    "financeGetBatchUnlockPositionResult",
    "financeLock",
    "financeUnlock",
    "userBatchUpdateUserKycInfo",
    "accountBalanceFlow",
    "statisticsLockRecord",
    "statisticsDownloadData",
  ]);
  // Lists filter their records by the parameters that name record fields: ask for the
  // example's own user where the plausible value would select none of its records.
  const CONSISTENT: Record<string, Record<string, unknown>> = {
    statisticsUnlockRecord: { user_id: 217235926081077248n },
    paymentOrders: { payer_user_id: 83214971450163200n },
  };
  const rows = meta.operations
    .filter((o) => !STATEFUL.has(o.operationId))
    .map((o) => {
      // A required time range spans every example record (x-pagination startParam/endParam).
      const pg = o.pagination as { startParam?: string; endParam?: string; timeField?: string } | undefined;
      const span = pg?.timeField ? { [pg.startParam!]: 0, [pg.endParam!]: 4_102_444_800_000 } : {};
      const params = { ...plausibleParams(o), ...CONSISTENT[o.operationId] };
      for (const [k, v] of Object.entries(span)) if (k in params) params[k] = v;
      return { op: o.operationId as BhexOperationId, params };
    });

  it.each(rows)("$op answers the vendor doc's example, as documented method and as form POST", async ({ op, params }) => {
    const opMeta = meta.operations.find((o) => o.operationId === op)!;
    const example = parseJson(opMeta.responses["200"]!.example!) as Record<string, unknown>;
    const want = opMeta.envelope === false ? example : example.data;
    for (const allAsPost of [false, true]) {
      expect(await client({ allAsPost }).call(op, params as never)).toEqual(want);
    }
  });

  it("serves IDs above 2^53 as bare integers with every digit", async () => {
    const unlock = await raw("GET", "/api/v2/org/statistics/unlock_record", { user_id: "217235926081077248" });
    expect(unlock.text).toMatch(/"clientReqId":\s*410722994621856001\b/);
    expect(unlock.text).toMatch(/"userId":\s*217235926081077248\b/);
    const otc = await raw("POST", "/v2/org/otc/order/list", { user_id: "1" });
    expect(otc.text).toMatch(/"accountId":\s*231215678938542080\b/);
    expect(otc.text).toMatch(/"targetAccountId":\s*213670654898113536\b/);
  });
});

describe("credentials: key and signature checked on every call", () => {
  it.each([
    { why: "no X-ACCESS-KEY", opts: { key: "" }, msg: /missing X-ACCESS-KEY/ },
    { why: "an unknown access key", opts: { key: "someone-else" }, msg: /unknown X-ACCESS-KEY/ },
    { why: "a wrong secret", opts: { secret: "not-the-secret" }, msg: /signature mismatch/ },
    { why: "no signature", opts: { sigIn: "none" as const }, msg: /missing signature/ },
    { why: "a signature in both query and body", opts: { sigIn: "both" as const }, msg: /more than one signature/ },
  ])("$why → HTTP 400 {code:1105,msg}", async ({ opts, msg }) => {
    const r = await raw("POST", "/api/v2/org/account/balance", { user_id: "1" }, opts);
    expect(r.status).toBe(400);
    expect(r.type).toContain("application/json");
    const body = JSON.parse(r.text);
    expect(Object.keys(body).sort()).toEqual(["code", "msg"]);
    expect(body.code).toBe(1105);
    expect(body.msg).toMatch(/^Username or password is incorrect/);
    expect(body.msg).toMatch(msg);
  });

  it("a changed parameter after signing is rejected; a correctly signed raw request passes", async () => {
    expect((await raw("GET", "/api/v2/org/basic/time", {})).status).toBe(200);
    const sig = signBhexParams({ user_id: "1" }, BHEX_MOCK_SECRET_KEY);
    const res = await fetch(`${mock.url}/api/v2/org/account/balance`, {
      method: "POST",
      headers: { "x-access-key": BHEX_MOCK_ACCESS_KEY, "content-type": "application/x-www-form-urlencoded" },
      body: `user_id=2&signature=${sig}`,
    });
    expect(res.status).toBe(400);
  });

  it("a parameter given twice (an unsigned copy before the signed one, in the body or the query) is refused naming it: a server reading the first value acts on one the signature does not cover", async () => {
    const order = { user_id: "7001", exchange_id: "301", symbol_id: "ATUSDT", client_order_id: "given-twice-1", type: "limit", side: "buy", price: "1", quantity: "1" };
    const signed = new URLSearchParams({ ...order, signature: signBhexParams(order, BHEX_MOCK_SECRET_KEY) }).toString();
    const headers = { "x-access-key": BHEX_MOCK_ACCESS_KEY, "content-type": "application/x-www-form-urlencoded" };
    for (const [query, body, name] of [
      ["", `quantity=999&${signed}`, "quantity"],
      ["?quantity=999", signed, "quantity"],
      ["", `${signed}&user_id=7001`, "user_id"],
    ] as const) {
      const res = await fetch(`${mock.url}/api/v2/org/order/create${query}`, { method: "POST", headers, body });
      expect(res.status, body.slice(0, 20)).toBe(400);
      expect(await res.json()).toEqual({ code: 1105, msg: `Username or password is incorrect (parameter "${name}" given twice: the signature covers one value of each)` });
    }
    await expect(client().call("orderGet", { user_id: 7001, client_order_id: order.client_order_id })).rejects.toThrow(/order not found/);
    // The same request without the copy is placed.
    expect((await fetch(`${mock.url}/api/v2/org/order/create`, { method: "POST", headers, body: signed })).status).toBe(200);
    expect(await client().call("orderGet", { user_id: 7001, client_order_id: order.client_order_id })).toMatchObject({ origQty: "1" });
  });

  it("through the client: a wrong secret is an AuthError with code 1105 and HTTP 400", async () => {
    const err = await client({ secretKey: "wrong-secret" }).call("basicTime").catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe(1105);
    expect(err.httpStatus).toBe(400);
    expect(err.message).not.toContain("wrong-secret");
  });

  it("HTTP 500 {code:110} → ServiceUnavailableError, and a read recovers by retrying", async () => {
    faults = 2;
    const tokens = meta.operations.find((o) => o.operationId === "basicTokens")!;
    await expect(client().call("basicTokens")).resolves.toEqual((parseJson(tokens.responses["200"]!.example!) as { data: unknown }).data);
    expect(faults).toBe(-1); // two faulted attempts and a third that passed
    faults = 5;
    const err = await client({ retry: false }).call("basicTokens").catch((e) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err.code).toBe(110);
    faults = 0;
  });
});

describe("spot orders: create → get → cancel", () => {
  const user = 83214971450163200n;
  it("keeps state, by order id and by client order id, and refuses what cannot be", async () => {
    const c = client();
    const placed = await c.callWithKey("orderCreate", { user_id: user, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "sell", price: "0.1668", quantity: "10" });
    const order = placed.data!;
    expect(BigInt(order.orderId!)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(order).toMatchObject({ clientOrderId: placed.idempotencyKey!.value, status: "NEW", type: "LIMIT", side: "SELL", price: "0.1668", origQty: "10" });
    expect(await c.call("orderGet", { user_id: user, order_id: order.orderId! })).toEqual(order);
    expect(await c.call("orderGet", { user_id: user, client_order_id: order.clientOrderId! })).toEqual(order);
    expect((await c.call("orderOpenOrders", { user_id: user }))?.map((o) => o.orderId)).toContain(order.orderId);

    expect(await c.call("orderCancel", { user_id: user, order_id: order.orderId! })).toEqual({ success: true });
    expect((await c.call("orderGet", { user_id: user, order_id: order.orderId! }))?.status).toBe("CANCELED");
    expect((await c.call("orderOpenOrders", { user_id: user }))?.map((o) => o.orderId)).not.toContain(order.orderId);

    const again = await c.call("orderCancel", { user_id: user, order_id: order.orderId! }).catch((e) => e);
    expect(again).toBeInstanceOf(ApiError);
    expect(again.code).toBe(1);
    expect(again.message).toMatch(/orderCancel: code 1 order is CANCELED/);
    await expect(c.call("orderGet", { user_id: 231215678785585152n, order_id: order.orderId! })).rejects.toThrow(/order not found/);
    await expect(c.call("orderCreate", { user_id: user, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", quantity: "1" })).rejects.toThrow(/price is required/);
    // A price given but not a positive decimal is said so (it was "price is required").
    for (const price of ["-1", "0", "1e-30"]) {
      await expect(c.call("orderCreate", { user_id: user, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", quantity: "1", price })).rejects.toThrow(/code 1 price must be a positive decimal/);
    }
  });

  it("a user is its int64 id, however written: a leading zero or -0 places no second order under one client_order_id (it did), and finds the user's orders", async () => {
    const create = (user_id: string, client_order_id: string) =>
      raw("POST", "/api/v2/org/order/create", { user_id, exchange_id: "301", symbol_id: "BTCUSDT", client_order_id, type: "limit", side: "buy", quantity: "1", price: "100", time_in_force: "GTC" });
    const idOf = (r: { text: string }) => (parseJson(r.text) as { data: { orderId: string } }).data.orderId;
    const first = idOf(await create("83214971450163200", "lz-1"));
    expect(idOf(await create("083214971450163200", "lz-1"))).toBe(first);
    expect(idOf(await create("0", "lz-zero"))).toBe(idOf(await create("-0", "lz-zero")));
    const get = await raw("POST", "/api/v2/org/order/get", { user_id: "00083214971450163200", client_order_id: "lz-1" });
    expect(idOf(get)).toBe(first);
    const open = parseJson((await raw("POST", "/api/v2/org/order/open_orders", { user_id: "083214971450163200" })).text) as { data: Array<{ orderId: string }> };
    expect(open.data.filter((o) => o.orderId === first)).toHaveLength(1);
  });

  it("org_batch_cancel cancels the symbol's open orders", async () => {
    const c = client({ allAsPost: true });
    const a = await c.call("orderCreate", { user_id: 1, exchange_id: 301, symbol_id: "BTCUSDT", type: "market", side: "buy", quantity: "1" });
    const b = await c.call("orderCreate", { user_id: 1, exchange_id: 301, symbol_id: "ETHUSDT", type: "limit", side: "buy", price: "1", quantity: "1" });
    await c.call("orderOrgBatchCancel", { symbol_id: "BTCUSDT" });
    expect((await c.call("orderGet", { user_id: 1, order_id: a!.orderId! }))?.status).toBe("CANCELED");
    expect((await c.call("orderGet", { user_id: 1, order_id: b!.orderId! }))?.status).toBe("NEW");
  });
});

describe("batch tasks → results with a status per item", () => {
  it("batch lock (simple): 200 for known users, 31009 for an unknown one, 5 for a bad amount", async () => {
    const c = client();
    const task = await c.callWithKey("financeBatchLockPosition", {
      data_type: "simple",
      desc: "lock for activity 0714",
      items: [
        { user_id: "83214971450163200", token_id: "BTC", amount: "0.005", desc: "activity lock" },
        { user_id: "1234", token_id: "USDT", amount: "0.5" },
        { user_id: "231215678785585152", token_id: "USDT", amount: "0" },
        { user_id: "0231215678785585152", token_id: "USDT", amount: "1" },
      ],
    });
    expect(task.data).toMatchObject({ clientOrderId: task.idempotencyKey!.value, desc: "lock for activity 0714", status: 0 });
    const result = await c.call("financeGetBatchLockPositionResult", { client_order_id: task.idempotencyKey!.value });
    expect(batchTaskState(batchTask(result!))).toBe("done");
    // (a known user's id with a leading zero is that user)
    expect(result?.items?.map((i) => i.status)).toEqual([200, 31009, 5, 200]);
    const failures = batchItemFailures(result!);
    expect(failures.map((f) => [f.index, f.status])).toEqual([
      [1, 31009],
      [2, 5],
    ]);
    expect(failures[0]!.item).toMatchObject({ userId: "1234", tokenId: "USDT" });
    expect(failures[0]!.meaning).toMatch(/User information error/);
    expect(failures[1]!.meaning).toBe("failed");
  });

  it.each([
    { create: "financeAirDrop", result: "financeGetAirDropResult", items: [{ target_user_id: "83214971450163200", token_id: "USDT", amount: "2000", to_target_lock: true }, { target_user_id: "42", token_id: "USDT", amount: "1" }] },
    { create: "financeBatchUnlockPosition", result: "financeGetBatchUnlockPositionResult", items: [{ user_id: "231215678785585152", token_id: "BTC", amount: "0.5" }, { user_id: "42", token_id: "BTC", amount: "1" }] },
    {
      create: "financeBatchTransfer",
      result: "financeGetBatchTransferResult",
      items: [
        { source_user_id: "231215678785585152", target_user_id: "83214971450163200", token_id: "BTC", amount: "0.5", business_subject: 70 },
        { source_user_id: "42", target_user_id: "83214971450163200", token_id: "BTC", amount: "0.5", business_subject: 3 },
      ],
    },
  ] as const)("$create (json) → $result", async ({ create, result, items }) => {
    const c = client();
    const id = `T-${create}`;
    // (an unlock releases what was locked: a batch unlock item beyond that fails with 5)
    if (create === "financeBatchUnlockPosition") await c.call("financeLock", { user_id: "231215678785585152", token_id: "BTC", amount: "0.5" });
    const made = await c.call(create, { client_order_id: id, data_type: "json", items: items as never });
    expect(made?.status).toBe(0);
    // Same client_order_id again: the same task, not a second one.
    expect((await c.call(create, { client_order_id: id, data_type: "json", items: items as never }))?.id).toBe(made?.id);
    const res = await c.call(result, { client_order_id: id });
    expect(batchTask(res as never)).toMatchObject({ id: made?.id, clientOrderId: id, status: 1 });
    expect(batchItemFailures(res as never).map((f) => [f.index, f.status])).toEqual([[1, 31009]]);
    if (create === "financeAirDrop") expect(res).toHaveProperty("transferTask");
  });

  it("batchItemFailures: items that are not a list are a ResponseFormatError, never a TypeError or \"nothing failed\"", () => {
    for (const items of [{ toString: 1, valueOf: 1 }, "abc", 7, true]) {
      let error: unknown;
      try {
        batchItemFailures({ items } as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ResponseFormatError);
      expect((error as Error).message).toMatch(/^bhex batchItemFailures: the batch result's "items" is an? \w+, not a list of items/);
    }
    // Given the call that answered, the error names it, as every other error names its operation.
    const named = (() => {
      try {
        batchItemFailures({ items: "[]" } as never, "financeGetBatchLockPositionResult");
      } catch (e) {
        return e;
      }
    })();
    expect(named).toBeInstanceOf(ResponseFormatError);
    expect(named).toMatchObject({ api: "bhex", operation: "financeGetBatchLockPositionResult" });
    expect((named as Error).message).toBe('bhex financeGetBatchLockPositionResult: the batch result\'s "items" is a string, not a list of items (body starts: "[]")');
    expect(() => batchItemFailures({ results: 5 } as never)).toThrow(expect.objectContaining({ operation: "batchItemFailures" }));
    expect(() => batchItemFailures({ results: {} } as never)).toThrow(/"results" is an object/);
    expect(batchItemFailures({ items: null } as never)).toEqual([]);
    expect(batchItemFailures({ items: [{ status: "x" }, 5] } as never).map((f) => f.index)).toEqual([0, 1]);
  });

  it("batchTaskState reads the spec's BatchTaskStatus (0 running, 1 succeeded, any other integer abnormal), the integer as text too", () => {
    const state = (status: unknown) => batchTaskState({ status } as never);
    // "1" was "abnormal": a task that succeeded, reported as failed. Item statuses were already read from text ("200").
    expect([0, 1, 2, -1, 5].map(state)).toEqual(["running", "done", "abnormal", "abnormal", "abnormal"]);
    expect(["0", "1", "2", "-1"].map(state)).toEqual(["running", "done", "abnormal", "abnormal"]);
    // Not an integer: never running or done.
    expect(["1.0", " 1", "x", true, {}, Number.NaN].map(state)).toEqual(Array(6).fill("abnormal"));
    // No task, no status: nothing says the task failed.
    expect([undefined, null].map(state)).toEqual(["unknown", "unknown"]);
    expect(batchTaskState(undefined)).toBe("unknown");
    expect(batchTaskState(batchTask({ transferTask: { status: "1" as never } }))).toBe("done");
  });

  it("an unknown task and malformed items are envelope errors", async () => {
    const c = client();
    await expect(c.call("financeGetAirDropResult", { client_order_id: "never-made" })).rejects.toThrow(/code 1 no financeAirDrop task/);
    await expect(c.call("financeAirDrop", { data_type: "simple", items: "1,BTC" })).rejects.toThrow(/code 1 .*has 2 fields/);
  });

  it("batch KYC update answers per row resultCode 200 / 31009", async () => {
    const res = await client().call("userBatchUpdateUserKycInfo", {
      user_id: 83521968678633472n,
      data_type: "json",
      items: [
        { user_id: 83521968678633472n, first_name: "梁中", country_code: "CN", card_no: "309328439232", verify_status: 2 },
        { user_id: 9007199254740993n, first_name: "X", country_code: "CN", card_no: "1", verify_status: 1 },
      ],
    });
    expect(res?.results?.map((r) => [r.userId, r.resultCode])).toEqual([
      ["83521968678633472", 200],
      ["9007199254740993", 31009],
    ]);
    expect(batchItemFailures(res!)).toMatchObject([{ index: 1, status: 31009, message: "用户信息错误" }]);
  });
});

describe("statistics/download_data: a real .xlsx", () => {
  it("is a valid ZIP with the spreadsheet parts (unzip -t) and the cells keep every digit", async () => {
    const dir = tempDir("bhex-xlsx-");
    const file = join(dir, "sub", "balance_2020-01-01.xlsx");
    const saved = await client().downloadData({ type: "balance", date: "2020-01-01" }, file);
    expect(saved.path).toBe(file);
    const bytes = readFileSync(file);
    expect(bytes.byteLength).toBe(saved.bytes);
    const test = await run("unzip", ["-t", file]);
    expect(test.stdout).toMatch(/No errors detected/);
    const list = await run("unzip", ["-Z1", file]);
    expect(list.stdout.trim().split("\n").sort()).toEqual(["[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]);
    const sheet = await run("unzip", ["-p", file, "xl/worksheets/sheet1.xml"]);
    expect(sheet.stdout).toContain("<t xml:space=\"preserve\">217235926081077248</t>");
    expect(sheet.stdout).toContain("2000.00000001");
    // Python's zipfile agrees (CRCs checked by testzip).
    const py = await run("python3", ["-c", "import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);print(z.testzip());print(len(z.namelist()))", file]);
    expect(py.stdout.trim().split("\n")).toEqual(["None", "5"]);
  });

  it("takes this call's { signal, timeoutMs }; a save that fails leaves no partial file; two downloads to one path do not mix", async () => {
    const dir = tempDir("bhex-xlsx-");
    const file = join(dir, "balance.xlsx");
    await expect(client().downloadData({ type: "balance", date: "2020-01-01" }, file, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    await expect(client().downloadData({ type: "balance", date: "2020-01-01" }, file, { timeoutMs: -1 })).rejects.toBeInstanceOf(UsageError);
    expect(readdirSync(dir)).toEqual([]);
    // The target is a directory: the rename fails after the write; the partial file is removed.
    mkdirSync(join(dir, "taken.xlsx", "inside"), { recursive: true });
    const failed = await client().downloadData({ type: "balance", date: "2020-01-01" }, join(dir, "taken.xlsx")).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(readdirSync(dir)).toEqual(["taken.xlsx"]);
    const both = await Promise.all([0, 1].map(() => client().downloadData({ type: "balance", date: "2020-01-01" }, file)));
    expect(both.map((d) => d.bytes)).toEqual([both[0]!.bytes, both[0]!.bytes]);
    expect((await run("unzip", ["-t", file])).stdout).toMatch(/No errors detected/);
    expect(readdirSync(dir).sort()).toEqual(["balance.xlsx", "taken.xlsx"]);
  });

  it("a download that fails makes no directory; downloads into one new directory do not undo each other", async () => {
    const dir = tempDir("bhex-xlsx-");
    mkdirSync(join(dir, "kept"));
    // The call fails (the emulator has no file of that date: 404), or is aborted before any request.
    const fresh = join(dir, "kept", "a", "b");
    await expect(client().downloadData({ type: "balance", date: "1999-01-01" }, join(fresh, "x.xlsx"))).rejects.toBeInstanceOf(HistoryFileNotFoundError);
    await expect(client().downloadData({ type: "balance", date: "2020-01-01" }, join(fresh, "x.xlsx"), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    expect(readdirSync(join(dir, "kept"))).toEqual([]);
    // A path under a file is refused before the call, however deep the missing part.
    writeFileSync(join(dir, "kept", "afile"), "");
    const under = await rejection(client().downloadData({ type: "balance", date: "2020-01-01" }, join(dir, "kept", "afile", "c", "d", "x.xlsx")));
    expect(under).toBeInstanceOf(UsageError);
    expect(under.message).toContain(`cannot write into ${join(dir, "kept", "afile", "c", "d")}: a part of the path is a file, not a directory`);
    // Several downloads into one new directory, one of them failing: the others are saved.
    const days = ["1999-01-01", "2020-01-01", "2020-01-02", "1999-01-02", "2020-01-03"];
    const results = await Promise.allSettled(days.map((date) => client().downloadData({ type: "balance", date }, join(dir, "new", "sub", `${date}.xlsx`))));
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(readdirSync(join(dir, "new", "sub")).sort()).toEqual(["2020-01-01.xlsx", "2020-01-02.xlsx", "2020-01-03.xlsx"]);
  });

  it("answers with the spreadsheet content type and a file name", async () => {
    const q = new URLSearchParams({ type: "trade_detail", date: "2019-08-01" });
    q.append("signature", signBhexParams({ type: "trade_detail", date: "2019-08-01" }, BHEX_MOCK_SECRET_KEY));
    const res = await fetch(`${mock.url}/api/v2/org/statistics/download_data?${q}`, { headers: { "x-access-key": BHEX_MOCK_ACCESS_KEY } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(XLSX_TYPE);
    expect(res.headers.get("content-disposition")).toContain("trade_detail_2019-08-01.xlsx");
    expect(new Uint8Array(await res.arrayBuffer()).subarray(0, 4)).toEqual(new Uint8Array([0x50, 0x4b, 0x03, 0x04]));
  });

  it("404 before a file type's first day → HistoryFileNotFoundError; 403 without permission → DownloadForbiddenError", async () => {
    const nf = await client().downloadData({ type: "lock_position", date: "2019-11-13" }, "/tmp/never.xlsx").catch((e) => e);
    expect(nf).toBeInstanceOf(HistoryFileNotFoundError);
    expect(nf.status).toBe(404);
    const forbidden = await startBhexMock({ downloadForbidden: true });
    try {
      const c = createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: forbidden.url, rateLimit: false });
      const e = await c.call("statisticsDownloadData", { type: "balance", date: "2020-01-01" }).catch((x) => x);
      expect(e).toBeInstanceOf(DownloadForbiddenError);
      expect(e.status).toBe(403);
    } finally {
      await forbidden.close();
    }
  });

  it("buildZip output is read back by unzip with the exact bytes", async () => {
    const dir = tempDir("bhex-zip-");
    const payload = "x".repeat(5000) + "中文";
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "a.zip"), buildZip([{ name: "dir/a.txt", data: new TextEncoder().encode(payload) }]));
    const out = await run("unzip", ["-p", join(dir, "a.zip"), "dir/a.txt"]);
    expect(out.stdout).toBe(payload);
  });
});
