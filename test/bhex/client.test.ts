import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { meta } from "../../generated/bhex-org.docs.js";
import { createBhexOrgClient, type BhexOperationId } from "../../src/handwritten/bhex/client.js";
import { DownloadForbiddenError, HistoryFileNotFoundError } from "../../src/handwritten/bhex/download.js";
import {
  ApiError,
  AuthError,
  CredentialsError,
  HttpError,
  InvalidRequestError,
  ResponseFormatError,
  ServiceUnavailableError,
  UsageError,
} from "../../src/handwritten/core/errors.js";
import { parseJson } from "../../src/handwritten/core/json.js";
import { json, recordingFetch, type Recorded } from "../helpers/recording-fetch.js";
import { specExample } from "../helpers/answers.js";
import { exampleResponder, KEYS, opOf, plausibleParams, SAMPLE_XLSX, sentPairs, verifySignature, XLSX_TYPE } from "./helpers.js";

const BASE = "https://broker.test";
const make = (respond: (r: Recorded, n: number) => Response | Promise<Response>, extra: Parameters<typeof createBhexOrgClient>[0] = {}) => {
  const rec = recordingFetch(respond);
  return { ...rec, client: createBhexOrgClient({ ...KEYS, fetch: rec.fetch, baseUrl: BASE, rateLimit: false, retry: { sleep: async () => {} }, ...extra }) };
};

/** What `call` should resolve to: the example's `data`, or the whole example for bare answers. */
function expectedData(opId: string): unknown {
  const op = meta.operations.find((o) => o.operationId === opId)!;
  const r = op.responses["200"]!;
  if (r.contentType === XLSX_TYPE) return SAMPLE_XLSX;
  const value = parseJson(r.example!) as Record<string, unknown>;
  return op.envelope === false ? value : value.data;
}

const ROWS = meta.operations.map((op) => ({ op: op.operationId as BhexOperationId, method: op.method, path: op.path, params: plausibleParams(op) }));

describe("createBhexOrgClient: every operation once", () => {
  it("the table covers every operation of the spec", () => {
    const specIds = [...readFileSync("specs/openapi/bhex-org.yaml", "utf8").matchAll(/^ {6}operationId: (\w+)$/gm)].map((m) => m[1]);
    expect(specIds.length).toBeGreaterThan(0);
    expect([...new Set(ROWS.map((r) => r.op))].sort()).toEqual(specIds.sort());
  });

  it.each(ROWS)("$op ($method $path)", async ({ op, method, path, params }) => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const keys: string[] = [];
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: BASE, rateLimit: false, onIdempotencyKey: (k) => keys.push(k.value) });
    const data = await client.call(op, params as never);
    const opMeta = meta.operations.find((o) => o.operationId === op)!;

    expect(calls).toHaveLength(1);
    const req = calls[0]!;
    expect(req.method).toBe(method);
    expect(req.url.pathname).toBe(path);
    expect(req.headers["x-access-key"]).toBe(KEYS.accessKey);
    const { query, form } = sentPairs(req);
    const where = method === "GET" ? query : form;
    if (method === "GET") {
      expect(req.body).toBe("");
    } else {
      expect(query).toEqual([]);
      expect(req.headers["content-type"]).toContain("application/x-www-form-urlencoded");
    }
    // Every parameter where the spec puts it, with its exact text; the signature there too, once.
    const sent = Object.fromEntries(where);
    for (const [k, v] of Object.entries(params)) expect(sent[k], k).toBe(String(v));
    expect(where.filter(([k]) => k === "signature")).toHaveLength(1);
    expect(verifySignature(req)).toBe(true);
    // The idempotency key: generated (the caller gave none), sent, reported.
    const idem = opMeta.idempotencyKey;
    if (idem) {
      expect(sent[idem]).toMatch(/^\d{19}$/);
      expect(keys).toEqual([sent[idem]]);
    } else {
      expect(keys).toEqual([]);
    }
    expect(Object.keys(sent).sort()).toEqual([...Object.keys(params), ...(idem ? [idem] : []), "signature"].sort());

    expect(data).toEqual(expectedData(op));
  });
});

