/**
 * Integers too long to convert. Building a bigint from text takes time that grows faster than
 * the text (10 million digits: about 2 s; 60 million, which fit the default 64 MiB answer
 * limit: about 13 s), on the thread, where no timeout can end it. Every road by which a
 * server's digits reach `BigInt()` refuses more than MAX_INTEGER_DIGITS of them with a typed
 * error naming where, and does so without converting them; strings of digits stay strings.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { meta as xeleDocs } from "../../generated/xele-mgmt.docs.js";
import { paginate } from "../../src/handwritten/bhex/paginate.js";
import { encodeBatchItems } from "../../src/handwritten/bhex/items.js";
import { HttpError, ResponseFormatError, UsageError } from "../../src/handwritten/core/errors.js";
import { DecimalPrecisionError, MAX_INTEGER_DIGITS, NumberTooLongError, parseJson } from "../../src/handwritten/core/json.js";
import { checkParam } from "../../src/handwritten/core/validate.js";
import { decodeFrame, QuantWsFrameError } from "../../src/handwritten/quant-ws/index.js";
import { xtBatchJson } from "../../src/handwritten/xt/batch.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { columnsForVersion, decodePipeRows, PipeRowsError } from "../../src/handwritten/xele/pipe-rows.js";
import { pipeRowsOf } from "../../src/handwritten/xele/spec-info.js";
import { coerceValue } from "../../src/cli/coerce.js";
import { rejection } from "../helpers/rejection.js";
import { askUnanswered, creds, setup } from "../quant-ws/helpers.js";

const digits = (n: number, first = "1"): string => first + "7".repeat(n - 1);
const LIMIT = digits(MAX_INTEGER_DIGITS);
const OVER = digits(MAX_INTEGER_DIGITS + 1);
/** 20 million digits: about 4 s to convert here, so a road that converts first fails the clock. */
const HUGE = digits(20_000_000);
const MODES = ["exact", "number", "string"] as const;

function timed<T>(f: () => T): { value: T | undefined; error: unknown; ms: number } {
  const start = performance.now();
  try {
    return { value: f(), error: undefined, ms: performance.now() - start };
  } catch (error) {
    return { value: undefined, error, ms: performance.now() - start };
  }
}

/**
 * What reading HUGE's text as a string takes here and now (no conversion): the limits below
 * grow with it, so a busy machine is not a failure, while a conversion (seconds more) still is.
 */
let scanMs = 0;
beforeAll(() => {
  scanMs = timed(() => parseJson(`{"note":"${HUGE}"}`)).ms;
});
const budget = (ms: number): number => ms + 3 * scanMs;

