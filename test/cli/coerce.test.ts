import { describe, expect, it } from "vitest";
import { CliUsageError } from "../../src/cli/args.js";
import { buildParams, coerceValue, exactDouble, type CliOperation } from "../../src/cli/coerce.js";
import { closest, parseFlags } from "../../src/cli/args.js";

const v = (type: string | string[], raw: string, place: "query" | "body" = "body", extra: object = {}) => coerceValue({ name: "p", in: place, schema: { type, ...extra } }, raw);

describe("the one value coercer", () => {
  it("text places keep the digits; JSON places get JSON values", () => {
    expect(v("integer", "9007199254740993", "query")).toBe("9007199254740993");
    expect(v("integer", "9007199254740993", "body")).toBe(9007199254740993n);
    expect(v("integer", "42", "body")).toBe(42);
    expect(v("number", "0.1000000000000000000001", "query")).toBe("0.1000000000000000000001");
    expect(v("number", "0.25", "body")).toBe(0.25);
    expect(v("number", "1e3", "body")).toBe(1000);
    expect(v("boolean", "true", "query")).toBe(true);
    expect(v(["string", "null"], "null")).toBe("null");
    expect(v(["integer", "null"], "null")).toBe(null);
    expect(v("string", "12")).toBe("12");
  });

  it("a nullable list's null is null, as --json and the library send it (it was the list [\"null\"]: Xele's hedge_flag \"no condition\" became a condition)", () => {
    const list = { items: { type: "string" } };
    expect(v(["array", "null"], "null", "body", list)).toBe(null);
    expect(v(["array", "null"], '["null"]', "body", list)).toEqual(["null"]);
    expect(v(["array", "null"], "a,b", "body", list)).toEqual(["a", "b"]);
    expect(v("array", "null", "body", list)).toEqual(["null"]); // not nullable: the text
  });

  it("a member name given twice at any depth of a JSON value is refused with its path (JSON would keep the last: a batch order's price changed)", () => {
    expect(() => v("array", '[{"price":1000,"price":1,"amount":1}]')).toThrow('parameter "p" gives "[0].price" twice (JSON would keep the last); nothing was sent');
    expect(() => v("object", '{"a":{"b":[1,{"c":1,"c":2}]}}')).toThrow('gives "a.b[1].c" twice');
    expect(() => v("object", String.raw`{"a":"x\",\"a\":","a":1}`)).toThrow('gives "a" twice');
    // the same name in two objects is no repeat; nor a name inside a string
    expect(v("array", '[{"price":1},{"price":2,"k":"\\"price\\":"}]')).toEqual([{ price: 1 }, { price: 2, k: '"price":' }]);
    const op: CliOperation = { operationId: "o", method: "POST", path: "/o", summary: "", params: [{ name: "data", in: "body", required: true, schema: { type: "array" } }] };
    expect(() => buildParams("t", op, [], '{"data":[{"v":0,"v":5}]}')).toThrow('--json gives "data[0].v" twice (JSON would keep the last); nothing was sent');
    expect(() => buildParams("t", op, [], '{"data":[],"data":[]}')).toThrow('--json gives parameter "data" twice');
  });

  it("refuses what cannot be sent exactly or at all", () => {
    expect(() => v("number", "1e400", "query")).toThrow(/finite/);
    expect(() => v("number", "-1e400", "body")).toThrow(/finite/);
    expect(() => v("number", "0.12345678901234567891", "body")).toThrow(/more digits than a JSON number keeps exactly/);
    expect(() => v("number", "NaN")).toThrow(/must be a number/);
    expect(() => v("number", "0x10")).toThrow(/must be a number/);
    expect(() => v("integer", "1.5")).toThrow(/must be an integer/);
    expect(() => v("boolean", "yes")).toThrow(/must be a boolean/);
    expect(() => v("array", "[1,")).toThrow(/does not parse/);
    expect(() => v("array", "[1e400]")).toThrow(/finite/);
    expect(() => v("object", "x")).toThrow(/must be a JSON object/);
    expect(() => v("string", "c", "body", { enum: ["a", "b"] })).toThrow(/must be one of "a", "b"/);
    expect(() => v("number", "1e400")).toThrow(CliUsageError);
    // a long value is quoted by its start and length (a 100 kB value was echoed whole)
    expect(() => v("integer", `${"1".repeat(100_000)}x`)).toThrow(/^parameter "p" must be an integer, got "1{60}"… \(100001 characters\)$/);
  });

  it("arrays: JSON or comma lists, items typed by the item schema", () => {
    expect(v("array", " a, b ,c")).toEqual(["a", "b", "c"]);
    expect(v("array", "")).toEqual([]);
    // an empty item is refused, not dropped (Xele reads [] as "every investor")
    for (const raw of ["a, b,,c", "a,", ",", " 777001, ,777002"]) expect(() => v("array", raw), raw).toThrow(/has an empty item \(item \d of .*\): give each item/);
    expect(coerceValue({ name: "p", in: "body", schema: { type: "array", items: { type: "integer" } } }, "1,2")).toEqual([1, 2]);
    expect(v("array", '["x",1]')).toEqual(["x", 1]);
  });

  it("exactDouble compares decimal values, not spellings", () => {
    expect(exactDouble("1.50", 1.5)).toBe(true);
    expect(exactDouble("1e21", 1e21)).toBe(true);
    expect(exactDouble("-0.000001", -0.000001)).toBe(true);
    expect(exactDouble("0.1", 0.1)).toBe(true);
    expect(exactDouble("9007199254740993", 9007199254740992)).toBe(false);
  });

  it("--json reads numbers as name=value does: digits kept where they travel as text, refused where a JSON number would round them", () => {
    const op: CliOperation = {
      operationId: "o",
      method: "POST",
      path: "/",
      summary: "",
      params: [
        { name: "price", in: "form", required: false, schema: { type: "number" } },
        { name: "qty", in: "body", required: false, schema: { type: "number" } },
        { name: "id", in: "query", required: false, schema: { type: "integer" } },
        { name: "note", in: "form", required: false, schema: { type: "string" } },
        { name: "data", in: "form", required: false, schema: { type: "string", contentEncoding: "base64" } },
        { name: "items", in: "body", required: false, schema: { type: "array" } },
      ],
    };
    const json = (text: string) => ({ ...buildParams("t", op, [], text) });
    // A double that is exactly the number written is that double, wherever it goes (as before).
    expect(json('{"price":0.25,"qty":1e3,"id":42,"note":"0.1"}')).toEqual({ price: 0.25, qty: 1000, id: 42, note: "0.1" });
    // More digits than a double keeps: the digits as written for a form or query value.
    expect(json('{"price":5000.123456789012345678901}')).toEqual({ price: "5000.123456789012345678901" });
    expect(json('{"id":9007199254740993}')).toEqual({ id: 9007199254740993n });
    // ... refused for a JSON body value, at the top or inside, and inside base64 JSON.
    expect(() => json('{"qty":0.12345678901234567891}')).toThrow('t o: parameter "qty" = 0.12345678901234567891 has more digits than a JSON number keeps exactly (it would be sent as 0.12345678901234568); round it yourself');
    expect(() => json('{"items":[{"p":1.00000000000000000001}]}')).toThrow('parameter "items" the number 1.00000000000000000001 at [0].p does not fit a JSON number exactly; nothing was sent');
    expect(() => json('{"data":[{"price":1000.00000000000000000001}]}')).toThrow('parameter "data" the number 1000.00000000000000000001 at [0].price does not fit a JSON number exactly');
    // Not finite anywhere: refused, naming the number.
    expect(() => json('{"price":1e400}')).toThrow('parameter "price" must be a finite number, got 1e400');
    expect(() => json('{"items":[1,-1e999]}')).toThrow('parameter "items" must be a finite number, got -1e999 at [1]');
    // A JSON string stays a string.
    expect(json('{"note":"5000.123456789012345678901","items":["1e400"]}')).toEqual({ note: "5000.123456789012345678901", items: ["1e400"] });
    // An own "__proto__" key inside a value stays data.
    const inside = json('{"items":[{"__proto__":{"x":1}}]}').items as Array<Record<string, unknown>>;
    expect(Object.keys(inside[0]!)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("a value nested thousands deep is refused by name (the checks' recursion overflowed: 'unexpected error: Maximum call stack size exceeded')", () => {
    const op: CliOperation = { operationId: "o", method: "POST", path: "/", summary: "", params: [{ name: "items", in: "body", required: false, schema: { type: "array" } }] };
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    expect(() => buildParams("t", op, [`items=${deep(20_000)}`], undefined)).toThrow('t o: parameter "items" nests more than 100 arrays or objects inside one another; nothing was sent');
    expect(() => buildParams("t", op, [], `{"items":${deep(20_000)}}`)).toThrow("t o: --json nests more than 100 arrays or objects inside a parameter; nothing was sent");
    // Brackets inside a string are text, not nesting; 100 levels are taken.
    expect(buildParams("t", op, [], `{"items":["${"[".repeat(500)}"]}`).items).toEqual(["[".repeat(500)]);
    expect(JSON.stringify(buildParams("t", op, [`items=${deep(100)}`], undefined).items)).toBe(deep(100));
  });

  it("parameters land in a null-prototype map; prototype names are unknown parameters", () => {
    const op: CliOperation = { operationId: "o", method: "GET", path: "/", summary: "", params: [{ name: "a", in: "query", required: true, schema: { type: "string" } }] };
    const params = buildParams("t", op, ["a=1"], undefined);
    expect(Object.getPrototypeOf(params)).toBe(null);
    expect(() => buildParams("t", op, ["a=1"], '{"__proto__":{"a":"x"}}')).toThrow(/t o: unknown parameter "__proto__"/);
    expect(() => buildParams("t", op, ["toString=1"], undefined)).toThrow(/unknown parameter "toString"/);
    expect(() => buildParams("t", op, [], undefined)).toThrow(/missing required parameter "a"/);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});

describe("strict flag parsing", () => {
  it("suggests the closest flag only when it is plausibly meant", () => {
    expect(closest("bse-url", ["base-url", "json", "output"])).toBe("base-url");
    expect(closest("verbose", ["base-url", "json", "output"])).toBeUndefined();
    expect(() => parseFlags(["--constructor"], [])).toThrow(/unknown flag --constructor/);
    expect(() => parseFlags(["--__proto__", "x"], [])).toThrow(/unknown flag --__proto__/);
    const { flags, positional } = parseFlags(["a", "--json", "{}", "--", "--not-a-flag"], [{ name: "json", type: "string", description: "" }]);
    expect(Object.getPrototypeOf(flags)).toBe(null);
    expect(flags.json).toBe("{}");
    expect(positional).toEqual(["a", "--not-a-flag"]);
  });
});

describe("credential hints", () => {
  it("a library message naming an option is said in the CLI's words: its environment variable (or flag), not `pass { … } to the client`", async () => {
    const { credentialMessage } = await import("../../src/cli/registry.js");
    expect(credentialMessage("xt", "xt getBalance: missing secretKey: pass { secretKey } to the client")).toBe("xt getBalance: missing secretKey: set XT_SECRET_KEY");
    expect(credentialMessage("xele", "xele getSystemInfo: the login failed: missing password: pass { password } to createXeleClient")).toBe("xele getSystemInfo: the login failed: missing password: set XELE_PASSWORD");
    expect(credentialMessage("hubi", "missing accessToken")).toBe("missing accessToken; set HUBI_ACCESS_TOKEN");
    expect(credentialMessage("quant-ws", "quant-ws login: missing secretKey: pass { secretKey } to the client")).toBe("quant-ws login: missing secretKey: set QUANT_WS_SECRET_KEY or pass --secret-key");
    // A variable set to "" is read as not set: the message says it is empty.
    expect(credentialMessage("xt", "xt getBalance: missing secretKey: pass { secretKey } to the client", { XT_SECRET_KEY: "" })).toBe("xt getBalance: missing secretKey: XT_SECRET_KEY is set but empty");
    expect(credentialMessage("xt", "missing secretKey: pass { secretKey } to the client or set XT_SECRET_KEY")).toBe("missing secretKey: pass { secretKey } to the client or set XT_SECRET_KEY");
    expect(credentialMessage(undefined, "missing secretKey")).toBe("missing secretKey");
    // Set but refused: the variable it came from, or the flag when one gave it.
    const refused = "xt getBalance: secretKey holds a control character (U+000D at index 9): a key read from a file keeps its line break; pass it without";
    expect(credentialMessage("xt", refused)).toBe(`${refused} (the value of XT_SECRET_KEY)`);
    expect(credentialMessage("quant-ws", refused.replace("xt getBalance", "quant-ws login"), {}, ["call", "quant-ws", "asset", "--secret-key=x\ry"])).toMatch(/\(the value of --secret-key\)$/);
  });

  it("a missing or empty credential is exit 2 naming its variable, in the CLI's words, before anything is sent", async () => {
    const { runCliCaptured } = await import("../helpers/cli.js");
    const base = { XT_ACCESS_KEY: "ak", XT_BASE_URL: "http://127.0.0.1:9" };
    expect(await runCliCaptured(["call", "xt", "getBalance"], base)).toMatchObject({ code: 2, stdout: "", stderr: "tradeapi: xt getBalance: missing secretKey: set XT_SECRET_KEY\n" });
    expect(await runCliCaptured(["call", "xt", "getBalance"], { ...base, XT_SECRET_KEY: "" })).toMatchObject({ code: 2, stdout: "", stderr: "tradeapi: xt getBalance: missing secretKey: XT_SECRET_KEY is set but empty\n" });
  });

  it("a key set with a Windows line ending is exit 2 naming the variable, before anything is sent", async () => {
    const { runCliCaptured } = await import("../helpers/cli.js");
    const r = await runCliCaptured(["call", "xt", "getBalance"], { XT_ACCESS_KEY: "ak", XT_SECRET_KEY: "sk-123456\r", XT_BASE_URL: "http://127.0.0.1:9" });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "tradeapi: xt getBalance: secretKey holds a control character (U+000D at index 9): a key read from a file keeps its line break; pass it without (the value of XT_SECRET_KEY)\n",
    );
  });
});