describe("allAsPost: every call as a form POST, as the vendor demos send", () => {
  const gets = meta.operations.filter((o) => o.method === "GET");
  it.each(gets.map((o) => ({ op: o.operationId as BhexOperationId, path: o.path, params: plausibleParams(o) })))("$op", async ({ op, path, params }) => {
    const { client, calls } = make(exampleResponder, { allAsPost: true });
    const data = await client.call(op, params as never);
    const req = calls[0]!;
    expect(req.method).toBe("POST");
    expect(req.url.pathname).toBe(path);
    expect(req.url.search).toBe("");
    const form = Object.fromEntries(sentPairs(req).form);
    for (const [k, v] of Object.entries(params)) expect(form[k]).toBe(String(v));
    expect(form.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifySignature(req)).toBe(true);
    expect(data).toEqual(expectedData(op));
  });

  it("applies to openapi-fetch calls too", async () => {
    const { client, calls } = make(exampleResponder, { allAsPost: true });
    const { data } = await client.GET("/api/v2/org/statistics/unlock_record", { params: { query: { user_id: 217235926081077248n } } });
    expect(data?.data?.[0]?.clientReqId).toBe(410722994621856001n);
    expect(calls[0]!.method).toBe("POST");
    expect(calls[0]!.url.search).toBe("");
    expect(new URLSearchParams(calls[0]!.body).get("user_id")).toBe("217235926081077248");
    expect(verifySignature(calls[0]!)).toBe(true);
  });

  it("covers the vendor doc's 27 GETs and leaves POSTs as they are", async () => {
    expect(gets).toHaveLength(27);
    const { client, calls } = make(exampleResponder, { allAsPost: true });
    await client.call("accountBalance", { user_id: 1 });
    expect(calls[0]!.method).toBe("POST");
    expect(verifySignature(calls[0]!)).toBe(true);
  });
});

