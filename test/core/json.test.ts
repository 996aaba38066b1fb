import { describe, expect, it, vi } from "vitest";
import { parseJson, stringifyJson } from "../../src/handwritten/core/json.js";

describe("parseJson", () => {
  it.each([
    { given: '{"id":156292405956105}', want: { id: 156292405956105 } },
    { given: '{"id":9007199254740993}', want: { id: 9007199254740993n } },
    { given: '{"id":-9007199254740993}', want: { id: -9007199254740993n } },
    { given: '[9007199254740991, 9007199254740992]', want: [9007199254740991, 9007199254740992n] },
    { given: '{"a":{"b":[1,{"c":480427565425474309}]}}', want: { a: { b: [1, { c: 480427565425474309n }] } } },
    { given: '{"s":"x:12345678901234567890,y"}', want: { s: "x:12345678901234567890,y" } },
    { given: '{"s":"[12345678901234567890]","n":12345678901234567890}', want: { s: "[12345678901234567890]", n: 12345678901234567890n } },
    { given: '{"f":1234567890123456.5,"e":1e400}', want: { f: 1234567890123456.5, e: Infinity } },
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

  it("uses one JSON.parse (fast path) for big integers outside strings", () => {
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

describe("stringifyJson", () => {
  it("writes bigints as bare integers and drops undefined", () => {
    expect(stringifyJson({ a: 2n ** 64n, b: undefined, c: [1, "x"] })).toBe('{"a":18446744073709551616,"c":[1,"x"]}');
  });
});