describe("parseJson: integers of more than MAX_INTEGER_DIGITS digits", () => {
  it("the limit is 4,300 digits, as Python's for int from text", () => {
    expect(MAX_INTEGER_DIGITS).toBe(4300);
  });

  // Each text takes a different one of parseJson's paths: the counted pairing (one big number
  // after a colon), the string-aware pairing (a colon inside a string), the marked parse (a
  // duplicate key), an array item, the root, and a decimal candidate beside it.
  const shapes: Array<[string, (n: string) => string, string]> = [
    ["an object member", (n) => `{"id":${n}}`, "id"],
    ["a member after a string holding a colon", (n) => `{"note":"a:b","id":${n}}`, "id"],
    ["a member beside a duplicate key", (n) => `{"a":1,"a":2,"data":{"id":-${n}}}`, "data.id"],
    ["an array item", (n) => `{"data":[1,${n}]}`, "data[1]"],
    ["the root", (n) => n, "$"],
    ["a member beside a decimal", (n) => `{"price":0.5,"orders":[{"id":${n}}]}`, "orders[0].id"],
  ];

  describe.each(MODES)("decimals: %s", (decimals) => {
    it.each(shapes)("%s: 4,300 digits are a bigint, every digit kept", (_what, text, path) => {
      const value = parseJson(text(LIMIT), { decimals });
      const at = path === "$" ? value : path.split(/[.[\]]+/).filter(Boolean).reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], value);
      expect(typeof at).toBe("bigint");
      expect((at as bigint) < 0n ? String(-(at as bigint)) : String(at)).toBe(LIMIT);
    });

    it.each(shapes)("%s: 4,301 digits are a NumberTooLongError naming the path and the count", (_what, text, path) => {
      const e = timed(() => parseJson(text(OVER), { decimals })).error;
      expect(e).toBeInstanceOf(NumberTooLongError);
      expect(e).toMatchObject({ path, digits: MAX_INTEGER_DIGITS + 1 });
      expect((e as Error).message).toBe(`the integer at ${path} has 4301 digits, more than the 4300 read: not converted`);
    });

    it("20 million digits are refused without being converted (well under the seconds a conversion takes)", () => {
      for (const text of [HUGE, `{"id":${HUGE}}`, `[${HUGE}]`, `{"a":"x:y","id":${HUGE}}`]) {
        const r = timed(() => parseJson(text, { decimals }));
        expect(r.error).toBeInstanceOf(NumberTooLongError);
        expect(r.ms).toBeLessThan(budget(2_000));
      }
    });

    it("a string of 20 million digits is a string: no limit, no conversion", () => {
      const r = timed(() => parseJson(`{"note":"${HUGE}","id":12345678901234567890}`, { decimals }));
      expect(r.error).toBeUndefined();
      expect(r.value).toEqual({ note: HUGE, id: 12345678901234567890n });
      expect(r.ms).toBeLessThan(budget(2_000));
    });
  });

  it("the first refused number in the text is the one reported (a decimal that does not fit, or a long integer)", () => {
    expect(timed(() => parseJson(`{"a":0.1234567890123456789,"b":${OVER}}`)).error).toBeInstanceOf(DecimalPrecisionError);
    expect(timed(() => parseJson(`{"b":${OVER},"a":0.1234567890123456789}`)).error).toBeInstanceOf(NumberTooLongError);
  });
});

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function answering(body: string, status = 200): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const xt = (baseUrl: string) => createXtClient({ accessKey: "ak-long-1", secretKey: "sk-long-1", baseUrl, rateLimit: false, retry: false, timeoutMs: 5_000 });

describe("a REST answer", () => {
  it("with a 20-million-digit integer: a NumberTooLongError naming the API, the operation and the field, at once", async () => {
    const url = await answering(`{"code":200,"info":"SUCCESS","data":{"btc":{"available":${HUGE}}}}`);
    const started = performance.now();
    const e = await rejection(xt(url).call("getBalance"));
    expect(e).toBeInstanceOf(NumberTooLongError);
    expect(e).toMatchObject({ api: "xt", operation: "getBalance", path: "data.btc.available", digits: 20_000_000 });
    expect(e.message).toMatch(/^xt getBalance: the integer at data\.btc\.available has 20000000 digits/);
    expect(performance.now() - started).toBeLessThan(budget(3_000));
  });

  it("an error answer with one is still an HttpError (its body not read as JSON)", async () => {
    const url = await answering(`{"code":500,"info":"x","n":${OVER}}`, 500);
    const e = await rejection(xt(url).call("getBalance"));
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(500);
  });

  it(".GET returns it as the typed error, as openapi-fetch users expect", async () => {
    const url = await answering(`{"code":200,"info":"SUCCESS","data":{"btc":{"available":${OVER}}}}`);
    const { data, error, response } = await xt(url).GET("/trade/api/v1/getBalance", {});
    expect(data).toBeUndefined();
    expect(error).toBeInstanceOf(NumberTooLongError);
    expect(response.status).toBe(200);
  });
});