describe("int64 IDs keep every digit", () => {
  it("OTC order ids, lock/unlock record userId and clientReqId come back as exact bigints", async () => {
    const { client } = make(exampleResponder);
    const otc = await client.call("otcOrderList", { user_id: 1 });
    expect(otc?.[0]?.accountId).toBe(231215678938542080n);
    expect(otc?.[0]?.targetAccountId).toBe(213670654898113536n);
    expect(otc?.[0]?.id).toBe(231321131671354);
    const unlocks = await client.call("statisticsUnlockRecord", { user_id: 217235926081077248n });
    expect(unlocks?.[0]?.userId).toBe(217235926081077248n);
    // 410722994621856001 is not a double: JSON.parse would give ...000.
    expect(unlocks?.[0]?.clientReqId).toBe(410722994621856001n);
    const locks = await client.call("statisticsLockRecord", { user_id: 1 });
    expect(locks?.[0]?.userId).toBe(217235926081077248n);
  });

  it("sends int64 parameters with every digit and keeps them through openapi-fetch calls", async () => {
    const { client, calls } = make(exampleResponder);
    await client.call("accountBalance", { user_id: 9007199254740993n });
    expect(new URLSearchParams(calls[0]!.body).get("user_id")).toBe("9007199254740993");
    const { data } = await client.POST("/v2/org/otc/order/list", { body: { user_id: 9007199254740993n } });
    expect(data?.data?.[0]?.targetAccountId).toBe(213670654898113536n);
    expect(new URLSearchParams(calls[1]!.body).get("user_id")).toBe("9007199254740993");
    expect(verifySignature(calls[1]!)).toBe(true);
  });

  it("openapi-fetch GET: query parameters and the signature in the query", async () => {
    const { client, calls } = make(exampleResponder);
    const { data } = await client.GET("/api/v2/org/statistics/unlock_record", { params: { query: { user_id: 217235926081077248n, limit: 5 } } });
    expect(data?.data?.[0]?.clientReqId).toBe(410722994621856001n);
    const req = calls[0]!;
    expect(req.url.searchParams.get("user_id")).toBe("217235926081077248");
    expect(req.url.searchParams.get("signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(verifySignature(req)).toBe(true);
  });
});

describe("codes the vendor doc leaves open are read as sent", () => {
  // The doc's BusinessSubject listing is cut off; its contract section lists no order types or
  // statuses (and spells CANCELLED its own way); a completion rate may have a fraction. A closed
  // enum there refused the whole page for one record.
  const answering = (edits: Record<string, [RegExp, string]>) => (r: Recorded) => {
    const op = opOf(r)!;
    const edit = edits[op.operationId];
    return new Response(edit ? specExample(meta, op.operationId).replace(edit[0], edit[1]) : specExample(meta, op.operationId), { headers: { "content-type": "application/json" } });
  };
  it("a lock record's businessSubject not listed, a contract order's type and status not listed, a fractional recentExecuteRate", async () => {
    const { client } = make(
      answering({
        statisticsLockRecord: [/"businessSubject": 0/, '"businessSubject": 140'],
        statisticsUnlockRecord: [/"businessSubject": \d+/, '"businessSubject": 141'],
        contractOrderOpenOrders: [/"type": "LIMIT",([\s\S]*?)"status": "NEW"/, '"type": "STOP_MARKET",$1"status": "EXPIRED"'],
        contractOrderMyTrades: [/"type": "LIMIT"/, '"type": "STOP_MARKET"'],
        otcOrderList: [/"recentExecuteRate": 0/, '"recentExecuteRate": 66.7'],
      }),
    );
    expect((await client.call("statisticsLockRecord", { user_id: 1 }))?.[0]?.businessSubject).toBe(140);
    expect((await client.call("statisticsUnlockRecord", { user_id: 1 }))?.[0]?.businessSubject).toBe(141);
    const open = await client.call("contractOrderOpenOrders", { user_id: 1 });
    expect([open?.[0]?.type, open?.[0]?.status]).toEqual(["STOP_MARKET", "EXPIRED"]);
    expect((await client.call("contractOrderMyTrades", { user_id: 1 }))?.[0]?.type).toBe("STOP_MARKET");
    expect((await client.call("otcOrderList", { user_id: 1 }))?.[0]?.recentExecuteRate).toBe(66.7);
  });
});

describe("deprecated operations", () => {
  const deprecated = meta.operations.filter((o) => o.deprecated).map((o) => o.operationId);
  const generated = readFileSync(new URL("../../generated/bhex-org.ts", import.meta.url), "utf8");

  it("are the four the vendor doc strikes through or abandons", () => {
    expect(deprecated.sort()).toEqual(["financeBatchTransfer", "financeMapping", "financeTransfer", "statisticsColdWalletInfo"]);
  });

  it.each(meta.operations.map((o) => ({ op: o.operationId, deprecated: o.deprecated })))("$op: @deprecated in generated/bhex-org.ts is $deprecated", ({ op, deprecated: dep }) => {
    // The JSDoc block right before `get|post: operations["<op>"];` in `paths`.
    const m = new RegExp(`(/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/)\\s*(?:get|post): operations\\["${op}"\\];`).exec(generated);
    expect(m, `paths entry of ${op}`).not.toBeNull();
    expect(/@deprecated/.test(m![1]!)).toBe(dep);
  });

  it.each(deprecated)("%s is still callable", async (op) => {
    const opMeta = meta.operations.find((o) => o.operationId === op)!;
    const { client, calls } = make(exampleResponder);
    await expect(client.call(op as BhexOperationId, plausibleParams(opMeta) as never)).resolves.toEqual(expectedData(op));
    expect(verifySignature(calls[0]!)).toBe(true);
  });
});

describe("error shapes", () => {
  it("envelope status != 0 → ApiError with the vendor code and message", async () => {
    const { client } = make(() => json({ status: 7, msg: "非法请求" }));
    const err = await client.call("userExtStatus", { user_id: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe(7);
    expect(err.vendorMessage).toBe("非法请求");
    expect(err.message).toMatch(/^bhex userExtStatus: code 7 非法请求/);
  });

  it('{code,msg} with HTTP 200 is the vendor error too (not "missing envelope field")', async () => {
    const { client } = make(() => json({ code: 1105, msg: "Username or password is incorrect" }));
    const err = await client.call("accountBalance", { user_id: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe(1105);
    const bare = make(() => json({ unexpected: true }));
    await expect(bare.client.call("accountBalance", { user_id: 1 })).rejects.toThrow(/^bhex accountBalance: envelope has no "status" field \(its fields: "unexpected"\)$/);
    // Its fields are named as such (they were shown as "body starts: [...]").
    const other = make(() => json({ code: 200, info: "success", data: null }));
    await expect(other.client.call("accountBalance", { user_id: 1 })).rejects.toThrow(/envelope has no "status" field \(its fields: "code", "info", "data"\)$/);
  });

  it("the four bare answers (no envelope) are checked for a failure too: a refused transfer resolved as if made", async () => {
    const transfer = { from_account_type: 1, from_account_index: 0, to_account_type: 1, to_account_index: 1, token_id: "USDT", amount: "1" };
    for (const answer of [{ code: 1105, msg: "Username or password is incorrect" }, { status: 31009, msg: "用户信息错误" }]) {
      const { client } = make(() => json(answer));
      const err = await client.call("accountSubAccountTransfer", transfer as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(answer)).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(answer.code ?? answer.status);
      const query = await make(() => json(answer)).client.call("accountSubAccountQuery", {} as never).catch((e: unknown) => e);
      expect(query).toBeInstanceOf(ApiError);
    }
    // Their own answers still resolve.
    await expect(make(() => json({ success: true })).client.call("accountSubAccountTransfer", transfer as never)).resolves.toEqual({ success: true });
    await expect(make(() => json([])).client.call("accountSubAccountQuery", {} as never)).resolves.toEqual([]);
  });

  it("envelope status 31009 → InvalidRequestError (documented kind)", async () => {
    const { client } = make(() => json({ status: 31009, msg: "用户信息错误" }));
    const err = await client.call("accountBalance", { user_id: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err.meaning).toMatch(/User information error/);
  });

  it('HTTP 400 {"code":1105,...} → AuthError with the HTTP status', async () => {
    const { client, calls } = make(() => json({ code: 1105, msg: "Username or password is incorrect" }, 400));
    const err = await client.call("accountBalance", { user_id: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe(1105);
    expect(err.httpStatus).toBe(400);
    expect(err.vendorMessage).toBe("Username or password is incorrect");
    expect(calls).toHaveLength(1);
  });

  it('HTTP 500 {"code":110,...} → ServiceUnavailableError; reads are retried, writes are not', async () => {
    const read = make((r, n) => (n < 3 ? json({ code: 110, msg: "Internal server error" }, 500) : exampleResponder(r)));
    await expect(read.client.call("accountBalance", { user_id: 1 })).resolves.toBeDefined();
    expect(read.calls).toHaveLength(3);
    const write = make(() => json({ code: 110, msg: "Internal server error" }, 500));
    const err = await write.client.call("financeLock", { user_id: 1, token_id: "BTC", amount: "1" }).catch((e) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err.httpStatus).toBe(500);
    expect(write.calls).toHaveLength(1);
  });

  it("a non-JSON 502 → HttpError; an HTML page on 200 → ResponseFormatError", async () => {
    const gw = make(() => new Response("Bad Gateway", { status: 502 }), { retry: false });
    const err = await gw.client.call("basicTime").catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(502);
    const html = make(() => new Response("<html>login</html>", { headers: { "content-type": "text/html" } }));
    await expect(html.client.call("basicTime")).rejects.toBeInstanceOf(ResponseFormatError);
  });

  it("download_data 404 / 403 → HistoryFileNotFoundError / DownloadForbiddenError (HttpErrors that say why)", async () => {
    const nf = make(() => new Response("Not Found", { status: 404 }));
    const e404 = await nf.client.call("statisticsDownloadData", { type: "balance", date: "2019-01-01" }).catch((e) => e);
    expect(e404).toBeInstanceOf(HistoryFileNotFoundError);
    expect(e404).toBeInstanceOf(HttpError);
    expect(e404.status).toBe(404);
    expect(e404.message).toMatch(/no such history file/);
    // The first days come from the spec's x-first-dates on `date`.
    expect(e404.message).toContain("files start 2019-06-24 for account data, 2019-07-14 for user data, 2019-10-31 for balance_flow/contract_position, 2019-11-14 for lock_position;");
    const fb = make(() => new Response("", { status: 403 }));
    const e403 = await fb.client.downloadData({ type: "balance", date: "2020-01-01" }, "/tmp/never-written.xlsx").catch((e) => e);
    expect(e403).toBeInstanceOf(DownloadForbiddenError);
    expect(e403.message).toMatch(/no permission/);
    // 404 on another operation is not mapped to a download error.
    const other = make(() => new Response("Not Found", { status: 404 }));
    const plain = await other.client.call("basicTime").catch((e) => e);
    expect(plain).toBeInstanceOf(HttpError);
    expect(plain).not.toBeInstanceOf(HistoryFileNotFoundError);
  });

  it("a date that is not yyyy-MM-dd of a real day is refused before the call, naming it (it was sent, and the 404 spoke of missing files)", async () => {
    const dl = make(() => new Response(SAMPLE_XLSX as Uint8Array<ArrayBuffer>, { headers: { "content-type": XLSX_TYPE } }));
    for (const date of ["2024-13-45", "20240105", "yesterday", "2023-02-29", "2024-1-05", " 2024-01-05"]) {
      const e = await dl.client.call("statisticsDownloadData", { type: "balance", date }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toContain(`must be a date written yyyy-MM-dd, got ${JSON.stringify(date)}`);
    }
    expect(dl.calls).toHaveLength(0);
    await dl.client.call("statisticsDownloadData", { type: "balance", date: "2024-02-29" });
    expect(dl.calls).toHaveLength(1);
  });

  it("downloadData checks the file path before the call: a directory, a path under a file, an empty path are UsageErrors and nothing is fetched", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bhex-dl-"));
    try {
      writeFileSync(join(dir, "afile"), "");
      const dl = make(() => new Response(SAMPLE_XLSX as Uint8Array<ArrayBuffer>, { headers: { "content-type": XLSX_TYPE } }));
      const params = { type: "balance", date: "2020-01-01" } as const;
      for (const [path, message] of [
        [dir, `${dir} is a directory: give the path of the file to write`],
        [join(dir, "afile", "x.xlsx"), `cannot write into ${join(dir, "afile")}: a part of the path is a file, not a directory`],
        ["", "the file path must be a non-empty string, got an empty one"],
        [undefined, "the file path must be a non-empty string, got undefined"],
      ] as const) {
        const e = await dl.client.downloadData(params, path as string).catch((err: unknown) => err);
        expect(e, String(path)).toBeInstanceOf(UsageError);
        expect((e as Error).message).toBe(`bhex statisticsDownloadData: ${message}`);
      }
      expect(dl.calls).toHaveLength(0);
      // Directories that are missing are made; the file is written whole.
      const saved = await dl.client.downloadData(params, join(dir, "a", "b", "balance.xlsx"));
      expect(saved.bytes).toBe(SAMPLE_XLSX.byteLength);
      expect(readFileSync(saved.path)).toEqual(Buffer.from(SAMPLE_XLSX));
      // A file name of 255 bytes, the most a file system takes: the partial file has a short name of its own.
      const longest = join(dir, `${"b".repeat(250)}.xlsx`);
      await expect(dl.client.downloadData(params, longest)).resolves.toEqual({ path: longest, bytes: SAMPLE_XLSX.byteLength });
      expect(readdirSync(dir).sort()).toEqual(["a", "afile", `${"b".repeat(250)}.xlsx`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("downloadData refuses, before the call, a path no file can have: a NUL byte, no file name at the end, a name over 255 bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bhex-dl-"));
    try {
      const dl = make(() => new Response(SAMPLE_XLSX as Uint8Array<ArrayBuffer>, { headers: { "content-type": XLSX_TYPE } }));
      const params = { type: "balance", date: "2020-01-01" } as const;
      const tooLong = `${"y".repeat(251)}.xlsx`;
      const wide = `${"é".repeat(126)}.xlsx`; // 126 characters, 257 bytes
      for (const [path, message] of [
        // The NUL byte is shown escaped: a message is one printable line.
        [join(dir, "a\0b.xlsx"), `the file path ${dir}/a\\u0000b.xlsx contains a NUL byte, which no file name can hold`],
        [`${join(dir, "newdir")}/`, `${dir}/newdir/ ends in a path separator, not a file name: give the path of the file to write`],
        [`${join(dir, "newdir")}/.`, `${dir}/newdir/. ends in ".", not a file name: give the path of the file to write`],
        [join(dir, tooLong), `cannot write ${dir}/${tooLong}: its file name is 256 bytes (UTF-8) long, more than the 255 a file system takes`],
        [join(dir, wide), `cannot write ${dir}/${wide}: its file name is 257 bytes (UTF-8) long, more than the 255 a file system takes`],
        [join(dir, "d".repeat(256), "x.xlsx"), `cannot write ${dir}/${"d".repeat(256)}/x.xlsx: a directory's name in it is 256 bytes (UTF-8) long, more than the 255 a file system takes`],
      ] as const) {
        const e = await dl.client.downloadData(params, path).catch((err: unknown) => err);
        expect(e, path).toBeInstanceOf(UsageError);
        expect((e as Error).message).toBe(`bhex statisticsDownloadData: ${message}`);
      }
      expect(dl.calls).toHaveLength(0);
      expect(readdirSync(dir)).toEqual([]);
      // 255 bytes of two-byte characters is still a name a file system takes.
      const widest = join(dir, `${"é".repeat(125)}.xlsx`);
      await expect(dl.client.downloadData(params, widest)).resolves.toEqual({ path: widest, bytes: SAMPLE_XLSX.byteLength });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("missing credentials → CredentialsError naming the option (never an env var), before anything is sent", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createBhexOrgClient({ fetch, baseUrl: BASE, rateLimit: false });
    await expect(client.call("basicTime")).rejects.toBeInstanceOf(CredentialsError);
    await expect(client.call("basicTime")).rejects.toThrow("missing accessKey: pass { accessKey } to the client");
    const noSecret = createBhexOrgClient({ fetch, baseUrl: BASE, rateLimit: false, accessKey: "a" });
    const e = await noSecret.call("basicTime").catch((x: Error) => x);
    expect(e).toBeInstanceOf(CredentialsError);
    expect((e as Error).message).toBe("bhex basicTime: missing secretKey: pass { secretKey } to the client");
    expect(calls).toHaveLength(0);
  });

  it("usage errors before sending: missing, unknown, wrong enum, none of a required-one-of group", async () => {
    const { client, calls } = make(exampleResponder);
    await expect(client.call("userGetBaseInfo", {} as never)).rejects.toThrow(/userGetBaseInfo: missing required parameter "user_id"/);
    await expect(client.call("userGetBaseInfo", { user_id: 1, uid: 2 } as never)).rejects.toThrow(/unknown parameter "uid"/);
    await expect(client.call("statisticsDownloadData", { type: "nope" as never, date: "2020-01-01" })).rejects.toThrow(/"type" must be one of/);
    // (the types say so too: at least one of each x-required-one-of group)
    // @ts-expect-error order_id or client_order_id
    await expect(client.call("orderCancel", { user_id: 1 })).rejects.toThrow(/orderCancel: pass at least one of "order_id", "client_order_id"/);
    // @ts-expect-error mobile or email
    await expect(client.call("userRegister", { password: "x" })).rejects.toThrow(/"mobile", "email"/);
    // @ts-expect-error payer_user_id or payee_user_id
    await expect(client.call("paymentOrders")).rejects.toThrow(/"payer_user_id", "payee_user_id"/);
    // @ts-expect-error third_user_id or user_id
    await expect(client.call("userSimpleLogin", {})).rejects.toThrow(/"third_user_id", "user_id"/);
    const typed = (c: typeof client) => [c.call("orderCancel", { user_id: 1, order_id: 2 }), c.call("orderGet", { user_id: 1, client_order_id: "k" }), c.call("userRegister", { email: "a@b.c" }), c.call("paymentOrders", { payee_user_id: 1 })];
    expect(typeof typed).toBe("function");
    await expect(client.call("nope" as never, {} as never)).rejects.toBeInstanceOf(UsageError);
    expect(calls).toHaveLength(0);
  });

  it("never puts the secret or the signature in an error message", async () => {
    const { client } = make((r) => new Response(`rejected ${r.url.search} ${r.body} key=${KEYS.secretKey}`, { status: 418 }));
    const err = await client.call("accountBalance", { user_id: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.message).not.toContain(KEYS.secretKey);
    expect(err.message).not.toMatch(/signature=[0-9a-f]{64}/);
    expect(err.message).toContain("[redacted]");
  });
});

describe("rate limit from the spec: org_batch_cancel once per 10 s", () => {
  it("a second org_batch_cancel waits for the window", async () => {
    let t = 0;
    const waits: number[] = [];
    const { RateLimiter } = await import("../../src/handwritten/core/rate-limit.js");
    const limiter = new RateLimiter(meta.rateLimits, { now: () => t, sleep: async (ms) => void (waits.push(ms), (t += ms)) });
    const { client } = make(exampleResponder, { rateLimit: limiter });
    await client.call("orderOrgBatchCancel", { symbol_id: "ATUSDT" });
    await client.call("orderOrgBatchCancel", { symbol_id: "ATUSDT" });
    await client.call("orderCancel", { user_id: 1, order_id: 2 });
    expect(waits).toEqual([10_000]);
  });
});
