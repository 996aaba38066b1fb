/**
 * A REST answer must fit the spec's schema at any depth before `call()` (or `.GET`) hands it to
 * a typed caller: an object where an order's price should be, a list item without its id, a
 * text where the spec has an integer, each is a ResponseFormatError naming the API, the
 * operation and the field's path; nothing of the answer is returned. Fields the spec does not
 * list are kept (vendors add fields). The specs' own examples fit (else the check would refuse
 * what the vendor doc says the server sends).
 */
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meta as bhexDocs } from "../../generated/bhex-org.docs.js";
import { meta as hubiDocs } from "../../generated/hubi-futures.docs.js";
import { meta as hubiMeta } from "../../generated/hubi-futures.meta.js";
import { readApis, ROOT } from "../../scripts/api-registry.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { ResponseFormatError, TradeApiError } from "../../src/handwritten/core/errors.js";
import { HttpTransport } from "../../src/handwritten/core/http-transport.js";
import { DecimalPrecisionError, parseJson } from "../../src/handwritten/core/json.js";
import { envelopeOf, operationById, type ApiDocMeta, type ApiMeta } from "../../src/handwritten/core/meta.js";
import { checkSchema, fitsSchema } from "../../src/handwritten/core/validate.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { decodeFrame, QuantWsFrameError } from "../../src/handwritten/quant-ws/index.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { specExample, xtOk, xtOrderJson } from "../helpers/answers.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";
import { rejection } from "../helpers/rejection.js";
import { fcSeed } from "../helpers/fc-seed.js";

/** Every OpenAPI spec redocly.yaml registers (a new API is covered without a change here). */
const REGISTERED: Array<[string, ApiMeta, ApiDocMeta]> = await Promise.all(
  readApis()
    .filter((a) => a.kind === "openapi")
    .map(async (a) => [
      a.name,
      ((await import(join(ROOT, a.metaOutput))) as { meta: ApiMeta }).meta,
      ((await import(join(ROOT, a.metaOutput.replace(/\.meta\.ts$/, ".docs.ts")))) as { meta: ApiDocMeta }).meta,
    ] as [string, ApiMeta, ApiDocMeta]),
);

const answering = (text: string) => recordingFetch(() => json(null, 200, text)).fetch;
const xt = (text: string, decimals?: "string") =>
  createXtClient({ accessKey: "ak", secretKey: "sk", fetch: answering(text), rateLimit: false, retry: false, ...(decimals ? { decimals } : {}) });
const ORDER = JSON.parse(xtOrderJson()) as Record<string, unknown>;

