/**
 * Envelope fields a server fills with values a client must not trust: a parsed JSON object whose
 * own "toString" and "valueOf" are not functions (`String()` and template literals throw a bare
 * TypeError on it), arrays, null, booleans. Every REST API and the Xele row paths answer each
 * with a typed error naming the operation, never a TypeError.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { ApiError, HttpError, ResponseFormatError, TradeApiError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { rejection } from "../helpers/rejection.js";

const EVIL = { toString: 1, valueOf: 1 };

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function answering(body: unknown, status = 200): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const common = { retry: false as const, timeoutMs: 3_000 };
type Run = (url: string) => Promise<unknown>;
const RUN: Record<string, Run> = {
  xt: (url) => createXtClient({ accessKey: "ak-hostile-1", secretKey: "sk-hostile-1", baseUrl: url, rateLimit: false, ...common }).call("getBalance"),
  bhex: (url) => createBhexOrgClient({ accessKey: "ak-hostile-1", secretKey: "sk-hostile-1", baseUrl: url, rateLimit: false, ...common }).call("userGetBaseInfo", { user_id: "1" }),
  hubi: (url) => createHubiClient({ accessKey: "ak-hostile-1", secretKey: "sk-hostile-1", accessToken: "tk-hostile-1", baseUrl: url, ...common }).call("cancelOrder", { order_no: "1" }),
  "xele login": (url) => createXeleClient({ username: "u", password: "pw-hostile-1", maUrl: url, msUrl: url, ...common }).call("getSystemInfo"),
};

describe.each([
  ["xt", "code", "info"],
  ["bhex", "status", "msg"],
  ["hubi", "status", "message"],
  ["xele login", "code", "msg"],
] as const)("%s: hostile envelope values are typed errors", (api, codeField, messageField) => {
  it.each([
    ["an object String() throws on", EVIL],
    ["an array", [EVIL]],
    ["null", null],
    ["a boolean", true],
  ])(`"${codeField}" is %s`, async (_what, value) => {
    const e = await rejection(RUN[api]!(await answering({ [codeField]: value, [messageField]: "x" })));
    expect(e).toBeInstanceOf(TradeApiError);
    expect(e.message).toMatch(new RegExp(`^${api.split(" ")[0]} \\w+: `));
  });

  it.each([
    ["an object String() throws on", EVIL, '{"toString":1,"valueOf":1}'],
    ["an array of them", [EVIL], '[{"toString":1,"valueOf":1}]'],
  ])(`"${messageField}" of a failure is %s: an ApiError showing it as JSON`, async (_what, value, shown) => {
    const failure = api === "hubi" ? -1 : 1;
    const e = await rejection(RUN[api]!(await answering({ [codeField]: failure, [messageField]: value })));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.message).toContain(shown);
    expect((e as ApiError).vendorMessage).toBe(shown);
  });
});

describe("an HTTP 400 whose vendor message is an object String() throws on", () => {
  it.each(["xt", "bhex"] as const)("%s: an ApiError showing it as JSON", async (api) => {
    const e = await rejection(RUN[api]!(await answering({ code: 104, status: 104, msg: EVIL, info: EVIL }, 400)));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.message).toContain('{"toString":1,"valueOf":1}');
    expect((e as ApiError).httpStatus).toBe(400);
  });
});

describe("envelope codes that are not codes", () => {
  it.each([
    ["xt", "code", "an object"],
    ["bhex", "status", "an array"],
  ] as const)("%s: %s is %s → ResponseFormatError saying so", async (api, field, what) => {
    const value = what === "an array" ? [1] : EVIL;
    const e = await rejection(RUN[api]!(await answering({ [field]: value, msg: "x", info: "x" })));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain(`envelope's "${field}" is ${what}, not a code`);
  });
});

describe("xele rows: an envelope code or msg String() throws on", () => {
  it.each([
    ["code", { code: EVIL, msg: "x", result: "" }, ResponseFormatError],
    ["msg", { code: 1, msg: EVIL, result: "" }, ApiError],
  ])("%s: call() and streamRows() reject with a typed error showing it as JSON", async (_field, body, Expected) => {
    const url = await answering(body);
    // The MA server logs in; the MS server answers with the hostile envelope.
    const xele = createXeleClient({ username: "u", password: "pw-hostile-1", maUrl: await loginServer(), msUrl: url, ...common });
    const viaCall = await rejection(xele.call("queryOrders"));
    expect(viaCall).toBeInstanceOf(Expected);
    expect(viaCall.message).toMatch(/\{\\?"toString\\?":1/);
    const viaStream = await rejection(
      (async () => {
        for await (const _row of xele.streamRows("queryOrders")) void _row;
      })(),
    );
    expect(viaStream).toBeInstanceOf(Expected);
    expect(viaStream.message).toMatch(/\{\\?"toString\\?":1/);
  });
});

let login: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (login ? login.close(() => r()) : r()));
  login = undefined;
});
async function loginServer(): Promise<string> {
  login = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: 0, msg: "", ticket: "xe-token-hostile-1" }));
    });
  });
  await new Promise<void>((r) => login!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(login.address() as AddressInfo).port}`;
}

describe("an answer's data of another JSON type than the spec's is a ResponseFormatError", () => {
  it.each([
    ["xt getBalance: data a text where the spec has an object", "xt", { code: 200, info: "success", data: "abc" }, /the answer's "data" is string, not object as the spec says/],
    ["xt getBalance: data a list of items where the spec has an object", "xt", { code: 200, info: "success", data: [{ a: 1 }] }, /is array, not object/],
    ["bhex userGetBaseInfo: data a number", "bhex", { status: 0, msg: "", data: 5 }, /the answer's "data" is integer, not object/],
    ["hubi cancelOrder: result an object where the spec has a text", "hubi", { status: 0, message: "", result: { a: 1 } }, /the answer's "result" is object, not string or null/],
  ])("%s", async (_what, api, body, message) => {
    const e = await rejection(RUN[api]!(await answering(body)));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toMatch(message);
  });

  it("null and an empty list for an object pass (vendors send them for \"nothing\"): [] is an empty object where the object needs no field", async () => {
    for (const [data, read] of [[null, null], [[], {}], [{}, {}]]) {
      await expect(RUN.xt!(await answering({ code: 200, info: "success", data }))).resolves.toEqual(read);
      await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
    }
  });

  it("the openapi-fetch GET returns the same error as { error }", async () => {
    const url = await answering({ code: 200, info: "success", data: "abc" });
    const c = createXtClient({ accessKey: "ak-hostile-1", secretKey: "sk-hostile-1", baseUrl: url, rateLimit: false, ...common });
    const { data, error } = await c.GET("/trade/api/v1/getBalance");
    expect(data).toBeUndefined();
    expect(error).toBeInstanceOf(ResponseFormatError);
  });
});

describe("an error body nested deeper than JSON.stringify can recurse", () => {
  it("JSON.stringify(error) still works: toJSON cuts the nesting at 1000 levels; error.body keeps every level", async () => {
    // Deep enough for JSON.stringify's stack; short enough (under 256 KiB) to be read at all (MAX_JSON_DEPTH).
    const depth = 40_000;
    const text = `{"code":104,"info":"busy","extra":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(text);
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const e = await rejection(createXtClient({ accessKey: "k", secretKey: "s", baseUrl: url, rateLimit: false, retry: false }).call("getBalance"));
    expect(e).toBeInstanceOf(ApiError);
    const json = JSON.stringify(e);
    expect(json).toContain('"(nested deeper than 1000 levels: see the error\'s own field)"');
    expect(json.split('{"a":').length - 1).toBe(999);
    let levels = 0;
    for (let v = (e as ApiError).body as Record<string, unknown>; v && typeof v === "object"; v = (v.extra ?? v.a) as Record<string, unknown>) levels++;
    expect(levels).toBe(depth + 1);
  });
});

describe("an error status whose body carries the vendor's success code", () => {
  it.each([
    ["xt", { code: 200, info: "SUCCESS", data: {} }],
    ["bhex", { status: 0, msg: "ok", data: {} }],
    ["hubi", { status: 0, message: "ok", result: {} }],
  ])("%s: an HttpError with the status (it was an ApiError named after the success code)", async (api, body) => {
    const e = await rejection(RUN[api]!(await answering(body, 502)));
    expect(e).toBeInstanceOf(HttpError);
    expect(e).not.toBeInstanceOf(ApiError);
    expect((e as HttpError).status).toBe(502);
  });

  it("a vendor error code in an error status is still its ApiError", async () => {
    const e = await rejection(RUN.xt!(await answering({ code: 104, info: "busy" }, 502)));
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(104);
  });
});

describe("a JSON answer whose bytes are not valid in its charset", () => {
  const bytes = (charsetNote: string) =>
    new Uint8Array([...new TextEncoder().encode(`{"code":200,"info":"SUCCESS","data":{"btc":{"note":"${charsetNote}`), 0xff, 0xfe, ...new TextEncoder().encode('"}}}')]);
  it.each([
    ["application/json", "UTF-8 (its Content-Type names no other charset)"],
    ["application/json; charset=utf-8", "utf-8"],
  ])("%s: a ResponseFormatError on both roads, not U+FFFD in a field (it was U+FFFD)", async (type, named) => {
    const body = bytes("a");
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": type });
        res.end(body);
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const viaFetch = async () => new Response(body, { headers: { "content-type": type } });
    for (const client of [
      createXtClient({ accessKey: "ak-hostile-1", secretKey: "sk-hostile-1", baseUrl: url, rateLimit: false, ...common }),
      createXtClient({ accessKey: "ak-hostile-1", secretKey: "sk-hostile-1", fetch: viaFetch as typeof fetch, rateLimit: false, ...common }),
    ]) {
      const e = await rejection(client.call("getBalance"));
      expect(e).toBeInstanceOf(ResponseFormatError);
      expect(e.message).toBe(`xt getBalance: the answer has bytes that are not valid ${named}: nothing was decoded`);
    }
  });

  it("an error answer with such bytes is still mapped to its vendor code (read leniently)", async () => {
    const body = new Uint8Array([...new TextEncoder().encode('{"code":104,"info":"busy '), 0xff, ...new TextEncoder().encode('"}')]);
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(body);
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const e = await rejection(RUN.xt!(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(104);
  });
});
