/**
 * The emulators answer a decimal a request gave with the digits it was sent (XT's withdrawal
 * amount, Hubi's order prices were answered as doubles: 9007199254740993 as …992).
 */
import { describe, expect, it } from "vitest";
import { emulatorJson, ExactDecimal } from "../../src/mock/decimal-text.js";
import { matchesCondition } from "../../src/mock/query-rows.js";

describe("ExactDecimal in an emulator's answer", () => {
  it("is a bare JSON number of its digits, in the forms JSON takes; bigints keep theirs; other text is untouched", () => {
    const value = { a: new ExactDecimal("9007199254740993"), b: [new ExactDecimal("0.1000000000000000000001"), new ExactDecimal("-.5"), new ExactDecimal("+05."), new ExactDecimal("1E+21")], id: 2n ** 64n, s: "0.1000000000000000000001" };
    expect(emulatorJson(value)).toBe('{"a":9007199254740993,"b":[0.1000000000000000000001,-0.5,5,1E+21],"id":18446744073709551616,"s":"0.1000000000000000000001"}');
    expect(() => new ExactDecimal("0x10")).toThrow(/not a decimal/);
  });
  it("is compared by a filter as the number it is", () => {
    expect(matchesCondition({ min: "0.1", max: "0.2" }, new ExactDecimal("0.1000000000000000000001"))).toBe(true);
    expect(matchesCondition("9007199254740993", new ExactDecimal("9007199254740993"))).toBe(true);
    expect(matchesCondition("9007199254740992", new ExactDecimal("9007199254740993"))).toBe(false);
  });
});
