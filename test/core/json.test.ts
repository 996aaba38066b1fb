import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { DecimalPrecisionError, parseJson, repeatedTopLevelKey, stringifyJson, topLevelStrings } from "../../src/handwritten/core/json.js";

describe("parseJson", () => {
  it.each([
    { given: '{"id":156292405956105}', want: { id: 156292405956105 } },
    { given: '{"id":9007199254740993}', want: { id: 9007199254740993n } },
    { given: '{"id":-9007199254740993}', want: { id: -9007199254740993n } },
    { given: '[9007199254740991, 9007199254740992]', want: [9007199254740991, 9007199254740992n] },
    { given: '{"a":{"b":[1,{"c":480427565425474309}]}}', want: { a: { b: [1, { c: 480427565425474309n }] } } },
    { given: '{"s":"x:12345678901234567890,y"}', want: { s: "x:12345678901234567890,y" } },
    { given: '{"s":"[12345678901234567890]","n":12345678901234567890}', want: { s: "[12345678901234567890]", n: 12345678901234567890n } },
    { given: '{"f":1234567890123456.5,"e":1e300}', want: { f: 1234567890123456.5, e: 1e300 } },
    { given: '{"z":"\\u0000123","n":12345678901234567890}', want: { z: "\u0000123", n: 12345678901234567890n } },
    { given: "  12345678901234567890  ", want: 12345678901234567890n },
    // JSON.parse puts integer-like keys first: pairing by order must not swap these two.
    { given: '{"b":1,"2":12345678901234567891,"1":12345678901234567892}', want: { b: 1, 2: 12345678901234567891n, 1: 12345678901234567892n } },
    { given: '{"f":1.5e20,"g":123456789012345678901234}', want: { f: 1.5e20, g: 123456789012345678901234n } },
    { given: '{"s":"ab12345678901234567890cd","n":98765432109876543210}', want: { s: "ab12345678901234567890cd", n: 98765432109876543210n } },
    { given: '{"q":"12345678901234567890","n":12345678901234567890}', want: { q: "12345678901234567890", n: 12345678901234567890n } },
    { given: '{"a":12345678901234567890,"a":12345678901234567891}', want: { a: 12345678901234567891n } },
    { given: "[1e300, -12345678901234567890]", want: [1e300, -12345678901234567890n] },
    { given: "[12345678901234567890]", want: [12345678901234567890n] },
  ])("$given", ({ given, want }) => {
    expect(parseJson(given)).toEqual(want);
  });

  it("keeps every digit of 18-19-digit IDs and round-trips them", () => {
    const text = '{"ids":[1234567890123456789,987654321098765432,9223372036854775807]}';
    const v = parseJson(text) as { ids: bigint[] };
    expect(v.ids.map(String)).toEqual(["1234567890123456789", "987654321098765432", "9223372036854775807"]);
    expect(stringifyJson(v)).toBe(text);
  });

  it("uses plain JSON.parse when there is no run of 16 digits", () => {
    const spy = vi.spyOn(JSON, "parse");
    parseJson('{"a":123456789012345,"b":"x"}');
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it("uses one JSON.parse (on the marked text) for big integers outside strings", () => {
    const spy = vi.spyOn(JSON, "parse");
    expect(parseJson('{"a":12345678901234567890}')).toEqual({ a: 12345678901234567890n });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.results[0]!.type).toBe("return");
    spy.mockRestore();
  });

  it("throws SyntaxError on invalid JSON, with or without big integers", () => {
    expect(() => parseJson("<html>")).toThrow(SyntaxError);
    expect(() => parseJson('{"a":12345678901234567890')).toThrow(SyntaxError);
  });
});

// The counted path pairs by position without a string-aware scan; each case attacks one of
// the conditions its proof rests on (see countedPair in json.ts).
describe("parseJson counted path: each proof condition, attacked", () => {
  it.each([
    // A colon inside a string: a digit run after it looks like a member value.
    { given: '{"s":":10000000000000000001","x":1e19}', want: { s: ":10000000000000000001", x: 1e19 } },
    { given: '{"s":"a: 10000000000000000001","n":20000000000000000002}', want: { s: "a: 10000000000000000001", n: 20000000000000000002n } },
    // A duplicate key reorders the values (the last wins, at the first key's place).
    { given: '{"a":1,"b":10000000000000000001,"a":10000000000000000002}', want: { a: 10000000000000000002n, b: 10000000000000000001n } },
    { given: '{"a":"x","a":1,"b":12345678901234567890}', want: { a: 1, b: 12345678901234567890n } },
    // A decimal beyond 2^53 that no candidate covers (a 2-digit exponent) next to big integers.
    { given: '{"id":12345678901234567890,"x":1e19,"y":12345678901234567891}', want: { id: 12345678901234567890n, x: 1e19, y: 12345678901234567891n } },
    // Big integers in arrays (not after a colon).
    { given: '{"ids":[12345678901234567890,12345678901234567891],"n":12345678901234567892}', want: { ids: [12345678901234567890n, 12345678901234567891n], n: 12345678901234567892n } },
    // Whitespace between a colon and the value.
    { given: '{"a" : \n 12345678901234567890 }', want: { a: 12345678901234567890n } },
    // A \u escape for a colon is not a colon of the text (and an escaped backslash is not an escape).
    { given: '{"s":"\\\\u003a","n":12345678901234567890}', want: { s: "\\u003a", n: 12345678901234567890n } },
    { given: '{"s":"\\u003a12345678901234567890","n":12345678901234567891}', want: { s: ":12345678901234567890", n: 12345678901234567891n } },
  ])("$given", ({ given, want }) => {
    expect(parseJson(given)).toEqual(want);
  });

  it("an overflowing or underflowing exponent is never returned silently, with or without big integers", () => {
    for (const text of [
      '{"id":12345678901234567890,"x":1e400}',
      '{"id":12345678901234567890,"x":-1E+400}',
      '{"id":12345678901234567890,"x":1e-400}',
      '{"id":12345678901234567890,"x":3e-324}',
      '{"p":0.123456789,"x":1e400}',
      '{"p":0.123456789,"x":1e-400}',
    ]) {
      expect(() => parseJson(text), text).toThrow(DecimalPrecisionError);
      expect(() => parseJson(text, { decimals: "number" }), text).not.toThrow();
    }
    expect(parseJson('{"id":12345678901234567890,"x":1e400}', { decimals: "number" })).toEqual({ id: 12345678901234567890n, x: Infinity });
  });

  it("one JSON.parse for an answer of objects with big IDs (no second parse, no marked text)", () => {
    const text = JSON.stringify({ data: [1, 2, 3].map((i) => ({ id: "ID", t: 1562930348000 + i, s: "btc_usdt" })) }).replace(/"ID"/g, () => "1234567890123456789");
    const spy = vi.spyOn(JSON, "parse");
    const v = parseJson(text) as { data: Array<{ id: bigint }> };
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(v.data.map((o) => o.id)).toEqual([1234567890123456789n, 1234567890123456789n, 1234567890123456789n]);
  });
});

// Issue 11: found by differential fuzzing. Each case failed before the rewrite.
describe("parseJson ties every literal to its position", () => {
  const deep = (n: number, inner: string) => "[".repeat(n) + inner + "]".repeat(n);
  it.each([
    // A float/exponent literal is a decimal, never paired with a digit run elsewhere.
    { given: '{"note":"10000000000000000001 ","x":1e19}', want: { note: "10000000000000000001 ", x: 1e19 } },
    { given: '[0.9007199254740993, 9.007199254740992e15]', want: [0.9007199254740993, 9007199254740992] },
    { given: '{"k12345678901234567891":1,"x":1.5e20}', want: { k12345678901234567891: 1, x: 1.5e20 } },
    { given: '[1.2345678901234567e3,12345678901234567]', want: [1234.5678901234567, 12345678901234567n] },
    // Integer-like keys reorder objects in JSON.parse, also above the object holding the number.
    { given: '{"b":{"n":12345678901234567891},"1":{"n":12345678901234567892}}', want: { b: { n: 12345678901234567891n }, 1: { n: 12345678901234567892n } } },
    // Duplicate keys: the last wins, as in JSON.parse, and the pairing of the others holds.
    { given: '{"a":1,"b":12345678901234567891,"a":12345678901234567892}', want: { a: 12345678901234567892n, b: 12345678901234567891n } },
    { given: '{"a":1,"a":2,"n":9007199254740993}', want: { a: 2, n: 9007199254740993n } },
    { given: '{"a":{"x":12345678901234567891},"a":[12345678901234567892]}', want: { a: [12345678901234567892n] } },
    // Unicode escapes in keys and strings; strings that begin like the marker.
    { given: '{"k\\u0031":"\\u00311234567890123456789","n":12345678901234567890}', want: { k1: "11234567890123456789", n: 12345678901234567890n } },
    { given: '{"s":"\\u00010","t":"\\u0001\\u00011","n":12345678901234567890}', want: { s: "\u00010", t: "\u0001\u00011", n: 12345678901234567890n } },
    { given: '{"s":"a\\"12345678901234567890\\\\","n":12345678901234567891}', want: { s: 'a"12345678901234567890\\', n: 12345678901234567891n } },
  ])("$given", ({ given, want }) => {
    expect(parseJson(given)).toEqual(want);
  });

  it('a server\'s string of a million "~" does not make each marker a million characters long (it was a RangeError, or gigabytes)', () => {
    const tildes = "~".repeat(1_000_000);
    const ids = Array.from({ length: 5_000 }, (_, i) => 9007199254740993n + BigInt(i));
    // The duplicate key defeats the counted and paired paths: the marked text is the one left.
    const text = `{"s":"${tildes}","t":"\\u007e${tildes}1","a":[1],"a":[${ids.join(",")}]}`;
    const v = parseJson(text) as { s: string; t: string; a: bigint[] };
    expect(v.s).toBe(tildes);
    expect(v.t).toBe(`~${tildes}1`);
    expect(v.a).toEqual(ids);
    // Strings that look like markers of any prefix stay strings.
    expect(parseJson(`{"a":"~0","b":"~~1","c":"${"~".repeat(20)}2","n":[1,12345678901234567890],"n":[12345678901234567891]}`)).toEqual({ a: "~0", b: "~~1", c: `${"~".repeat(20)}2`, n: [12345678901234567891n] });
  });

  it("-0 stays -0", () => {
    const v = parseJson("[-0,-0.0,-0e5,12345678901234567890]") as number[];
    expect(v.slice(0, 3).every((x) => Object.is(x, -0))).toBe(true);
  });

  it("__proto__ keys are own properties, exactly as in JSON.parse", () => {
    const v = parseJson('{"__proto__":12345678901234567890,"p":{"__proto__":{"x":12345678901234567891}}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(v, "__proto__")?.value).toBe(12345678901234567890n);
    const p = v.p as Record<string, unknown>;
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(p, "__proto__")?.value).toEqual({ x: 12345678901234567891n });
  });

  it("nesting 100,000 deep, as JSON.parse does", () => {
    const v = parseJson(deep(100_000, "12345678901234567890")) as unknown[];
    let x: unknown = v;
    for (let i = 0; i < 100_000; i++) x = (x as unknown[])[0];
    expect(x).toBe(12345678901234567890n);
  });

  it("refuses a number used as a key, like JSON.parse", () => {
    expect(() => parseJson('{12345678901234567890:1}')).toThrow(SyntaxError);
    expect(() => parseJson('{"a":12345678901234567890 :1}')).toThrow(SyntaxError);
    expect(() => parseJson('["12345678901234567890]')).toThrow(SyntaxError);
    expect(() => parseJson("[1234567890123456789012e]")).toThrow(SyntaxError);
  });
});

describe("parseJson decimals", () => {
  const text = '{"data":[{"price":1.5},{"price":123456789.123456789,"id":12345678901234567890}]}';

  it("exact (default): a decimal a double cannot hold is an error naming the path and the option", () => {
    let err: unknown;
    try {
      parseJson(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecimalPrecisionError);
    expect(err).toMatchObject({ path: "data[1].price", literal: "123456789.123456789" });
    expect((err as Error).message).toContain('decimals: "string"');
    expect(() => parseJson("1e400")).toThrow(DecimalPrecisionError);
    expect(() => parseJson('{"a b":[1e-400]}')).toThrow(/at \["a b"\]\[0\]/);
    // A hostile nesting: the path property is whole, the message shows its two ends.
    const deep = `{"data":${"[".repeat(50_000)}0.12345678901234567891${"]".repeat(50_000)}}`;
    const e = (() => {
      try {
        parseJson(deep);
      } catch (x) {
        return x as DecimalPrecisionError;
      }
    })()!;
    expect(e.path).toBe(`data${"[0]".repeat(50_000)}`);
    expect(e.message.length).toBeLessThan(500);
    expect(e.message).toMatch(/^the number at data\[0\]\[0\][[\]0]*…[[\]0]+\[0\] \(0\.12345678901234567891\) does not fit/);
  });

  it("exact: decimals whose double is exact stay numbers (0.1, 1e19, trailing zeros)", () => {
    expect(parseJson("[0.1,1e19,1.5e20,0.10000000000000000000,9007199254740992.0,123456789.12345679]")).toEqual([
      0.1, 1e19, 1.5e20, 0.1, 9007199254740992, 123456789.12345679,
    ]);
  });

  it('"string": every decimal exactly as written; integers unchanged', () => {
    expect(parseJson(text, { decimals: "string" })).toEqual({
      data: [{ price: "1.5" }, { price: "123456789.123456789", id: 12345678901234567890n }],
    });
    expect(parseJson('{"a":5,"b":5.0,"c":1e19,"s":"1.5"}', { decimals: "string" })).toEqual({ a: 5, b: "5.0", c: "1e19", s: "1.5" });
    expect(parseJson("-0.0", { decimals: "string" })).toBe("-0.0");
  });

  it('"number": the nearest double, chosen by the caller', () => {
    expect(parseJson(text, { decimals: "number" })).toEqual({
      data: [{ price: 1.5 }, { price: 123456789.12345679, id: 12345678901234567890n }],
    });
    expect(parseJson("[1e400]", { decimals: "number" })).toEqual([Infinity]);
  });
});

describe("stringifyJson", () => {
  it("writes bigints as bare integers and drops undefined", () => {
    expect(stringifyJson({ a: 2n ** 64n, b: undefined, c: [1, "x"] })).toBe('{"a":18446744073709551616,"c":[1,"x"]}');
  });

  it("is JSON.stringify otherwise: top-level and negative bigints, arrays, indent, toJSON", () => {
    expect(stringifyJson(-12345678901234567890n)).toBe("-12345678901234567890");
    expect(stringifyJson([1n, { d: new Date(0) }, "s"], 2)).toBe(JSON.stringify([1, { d: new Date(0) }, "s"], null, 2));
    expect(stringifyJson({ toJSON: () => ({ n: 5n }) })).toBe('{"n":5}');
    expect(() => stringifyJson(undefined)).toThrow(TypeError);
  });

  it("leaves strings that look like its markers alone, and round-trips with parseJson", () => {
    const tricky = { s: "~bigint:0123:45", q: '"~bigint:', n: 9223372036854775807n, m: [-9223372036854775808n] };
    const text = stringifyJson(tricky);
    expect(text).toBe('{"s":"~bigint:0123:45","q":"\\"~bigint:","n":9223372036854775807,"m":[-9223372036854775808]}');
    expect(parseJson(text)).toEqual(tricky);
  });
});

describe("repeatedTopLevelKey", () => {
  // A name written plainly or with every character escaped; JSON.parse reads both as the same.
  const written = (name: string, escape: boolean) => (escape ? `"${[...name].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}"` : JSON.stringify(name));

  it("finds the first top-level name given twice, whatever the values, nesting, strings and whitespace hold (property)", () => {
    const name = fc.constantFrom("code", "msg", "data", "a", 'q"x', "c\\d", "中");
    const value = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
    const member = fc.record({ name, escape: fc.boolean(), value, ws: fc.constantFrom("", " ", "\n\t ") });
    fc.assert(
      fc.property(fc.array(member, { maxLength: 8 }), (members) => {
        const text = `{${members.map((m) => `${m.ws}${written(m.name, m.escape)}${m.ws}:${m.ws}${m.value}`).join(",")}}`;
        expect(() => JSON.parse(text)).not.toThrow();
        const seen = new Set<string>();
        const expected = members.find((m) => (seen.has(m.name) ? true : (seen.add(m.name), false)))?.name;
        expect(repeatedTopLevelKey(text)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("topLevelStrings: every string value of a top-level name, in order, decoded; nested and non-string ones are not (property)", () => {
    const name = fc.constantFrom("cid", "op", "c\\id");
    const value = fc.oneof(fc.string().map((v) => JSON.stringify(v)), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify({ cid: v })), fc.integer().map(String));
    const member = fc.record({ name, escape: fc.boolean(), value, ws: fc.constantFrom("", " ", "\n\t ") });
    fc.assert(
      fc.property(fc.array(member, { maxLength: 8 }), (members) => {
        const text = `{${members.map((m) => `${m.ws}${written(m.name, m.escape)}${m.ws}:${m.ws}${m.value}`).join(",")}}`;
        const expected = members.filter((m) => m.name === "cid" && m.value.startsWith('"')).map((m) => JSON.parse(m.value) as string);
        expect(topLevelStrings(text, "cid")).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("a list, a string or a number at the top has none", () => {
    for (const text of ['[{"a":1,"a":2}]', '"a"', "1", ' [ ] ']) expect(repeatedTopLevelKey(text)).toBeUndefined();
  });
});