describe("the specs' own answers fit their schemas", () => {
  it.each(REGISTERED)("%s: every documented 200 example of a checked operation", (_name, meta, docs) => {
    let checked = 0;
    const problems: string[] = [];
    for (const op of meta.operations) {
      const documented = operationById(docs, op.operationId)?.responses["200"];
      const example = documented?.example;
      // Xele's row answers are documented by their text form (the JSON one carries it in `data`).
      if (!op.dataSchema || typeof example !== "string" || !/json/i.test(documented?.contentType ?? "")) continue;
      const body = parseJson(example, { decimals: "string" });
      const field = envelopeOf(meta, op)?.dataField;
      const data = field ? (body as Record<string, unknown>)[field] : body;
      if (data === undefined || data === null) continue;
      checked++;
      for (const p of checkSchema(data, op.dataSchema, "", { decimalText: true })) problems.push(`${op.operationId}: ${p.message}`);
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it("covers every OpenAPI spec of redocly.yaml, the four first ones among them", () => {
    const names = REGISTERED.map(([name]) => name);
    expect(names).toEqual(readApis().filter((a) => a.kind === "openapi").map((a) => a.name));
    expect(names).toEqual(expect.arrayContaining(["bhex", "hubi", "xele", "xt"]));
  });

  it("every REST operation with a JSON answer carries its schema in the runtime metadata", () => {
    for (const [, meta] of REGISTERED) {
      for (const op of meta.operations) if (op.dataType) expect(op.dataSchema, `${meta.api} ${op.operationId}`).toBeDefined();
    }
  });
});

describe("an answer that does not fit, at any depth, is a ResponseFormatError naming the field", () => {
  it("XT getOrder: a price that is an object", async () => {
    const e = await rejection(xt(xtOk(JSON.stringify({ ...ORDER, price: { value: "1" } }))).call("getOrder", { market: "btc_usdt", id: 1 }));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e).toMatchObject({ api: "xt", operation: "getOrder" });
    expect(e.message).toMatch(/^xt getOrder: the answer's "data" does not fit the spec: data\.price must be string, got object \(body starts: /);
  });

  it("XT getOrder: a required field missing, an int64 id sent as text", async () => {
    const { fee: _fee, ...noFee } = ORDER;
    const e = await rejection(xt(xtOk(JSON.stringify({ ...noFee, id: "156293034776987" }))).call("getOrder", { market: "btc_usdt", id: 1 }));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain("data.id must be integer, got string");
    expect(e.message).toContain("missing field data.fee");
  });

  it("XT getOpenOrders: the second item of a list", async () => {
    const list = `[${xtOrderJson(1)},${xtOrderJson(2).replace('"status":3', '"status":"filled"')}]`;
    const e = await rejection(xt(xtOk(list)).call("getOpenOrders", { market: "btc_usdt" }));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toMatch(/data\[1\]\.status must be integer, got string/);
  });

  it("more than three problems: the first three and a count", async () => {
    const e = await rejection(xt(xtOk("{}")).call("getOrder", { market: "btc_usdt", id: 1 }));
    expect(e.message).toMatch(/: missing field data\.number; missing field data\.price; missing field data\.avgPrice; and 8 more \(body starts: "\{\\"code\\":200,\\"info\\":\\"success\\",\\"data\\":\{\}\}"\)$/);
  });

  it("Hubi (no envelope): an account of a list whose cash is text", async () => {
    const { fetch } = recordingFetch(() => json([{ currency: "USDT", cash: "1", withdrawableCash: 0, frozenCash: 0, urPnl: 0 }]));
    const hubi = createHubiClient({ accessKey: "ak", secretKey: "sk", accessToken: "tk", fetch, rateLimit: false, retry: false });
    const e = await rejection(hubi.call("queryAccounts"));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toMatch(/^hubi queryAccounts: the answer does not fit the spec: \[0\]\.cash must be number, got string/);
  });

  it("a text too long for the spec's pattern to be checked is a misfit like any other (was a bare RangeError from the regex)", async () => {
    // Hubi's pattern of a comma list, on a field of an answer: one regex stack frame per item.
    const op = { ...operationById(hubiMeta, "queryAccounts")!, dataSchema: { type: "array", items: { type: "object", properties: { currency: { type: "string", pattern: "^[^,\\s]+(,[^,\\s]+)*$" } } } } } as const;
    const answer = JSON.stringify([{ currency: Array.from({ length: 2_500_000 }, () => "1").join(",") }]);
    const transport = new HttpTransport({
      api: "hubi",
      meta: hubiMeta,
      baseUrl: "https://hubi.test",
      fetch: async () => new Response(answer, { headers: { "content-type": "application/json" } }),
      rateLimiter: null,
      retry: false,
    });
    const e = await rejection(transport.execute(op, { method: op.method, baseUrl: "https://hubi.test", path: op.path, query: [], form: null, json: null, headers: {} }));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toMatch(/^hubi queryAccounts: the answer does not fit the spec: \[0\]\.currency must match \S+, got "1,1,[1,]*… \(4999801 more characters\): too long to check against the pattern/);
  });

  it("BHEX: a lock record's id that is text where the vendor sends a bare int64", async () => {
    const example = JSON.parse(specExample(bhexDocs, "statisticsLockRecord")) as { data: Array<Record<string, unknown>> };
    example.data[0]!.id = "x";
    const { fetch } = recordingFetch(() => json(example));
    const bhex = createBhexOrgClient({ accessKey: "ak", secretKey: "sk", fetch, rateLimit: false, retry: false, baseUrl: "https://broker.test" });
    const e = await rejection(bhex.call("statisticsLockRecord", { user_id: 1 }));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain("data[0].id must be integer, got string");
  });

  it("a secret a server echoes into a field the message quotes is redacted there and in the snippet", async () => {
    const secret = "sk-echoed-secret-0042";
    const positions = JSON.parse(specExample(hubiDocs, "queryPosition")) as Array<Record<string, unknown>>;
    positions[0]!.side = secret;
    const { fetch } = recordingFetch(() => json(positions));
    const hubi = createHubiClient({ accessKey: "ak", secretKey: secret, accessToken: "tk", fetch, rateLimit: false, retry: false });
    const e = await rejection(hubi.call("queryPosition"));
    expect(e.message).toContain('[0].side must be one of "Long", "Short", got "[redacted]"');
    expect(JSON.stringify(e)).not.toContain(secret);
  });

  it("an order whose answer does not fit may have been placed: outcomeUnknown", async () => {
    const e = await rejection(xt(xtOk('{"id":"not a number"}')).call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e).toMatchObject({ outcomeUnknown: true });
  });

  it(".GET returns it as `error` (openapi-fetch's contract), with no data", async () => {
    const client = xt(xtOk(JSON.stringify({ ...ORDER, time: "yesterday" })));
    const { data, error } = await client.GET("/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt", id: 1 } } });
    expect(data).toBeUndefined();
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect((error as Error).message).toContain("data.time must be integer, got string");
  });
});

describe("tuples (prefixItems) and integers past a double's range", () => {
  const TEN_400 = `1${"0".repeat(400)}`;
  const ticker = (price: string) => `{"high":1,"moneyVol":1,"rate":1,"low":1,"price":${price},"ask":1,"bid":1,"coinVol":1}`;
  const kline = (row: string, decimals?: "string" | "number") =>
    createXtClient({ fetch: answering(`{"datas":[${row}],"since":1}`), rateLimit: false, retry: false, ...(decimals ? { decimals } : {}) }).call("getKLine", { market: "btc_usdt", type: "1min", since: 0 });

  it("an integer of 309 to 4,300 digits in a decimal field is a DecimalPrecisionError naming it (was a RangeError from BigInt(Infinity)), on call(), .GET and quant-ws frames", async () => {
    const e = await rejection(xt(ticker(TEN_400)).call("getTicker", { market: "btc_usdt" }));
    expect(e).toBeInstanceOf(DecimalPrecisionError);
    expect(e.message).toMatch(/^xt getTicker: the number at price \(10000/);
    const { error } = await xt(ticker(TEN_400)).GET("/data/api/v1/getTicker", { params: { query: { market: "btc_usdt" } } });
    expect(error).toBeInstanceOf(DecimalPrecisionError);
    const frame = () => decodeFrame(`{"op":"asset","cid":"c1","result":true,"error_message":"","data":{"USDT":{"free":${TEN_400},"locked":0,"total":1}}}`);
    expect(frame).toThrow(QuantWsFrameError);
    expect(frame).toThrow(/free/);
  });

  it("the message quotes the answer's own text, with a secret in it removed however its characters are escaped", async () => {
    const secretKey = "sk-live-5e2b8c1d9a7f3064";
    const escaped = [...secretKey].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    const client = createXtClient({ accessKey: "ak-live-1", secretKey, fetch: answering(`{"code":200,"info":"success","data":"echo ${escaped}"}`), rateLimit: false, retry: false });
    const e = await rejection(client.call("getBalance"));
    expect(e).toBeInstanceOf(ResponseFormatError);
    const { error } = await client.GET("/trade/api/v1/getBalance", {});
    for (const err of [e, error as Error]) {
      const all = `${err.message}\n${JSON.stringify(err)}\n${err.stack}`;
      expect(all).toContain("echo [redacted]");
      expect(all).not.toContain(escaped);
    }
  });

  it("XT's candles are checked and read by place: [int64 time, six decimals]", async () => {
    // exact: a volume no double holds is refused, not returned as a bigint the types call a number.
    expect(await rejection(kline("[1,1,1,1,1,12345678901234567890,1]"))).toBeInstanceOf(DecimalPrecisionError);
    expect((await rejection(kline("[1,1,1,1,1,12345678901234567890,1]"))).message).toMatch(/the number at datas\[0\]\[5\]/);
    expect(await rejection(kline(`[1,1,1,1,1,${TEN_400},1]`))).toBeInstanceOf(DecimalPrecisionError);
    // number: Infinity is no price.
    const inf = await rejection(kline("[1,1e400,-1e400,1,1,1,1]", "number"));
    expect(inf.message).toMatch(/datas\[0\]\[1\] must be a finite number, got Infinity; datas\[0\]\[2\] must be a finite number, got -Infinity/);
    // The message quotes the answer as sent (1e400, not the null JSON.stringify makes of Infinity).
    expect(inf.message).toContain('(body starts: "{\\"datas\\":[[1,1e400,-1e400');
    // string: a float timestamp is the integer it denotes; a decimal with a fraction is its text.
    await expect(kline("[1562923200.0,1.50,2,3,4,5,6]", "string")).resolves.toEqual({ datas: [[1562923200, "1.50", 2, 3, 4, 5, 6]], since: 1 });
    await expect(kline("[1.5629232e9,1,1,1,1,1,1]", "string")).resolves.toMatchObject({ datas: [[1562923200, 1, 1, 1, 1, 1, 1]] });
    // Wrong types by place; more items than the tuple names are kept.
    expect((await rejection(kline('["abc",{"x":1},null,true,1,1,1]'))).message).toMatch(/datas\[0\]\[0\] must be integer, got string; datas\[0\]\[1\] must be number, got object; datas\[0\]\[2\] must be number, got null; and 1 more/);
    await expect(kline("[1562923200,1.5,2,3,4,5,6,7]")).resolves.toEqual({ datas: [[1562923200, 1.5, 2, 3, 4, 5, 6, 7]], since: 1 });
  });
});

describe("a huge answer that does not fit is refused in bounded time and memory", () => {
  // 500,000 empty orders: 5.5 million missing fields. Every problem was collected before (6 MB of them ran the process out of memory).
  const items = `[${Array(500_000).fill("{}").join(",")}]`;

  it("REST: the first three problems and 'at least' how many more", async () => {
    const started = performance.now();
    const e = await rejection(xt(xtOk(items)).call("getOpenOrders", { market: "btc_usdt" }));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toMatch(/: missing field data\[0\]\.number; missing field data\[0\]\.price; missing field data\[0\]\.avgPrice; and at least 97 more \(body starts/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("quant-ws: a reply frame the same", () => {
    const started = performance.now();
    const frame = `{"op":"open_orders","cid":"c1","result":true,"error_message":"","data":${items}}`;
    const e = (() => {
      try {
        decodeFrame(frame);
      } catch (err) {
        return err as Error;
      }
    })();
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect(e!.message).toMatch(/does not fit the spec: .*; and at least 97 more/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe("what fits is returned whole", () => {
  it("fields the spec does not list are kept; decimals as text fit a number with decimals: \"string\"", async () => {
    const order = { ...ORDER, venueExtra: { nested: [1, "two"] } };
    await expect(xt(xtOk(JSON.stringify(order))).call("getOrder", { market: "btc_usdt", id: 1 })).resolves.toEqual(order);
    const ticker = '{"high":"1.5","moneyVol":2,"rate":1.39,"low":1.25,"price":123456789.123456789,"ask":1.75,"bid":1.5,"coinVol":3}';
    await expect(xt(ticker, "string").call("getTicker", { market: "btc_usdt" })).resolves.toMatchObject({ price: "123456789.123456789" });
    // A decimal's text where a number is typed is refused without that option.
    await expect(xt(ticker.replace("123456789.123456789", "2.5")).call("getTicker", { market: "btc_usdt" })).rejects.toThrow(/: high must be number, got string \(body starts/);
  });

  it("a null data field is left to the operation (vendors send null for nothing)", async () => {
    await expect(xt(xtOk("null")).call("getOrder", { market: "btc_usdt", id: 1 })).resolves.toBeNull();
  });
});

describe("property: one field of a valid order changed to another JSON type, or removed", () => {
  const REQUIRED = Object.keys(ORDER);
  const otherType = fc.oneof(fc.constant(null), fc.boolean(), fc.constant({}), fc.constant([]), fc.constant("text"), fc.double({ noNaN: true, noDefaultInfinity: true }));

  it("is refused, naming that field; the order unchanged passes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...REQUIRED), fc.option(otherType, { nil: undefined }), async (field, value) => {
        const expectedType = typeof ORDER[field] === "string" ? "string" : "integer";
        // A value of the field's own type is no mutation.
        fc.pre(value === undefined || !(expectedType === "string" ? typeof value === "string" : Number.isInteger(value)));
        const order = { ...ORDER };
        if (value === undefined) delete order[field];
        else order[field] = value;
        const e = await rejection(xt(xtOk(JSON.stringify(order))).call("getOrder", { market: "btc_usdt", id: 1 }));
        expect(e).toBeInstanceOf(ResponseFormatError);
        expect(e.message).toContain(value === undefined ? `missing field data.${field}` : `data.${field} `);
      }),
      { seed: fcSeed(20261203), numRuns: 200 },
    );
    await expect(xt(xtOk(JSON.stringify(ORDER))).call("getOrder", { market: "btc_usdt", id: 1 })).resolves.toEqual(ORDER);
  });
});

/** Every path of a JSON value ([] is the root), depth-first, up to 200. */
function pathsOf(v: unknown, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (out.length >= 200) return out;
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

/** `v` with the value at `path` replaced (or, with `remove`, deleted). */
function changed(v: unknown, path: Array<string | number>, value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, unknown>;
  if (remove && rest.length === 0) {
    if (Array.isArray(copy)) copy.splice(head as number, 1);
    else delete copy[head!];
  } else copy[head!] = changed(copy[head!], rest, value, remove);
  return copy;
}

const other = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53 + 2, "", "x", "1.5", "9007199254740993", [], {}, [{}], { a: 1 }),
  fc.string({ maxLength: 4 }),
  fc.integer(),
);

/** How many operations with a 200 example each of the first APIs has at least (a new API: 1). */
const MIN_FUZZ_CASES: Record<string, number> = { xt: 6, hubi: 6, bhex: 6, xele: 6 };

describe("property: whatever a transport resolves to fits the spec, for every REST operation (its example with any one value changed or removed)", () => {
  it.each(REGISTERED)("%s", async (_name, meta, docs) => {
    let answer = "";
    const transport = new HttpTransport({
      api: meta.api,
      meta,
      baseUrl: "https://fuzz.test",
      fetch: async () => new Response(answer, { headers: { "content-type": "application/json" } }),
      rateLimiter: null,
      retry: false,
    });
    const cases = meta.operations.flatMap((op) => {
      const documented = operationById(docs, op.operationId)?.responses["200"];
      if (!op.dataSchema || typeof documented?.example !== "string" || !/json/i.test(documented.contentType ?? "")) return [];
      return [{ op, body: JSON.parse(documented.example) as unknown }];
    });
    // Not vacuous: the first four APIs keep at least 6 examples to vary; a new API needs one.
    expect(cases.length, `${meta.api}: operations with a JSON 200 example and a schema`).toBeGreaterThanOrEqual(MIN_FUZZ_CASES[meta.api] ?? 1);
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...cases).chain(({ op, body }) => fc.tuple(fc.constant(op), fc.constant(body), fc.constantFrom(...pathsOf(body)), other, fc.boolean())),
        async ([op, body, path, value, remove]) => {
          answer = JSON.stringify(changed(body, path, value, remove));
          const request = { method: op.method, baseUrl: "https://fuzz.test", path: op.path, query: [], form: null, json: null, headers: {} };
          let result;
          try {
            result = await transport.execute(op, request);
          } catch (e) {
            if (!(e instanceof TradeApiError)) throw e;
            refused++;
            return;
          }
          const field = envelopeOf(meta, op)?.dataField;
          const data = field ? (result.body as Record<string, unknown>)[field] : result.body;
          if (data === undefined || data === null || (Array.isArray(data) && data.length === 0)) return;
          expect(fitsSchema(data, op.dataSchema!), `${op.operationId} ${answer.slice(0, 300)}`).toBe(true);
        },
      ),
      { seed: fcSeed(20261203), numRuns: 400 },
    );
    expect(refused).toBeGreaterThan(0);
  });
});