describe("a quant-ws frame", () => {
  it("decodeFrame refuses it as number-too-long, with the reply's cid", () => {
    const e = timed(() => decodeFrame(`{"op":"asset","cid":"c7","result":true,"data":{"balance":${HUGE}}}`)).error as QuantWsFrameError;
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect(e).toMatchObject({ problem: "number-too-long", field: "data.balance", cid: "c7" });
  });

  it("its request fails at once", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const { asked, cid } = await askUnanswered(mock, "asset", () => session.asset({ timeoutMs: 5_000 }));
    mock.sendRaw(`{"op":"asset","cid":"${cid}","result":true,"error_message":"","data":{"balance":${OVER}}}`);
    const e = await rejection(asked);
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect((e as QuantWsFrameError).problem).toBe("number-too-long");
  });
});

describe("a Xele '|' row answer", () => {
  const ORDERS = pipeRowsOf(xeleDocs.operations.find((o) => o.operationId === "queryOrders")!)!;
  const columns = columnsForVersion(ORDERS.columns, "002");
  const row = (id: string) => columns.map((c) => (c.name === "ExchangeOrderId" ? id : c.type === "int" ? "1" : c.type === "decimal" ? "1.5" : "x")).join("|");

  it("an int64 cell of 4,300 digits is a bigint; of 20 million, a PipeRowsError naming the column, at once", () => {
    const ok = decodePipeRows(row(LIMIT), { layout: ORDERS, columns });
    expect(String((ok[0] as Record<string, unknown>).ExchangeOrderId)).toBe(LIMIT);
    const r = timed(() => decodePipeRows(row(HUGE), { layout: ORDERS, columns }).map((x) => (x as Record<string, unknown>).ExchangeOrderId));
    expect(r.error).toBeInstanceOf(PipeRowsError);
    expect((r.error as PipeRowsError).problem).toBe("value");
    expect((r.error as Error).message).toContain("column ExchangeOrderId: an integer of 20000000 digits, more than the 4300 read");
    expect((r.error as Error).message.length).toBeLessThan(1_000);
    expect(r.ms).toBeLessThan(budget(2_000));
  });
});

describe("a BHEX page", () => {
  it("a record id of 20 million digits (a string) is a ResponseFormatError with a short snippet, at once", async () => {
    const client = { call: async () => [{ id: HUGE }] };
    const started = performance.now();
    const e = await rejection((async () => {
      for await (const _ of paginate(client as never, "accountBalanceFlow", { user_id: 1, limit: 5 } as never)) void _;
    })());
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message.length).toBeLessThan(1_000);
    expect(performance.now() - started).toBeLessThan(budget(2_000));
  });
});

describe("a caller's parameters", () => {
  it("a parameter checked against a bound: 20 million digits compare without conversion", () => {
    const r = timed(() => checkParam({ api: "x", operation: "op" }, "n", HUGE, { type: "integer", maximum: 100 }));
    expect(r.error).toBeInstanceOf(UsageError);
    expect((r.error as Error).message).toMatch(/parameter "n" is out of range/);
    expect(r.ms).toBeLessThan(budget(2_000));
    expect(timed(() => checkParam({ api: "x", operation: "op" }, "n", `-${HUGE}`, { type: "integer", minimum: -5 })).error).toBeInstanceOf(UsageError);
    expect(timed(() => checkParam({ api: "x", operation: "op" }, "n", HUGE, { type: "integer", minimum: 0 })).error).toBeUndefined();
  });

  it("an XT batch order id, a BHEX batch cell and a CLI value of more than 4,300 digits: a usage error, at once", () => {
    for (const f of [
      () => xtBatchJson([HUGE], "batchCancel"),
      () => encodeBatchItems("financeBatchTransfer", [{ source_user_id: "1", target_user_id: "2", token_id: "BTC", amount: "1", business_subject: HUGE as never }], "simple"),
      () => coerceValue({ name: "orderId", in: "query", schema: { type: "integer" } }, HUGE),
    ]) {
      const r = timed(f);
      expect(r.error, String(f)).toBeInstanceOf(Error);
      expect((r.error as Error).message).toMatch(/20000000 digits: more than the 4300 read/);
      expect(r.ms).toBeLessThan(budget(2_000));
    }
  });
});
