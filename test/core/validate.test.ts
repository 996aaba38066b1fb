/**
 * The one request validator (core/validate.ts): what `call()` checks before sending (wire-text
 * reading of parameters) and what the Xele client and emulator check (JSON reading).
 */
import { describe, expect, it } from "vitest";
import { meta as xtMeta } from "../../generated/xt-spot.meta.js";
import { meta as xeleMeta } from "../../generated/xele-mgmt.meta.js";
import { ResponseFormatError, UsageError } from "../../src/handwritten/core/errors.js";
import type { SchemaMeta } from "../../src/handwritten/core/meta.js";
import { buildRequest } from "../../src/handwritten/core/operation-call.js";
import { checkParam, checkRequiredOneOf, checkSchema, dataMisfit, fitsSchema } from "../../src/handwritten/core/validate.js";
import { DecimalPrecisionError, parseJson } from "../../src/handwritten/core/json.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { requestSchemaOf } from "../../src/handwritten/xele/spec-info.js";

const xtOp = (id: string) => xtMeta.operations.find((o) => o.operationId === id)!;
const ORDER = { market: "btc_usdt", price: "5000", number: "0.002", type: 1, entrustType: 0 };
const thrown = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("did not throw");
};

describe("call() parameters (wire text)", () => {
  it.each(["1e400", "-1e400", "1E309"])("refuses the non-finite number text %s, naming the operation and the parameter", (price) => {
    const e = thrown(() => buildRequest("xt", xtOp("order"), { ...ORDER, price }, "http://127.0.0.1"));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe(`xt order: parameter "price" must be a finite number, got ${JSON.stringify(price)}`);
  });

  it.each([Infinity, -Infinity, NaN])("refuses the number %s", (price) => {
    expect(() => buildRequest("xt", xtOp("order"), { ...ORDER, price }, "http://127.0.0.1")).toThrow(/xt order: parameter "price" must be a finite number/);
  });

  it("the client refuses 1e400 before anything is sent", async () => {
    let sent = 0;
    const xt = createXtClient({ accessKey: "a", secretKey: "s", baseUrl: "http://127.0.0.1:9", rateLimit: false, fetch: (async () => (sent++, new Response("{}"))) as typeof fetch });
    await expect(xt.call("order", { ...ORDER, price: "1e400" } as never)).rejects.toThrow(/xt order: parameter "price" must be a finite number, got "1e400"/);
    expect(sent).toBe(0);
  });

  it("keeps exact number text (every digit) and small exponents", () => {
    const r = buildRequest("xt", xtOp("order"), { ...ORDER, price: "12345678901234567890.123456789", number: "1e-8" }, "http://127.0.0.1");
    expect(r.form).toContainEqual(["price", "12345678901234567890.123456789"]);
    expect(r.form).toContainEqual(["number", "1e-8"]);
  });

  it("int64: integer text or bigint up to 64 bits, every digit kept; anything else refused", () => {
    const get = (id: unknown) => buildRequest("xt", xtOp("getOrder"), { market: "btc_usdt", id }, "http://127.0.0.1");
    expect(get("9007199254740993").query).toContainEqual(["id", "9007199254740993"]);
    expect(get(9223372036854775807n).query).toContainEqual(["id", "9223372036854775807"]);
    expect(() => get("900719925474099312345")).toThrow(/xt getOrder: parameter "id" is out of range: "900719925474099312345" \(format int64\)/);
    expect(() => get("12x")).toThrow(/xt getOrder: parameter "id" must be integer, got "12x"/);
    expect(() => get(1.5)).toThrow(/parameter "id" must be integer, got 1.5/);
    // A value of 100,000 digits is shown cut (the whole of it made a 100 kB message), as is a bigint.
    for (const id of ["9".repeat(100_000), 10n ** 5000n]) {
      const m = thrown(() => get(id)).message;
      expect(m).toMatch(/^xt getOrder: parameter "id" is out of range: [0-9"]{200}… \(\d+ more characters\) \(format int64\)$/);
    }
  });

  it("a path parameter that is empty, \".\" or \"..\" is refused (the URL would name another path, signed as this operation)", () => {
    const op = { ...xtOp("getOrder"), path: "/v1/orders/{ref}", params: [{ name: "ref", in: "path" as const, required: true, schema: { type: "string" } }] };
    expect(buildRequest("xt", op, { ref: "a/b c" }, "http://127.0.0.1").path).toBe("/v1/orders/a%2Fb%20c");
    expect(buildRequest("xt", op, { ref: "..." }, "http://127.0.0.1").path).toBe("/v1/orders/...");
    for (const ref of ["", ".", ".."]) {
      const e = thrown(() => buildRequest("xt", op, { ref }, "http://127.0.0.1"));
      expect(e).toBeInstanceOf(UsageError);
      expect(e.message).toBe(`xt getOrder: path parameter "ref" cannot be ${JSON.stringify(ref)}: the URL would name another path`);
    }
  });

  it("enum values compare as wire text; every problem names the parameter", () => {
    expect(buildRequest("xt", xtOp("order"), { ...ORDER, type: "1" }, "http://127.0.0.1").form).toContainEqual(["type", "1"]);
    expect(() => buildRequest("xt", xtOp("order"), { ...ORDER, type: 7 }, "http://127.0.0.1")).toThrow(/xt order: parameter "type" must be one of 0, 1, got "7"/);
  });

  it("ranges, patterns, booleans and comma-joined arrays", () => {
    const ctx = { api: "t", operation: "op" };
    const limit: SchemaMeta = { type: "integer", minimum: 1, maximum: 100 };
    expect(() => checkParam(ctx, "limit", "0", limit)).toThrow(/^t op: parameter "limit" is out of range: "0" \(minimum 1, maximum 100\)$/);
    expect(() => checkParam(ctx, "limit", 101, limit)).toThrow(/out of range: 101/);
    checkParam(ctx, "limit", "100", limit);
    expect(() => checkParam(ctx, "day", "2022-04-12", { type: "string", pattern: "^\\d{8}$" })).toThrow(/parameter "day" must match/);
    checkParam(ctx, "flag", "true", { type: "boolean" });
    expect(() => checkParam(ctx, "flag", "yes", { type: "boolean" })).toThrow(/parameter "flag" must be boolean/);
    checkParam(ctx, "ids", ["1", "2"], { type: "string", commaJoined: true });
    expect(() => checkParam(ctx, "ids", ["1", "2"], { type: "string" })).toThrow(/parameter "ids" must be string/);
    expect(() => checkParam(ctx, "side", ["buy", "hold"], { type: "string", commaJoined: true, enum: ["buy", "sell"] })).toThrow(/got "hold"/);
  });

  it("format int32/int64: a request's integer outside 32/64 bits is refused (the server's field holds no more); an answer's int32 is read as sent, its int64 beyond 64 bits refused", async () => {
    const ctx = { api: "t", operation: "op" };
    const code: SchemaMeta = { type: "integer", format: "int32" };
    checkParam(ctx, "code", 2147483647, code);
    checkParam(ctx, "code", "-2147483648", code);
    expect(() => checkParam(ctx, "code", 2 ** 31, code)).toThrow(/^t op: parameter "code" is out of range: 2147483648 \(format int32\)$/);
    expect(() => checkParam(ctx, "code", "-2147483649", code)).toThrow(/out of range: "-2147483649" \(format int32\)/);
    expect(() => checkParam(ctx, "code", 2n ** 40n, code)).toThrow(/out of range/);
    checkParam(ctx, "id", 2 ** 40, { type: "integer", format: "int64" });
    // int64: exactly −2^63 … 2^63 − 1 (the vendors' Java long), as a bigint or as digits.
    const id: SchemaMeta = { type: "integer", format: "int64" };
    checkParam(ctx, "id", 2n ** 63n - 1n, id);
    checkParam(ctx, "id", "-9223372036854775808", id);
    expect(() => checkParam(ctx, "id", 2n ** 63n, id)).toThrow(/^t op: parameter "id" is out of range: 9223372036854775808n? \(format int64\)$/);
    expect(() => checkParam(ctx, "id", "9223372036854775808", id)).toThrow(/out of range: "9223372036854775808" \(format int64\)/);
    expect(() => checkParam(ctx, "id", "-9223372036854775809", id)).toThrow(/out of range: "-9223372036854775809" \(format int64\)/);
    expect(() => checkParam(ctx, "id", "9".repeat(400), id)).toThrow(/out of range/);
    // An answer's int64 beyond 64 bits: no server's int64 wrote it, and a request would refuse it
    // back (an order id that could not be looked up). An answer's int32 is read as sent.
    expect(checkSchema(2n ** 64n, id, "", { answer: true, label: (p) => p || "id" })).toMatchObject([{ message: "id is out of range: 18446744073709551616 (format int64)" }]);
    expect(checkSchema(-(2n ** 63n) - 1n, id, "", { answer: true })).toHaveLength(1);
    expect(checkSchema(2n ** 63n - 1n, id, "", { answer: true })).toEqual([]);
    expect(fitsSchema(2n ** 63n, id)).toBe(false);
    expect(fitsSchema({ id: 2n ** 63n }, { type: "object", properties: { id: { type: ["integer", "null"], format: "int64" } } })).toBe(false);
    expect(fitsSchema(2n ** 63n - 1n, id)).toBe(true);
    expect(checkSchema(2 ** 40, code, "", { answer: true })).toEqual([]);
    const { createBhexOrgClient } = await import("../../src/handwritten/bhex/client.js");
    let sent = 0;
    const bhex = createBhexOrgClient({ accessKey: "k", secretKey: "s", baseUrl: "http://127.0.0.1:9", rateLimit: false, fetch: (async () => (sent++, new Response("{}"))) as typeof fetch });
    await expect(bhex.call("userValidGacode", { user_id: 1, gacode: 2 ** 40 } as never)).rejects.toThrow(/bhex userValidGacode: parameter "gacode" is out of range: 1099511627776 \(format int32\)/);
    expect(sent).toBe(0);
  });

  it("minLength/maxLength count characters, as JSON Schema does: an emoji is one (two UTF-16 units)", () => {
    const desc: SchemaMeta = { type: "string", maxLength: 200 };
    expect(checkSchema("😀".repeat(150), desc)).toEqual([]);
    expect(checkSchema("😀".repeat(201), desc, "desc")).toMatchObject([{ message: "desc must have at most 200 characters, has 201" }]);
    expect(checkSchema("a".repeat(201), desc, "desc")).toHaveLength(1);
    const code: SchemaMeta = { type: "string", minLength: 3 };
    expect(checkSchema("😀😀", code, "code")).toMatchObject([{ message: "code must have at least 3 characters, has 2" }]);
    expect(checkSchema("😀😀😀", code)).toEqual([]);
    // A lone surrogate counts as one character.
    expect(checkSchema("\ud800ab", code, "", { answer: true })).toEqual([]);
  });

  it("format decimal: a request's decimal text must be a number as written (BHEX amounts and prices); an answer's is read as sent", async () => {
    const ctx = { api: "t", operation: "op" };
    const amount: SchemaMeta = { type: "string", format: "decimal" };
    for (const ok of ["1", "0.000000012", "12345678901234567890.123456789", "-2.5", "1e-30", "1E+5"]) checkParam(ctx, "amount", ok, amount);
    for (const bad of ["", "abc", " 1", "1 ", "1,5", ".5", "5.", "0x10", "NaN", "Infinity", "1e", "+1"]) {
      expect(() => checkParam(ctx, "amount", bad, amount), bad).toThrow(`t op: parameter "amount" must be a decimal number, got ${JSON.stringify(bad)}`);
    }
    expect(checkSchema("abc", amount, "", { answer: true })).toEqual([]);
    const { createBhexOrgClient } = await import("../../src/handwritten/bhex/client.js");
    let sent = 0;
    const bhex = createBhexOrgClient({ accessKey: "k", secretKey: "s", baseUrl: "http://127.0.0.1:9", rateLimit: false, fetch: (async () => (sent++, new Response("{}"))) as typeof fetch });
    const order = { user_id: 1, exchange_id: 301, symbol_id: "BTCUSDT", client_order_id: "c1", type: "limit", side: "buy", quantity: "1", price: "1" } as const;
    await expect(bhex.call("orderCreate", { ...order, quantity: "1 BTC" })).rejects.toThrow(/bhex orderCreate: parameter "quantity" must be a decimal number, got "1 BTC"/);
    await expect(bhex.call("orderCreate", { ...order, price: "" })).rejects.toThrow(/parameter "price" must be a decimal number, got ""/);
    expect(sent).toBe(0);
  });

  it("x-required-one-of: at least one of each group", () => {
    const ctx = { api: "bhex", operation: "orderCancel" };
    expect(() => checkRequiredOneOf(ctx, [["order_id", "client_order_id"]], { order_id: "" })).toThrow(/^bhex orderCancel: pass at least one of "order_id", "client_order_id"$/);
    checkRequiredOneOf(ctx, [["order_id", "client_order_id"]], { client_order_id: "x" });
  });
});

describe("JSON reading (Xele requests)", () => {
  const schema = requestSchemaOf(xeleMeta.operations.find((o) => o.operationId === "queryOrders")!);

  it("a JSON type is a JSON type: no wire text, no non-finite numbers", () => {
    const n: SchemaMeta = { type: "number" };
    expect(checkSchema("1", n).map((p) => p.kind)).toEqual(["type"]);
    expect(checkSchema(Infinity, n)[0]!.message).toBe("request must be a finite number, got Infinity");
    expect(checkSchema(Number.NaN, { type: "integer" })[0]!.message).toBe("request must be a finite number, got NaN");
    expect(checkSchema(1.5, { type: "integer" })[0]!.message).toBe("request must be integer, got 1.5");
    expect(checkSchema("7", { type: "integer" })[0]!.message).toBe("request must be integer, got string");
  });

  it("an integer given as a JavaScript number beyond 2^53 is refused (its digits may be gone); a bigint is the way", () => {
    const id: SchemaMeta = { type: "integer", format: "int64" };
    expect(checkSchema(2 ** 53 - 1, id)).toEqual([]);
    expect(checkSchema(9007199254740993n, id)).toEqual([]);
    for (const v of [2 ** 53, 9007199254740993, -(2 ** 60), 1e21]) {
      const [p] = checkSchema(v, id, "id");
      expect(p?.message, String(v)).toBe(`id is ${v} as a JavaScript number, beyond 2^53 where a number cannot hold every integer: pass it as a bigint`);
    }
    // Wire text (parameters) may also be digits; a decimal field takes any finite number.
    expect(checkSchema(2 ** 60, id, "id", { text: true })[0]!.message).toMatch(/pass it as a bigint or a string of its digits$/);
    expect(checkSchema("9007199254740993", id, "id", { text: true })).toEqual([]);
    expect(checkSchema(2 ** 60, { type: "number" })).toEqual([]);
  });

  it("reports every problem with its path", () => {
    const problems = checkSchema({ data: { investor: ["1"], order_price: { minimum: 1 } } }, schema).filter((p) => p.kind === "unknown");
    expect(problems.map((p) => p.path)).toEqual(["data.investor", "data.order_price.minimum"]);
  });

  it("const is a one-value enum", () => {
    expect(checkSchema("2.0", { type: "string", enum: ["1.0"] })[0]!.message).toBe('request must be "1.0", got "2.0"');
  });

  it("a field named __proto__ or constructor is a field like any other, not Object.prototype's", () => {
    const closed: SchemaMeta = { type: "object", properties: { a: { type: "integer" } }, additionalProperties: false };
    const withProto = JSON.parse('{"a":1,"__proto__":{"x":1}}') as Record<string, unknown>;
    // It was checked against Object.prototype as its schema, which allows anything, so a closed object took it.
    expect(checkSchema(withProto, closed).map((p) => p.message)).toEqual(["unknown field __proto__"]);
    expect(checkSchema({ a: 1, constructor: 5 }, closed).map((p) => p.message)).toEqual(["unknown field constructor"]);
    expect(checkSchema(withProto, { type: "object", additionalProperties: { type: "number" } }).map((p) => p.message)).toEqual(["__proto__ must be number, got object"]);
    // A required field is an own one: an inherited toString does not stand for a missing "toString".
    expect(checkSchema({}, { type: "object", required: ["toString"] }).map((p) => p.message)).toEqual(["missing field toString"]);
  });

  it("a bigint inside a list or object is shown in a message, not a TypeError from JSON.stringify", () => {
    const problems = checkSchema([1n, 9007199254740993n], { enum: [[1, 2]] });
    expect(problems.map((p) => p.message)).toEqual(["request must be [1,2], got [1,9007199254740993]"]);
    expect(checkSchema({ id: 9007199254740993n }, { not: { type: "object" } })[0]!.message).toBe('request must not be {"id":9007199254740993}');
  });
});

describe("a server's integer beyond 2^53 where the spec has a decimal", () => {
  // parseJson gives a bigint for it (every digit: it does not know the field's type), and the
  // field is typed number (string | number with decimals: "string"), never bigint:
  // `acct.cash + acct.frozenCash` would throw "Cannot mix BigInt". It is read as the decimals
  // mode reads every decimal: "string" its digits, "number" the nearest double, "exact" the
  // double when it is that integer exactly, else a DecimalPrecisionError naming the field.
  const big = 1234567890123456789n; // no double: 1234567890123456768 is the nearest (inside int64)
  const exact = 10n ** 18n; // a double exactly

  it("in a member or an item: converted per mode, in place; a field typed integer keeps its bigint", () => {
    const schema = { type: "object", properties: { cash: { type: ["number", "null"] }, id: { type: "integer", format: "int64" }, list: { type: "array", items: { allOf: [{ type: "number" }] } } } } as const;
    const answer = (n: bigint) => ({ cash: n, id: n, list: [1, n] });
    for (const [mode, want] of [
      ["string", { cash: "1234567890123456789", id: big, list: [1, "1234567890123456789"] }],
      ["number", { cash: 1234567890123456800, id: big, list: [1, 1234567890123456800] }],
    ] as const) {
      const v = answer(big);
      expect(dataMisfit(v, schema, "data", { decimals: mode }), mode).toBeUndefined();
      expect(v, mode).toEqual(want);
    }
    const v = answer(exact);
    expect(dataMisfit(v, schema, "data", { decimals: "exact" })).toBeUndefined();
    expect(v).toEqual({ cash: 1e18, id: exact, list: [1, 1e18] });
    const e = (() => {
      try {
        return dataMisfit(answer(big), schema, "data");
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(DecimalPrecisionError);
    expect(e).toMatchObject({ path: "data.cash", literal: "1234567890123456789" });
    // additionalProperties, and a member named __proto__ stays an own member.
    const map = parseJson('{"__proto__":1234567890123456789,"b":1}', { decimals: "string" }) as Record<string, unknown>;
    expect(dataMisfit(map, { type: "object", additionalProperties: { type: "number" } }, "", { decimals: "string" })).toBeUndefined();
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(map, "__proto__")?.value).toBe("1234567890123456789");
  });

  it("a bare answer that is one is refused (no operation answers a bare decimal); a request's bigint is sent as its digits", () => {
    expect(dataMisfit(big, { type: "number" }, "cash")?.shown).toBe("cash is 1234567890123456789, an integer beyond 2^53 where the spec has a decimal (type number): no JavaScript number holds it exactly, and the field is not typed bigint");
    expect(dataMisfit(big, { type: "number" }, "cash", { decimals: "string" })).toBeDefined();
    expect(dataMisfit(big, { type: "integer", format: "int64" }, "id")).toBeUndefined();
    expect(dataMisfit(big, { type: ["integer", "number"] }, "id")).toBeUndefined();
    expect(checkSchema(big, { type: "number" }, "price")).toEqual([]);
  });

  it("an integer field without format int64 (typed number) is refused in every mode: only int64 is typed number | bigint", () => {
    const schema = { type: "object", properties: { count: { type: "integer" }, id: { type: "integer", format: "int64" } } } as const;
    for (const decimals of ["exact", "string", "number"] as const) {
      expect(dataMisfit({ count: big, id: big }, schema, "data", { decimals })?.shown, decimals).toBe(
        "data.count is 1234567890123456789, an integer beyond 2^53 where the spec has one without format int64 (typed number): no JavaScript number holds it exactly",
      );
      expect(dataMisfit({ count: 5, id: big }, schema, "data", { decimals }), decimals).toBeUndefined();
    }
    // In a list of forms too (anyOf): the same rule as at the top.
    expect(dataMisfit({ n: big }, { type: "object", properties: { n: { anyOf: [{ type: "string" }, { type: "integer" }] } } }, "")?.shown).toBe("n matches none of the allowed anyOf forms");
  });

  it("in a list of forms (anyOf, oneOf): read for the first form it fits once read, tried on a copy (reading for another form changes nothing)", () => {
    // quant-ws's BalanceAmount: a number, or decimal text.
    const amount = { type: "object", properties: { free: { anyOf: [{ type: "number" }, { type: "string", pattern: "^-?[0-9]+(\\.[0-9]+)?$" }] } } } as const;
    for (const [mode, want] of [["string", "1234567890123456789"], ["number", 1234567890123456800]] as const) {
      const v = { free: big };
      expect(dataMisfit(v, amount, "data", { decimals: mode }), mode).toBeUndefined();
      expect(v.free, mode).toBe(want);
    }
    const exactly = { free: exact };
    expect(dataMisfit(exactly, amount, "data")).toBeUndefined();
    expect(exactly.free).toBe(1e18);
    expect(() => dataMisfit({ free: big }, amount, "data")).toThrow(DecimalPrecisionError);
    // "1.0" (written 1.0, text with decimals: "string") is an integer for the first form, which
    // still does not fit (no b); the second keeps it as text and reads c.
    const forms = {
      oneOf: [
        { type: "object", required: ["b"], properties: { a: { type: "integer" }, b: { type: "string" } } },
        { type: "object", properties: { a: { type: "string", pattern: "^1\\.0$" }, c: { type: "integer" } } },
      ],
    } as const;
    const v = { x: { a: "1.0", c: "2.0" } };
    expect(dataMisfit(v, { type: "object", properties: { x: forms } }, "data", { decimals: "string" })).toBeUndefined();
    expect(v.x).toEqual({ a: "1.0", c: 2 });
    // A value that fits a form as it is stays as it is; one that fits none once read is refused, unchanged.
    const kept = { x: { a: "1.0", b: "y" } };
    expect(dataMisfit(kept, { type: "object", properties: { x: forms } }, "data", { decimals: "string" })).toBeUndefined();
    expect(kept.x).toEqual({ a: "1.0", b: "y" });
    const none = { x: { a: "2.5", c: "2.5" } };
    expect(dataMisfit(none, { type: "object", properties: { x: forms } }, "data", { decimals: "string" })?.shown).toBe("data.x matches none of the allowed oneOf forms");
    expect(none.x).toEqual({ a: "2.5", c: "2.5" });
  });

  it("a Hubi account whose cash is one: its digits, the double, or a DecimalPrecisionError naming the field (it was refused in every mode)", async () => {
    const results: Record<string, unknown> = {};
    for (const decimals of ["exact", "string", "number"] as const) {
      const hubi = createHubiClient({ accessKey: "k", secretKey: "s", accessToken: "t", baseUrl: "https://hubi.test", rateLimit: false, retry: false, decimals, fetch: async () => new Response('[{"currency":"USDT","cash":12345678901234567890,"withdrawableCash":0,"frozenCash":0,"urPnl":0}]', { headers: { "content-type": "application/json" } }) });
      results[decimals] = await hubi.call("queryAccounts").then((r) => (r as Array<{ cash: unknown }>)[0]!.cash, (x: unknown) => x);
    }
    expect(results.string).toBe("12345678901234567890");
    expect(results.number).toBe(12345678901234567000);
    expect(results.exact).toBeInstanceOf(DecimalPrecisionError);
    expect((results.exact as Error).message).toBe('hubi queryAccounts: the number at [0].cash (12345678901234567890) does not fit a double without rounding; pass decimals: "string" to get decimals exactly as sent, or decimals: "number" to accept the rounded double. Its answer, each decimal as the text sent, is this error\'s body');
    expect((results.exact as DecimalPrecisionError).body).toEqual([{ currency: "USDT", cash: 12345678901234567890n, withdrawableCash: 0, frozenCash: 0, urPnl: 0 }]);
  });
});
