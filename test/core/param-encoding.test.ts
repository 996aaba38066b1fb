/**
 * The signers' text encoders (Python's quote_plus, PHP's urlencode, Java's trim) against the
 * plain definitions they replace (a string built byte by byte, a trimming regex), on any text,
 * and their time on hostile values: linear, whatever the value's length or its runs of spaces.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { javaTrim, phpUrlencode, pythonQuotePlus } from "../../src/auth/hmac.js";

/** The definitions, written plainly (the earlier code). */
function encodeByByte(text: string, keep: (b: number) => boolean): string {
  let out = "";
  for (const b of Buffer.from(text, "utf8")) {
    if (b === 0x20) out += "+";
    else if (keep(b)) out += String.fromCharCode(b);
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
const alnum = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
const quotePlus = (t: string, safe = "") => {
  const extra = new Set([..."_.-~", ...safe].map((c) => c.charCodeAt(0)));
  return encodeByByte(t, (b) => alnum(b) || extra.has(b));
};
const urlencode = (t: string) => encodeByByte(t, (b) => alnum(b) || b === 0x2d || b === 0x5f || b === 0x2e);
const trim = (t: string) => t.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");

/** Text with what the encoders treat specially: spaces, controls, `~-_.,`, non-ASCII, lone surrogates. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(" ", "\t", "\u0000", "\u0020", "\u0021", "~", "-", "_", ".", ",", "+", "%", "é", "\u00ff", "中", "\ud83d\ude00", "\ud800", "a", "Z", "9"), maxLength: 40 }),
);

describe("signer text encoders", () => {
  it("give what the plain definitions give, on any text (property)", () => {
    fc.assert(
      fc.property(text, fc.constantFrom("", ",", "/", "é"), (t, safe) => {
        expect(pythonQuotePlus(t, safe)).toBe(quotePlus(t, safe));
        expect(phpUrlencode(t)).toBe(urlencode(t));
        expect(javaTrim(t)).toBe(trim(t));
      }),
      { numRuns: 2000 },
    );
  });

  it("known answers", () => {
    expect(pythonQuotePlus("a b~c,d/é")).toBe("a+b~c%2Cd%2F%C3%A9");
    expect(pythonQuotePlus("1,2", ",")).toBe("1,2");
    expect(phpUrlencode("a b~c-_.")).toBe("a+b%7Ec-_.");
    expect(javaTrim("\u0000 x y \u0020\t")).toBe("x y");
    expect(javaTrim("\u00a0x\u00a0")).toBe("\u00a0x\u00a0");
    expect(javaTrim("   ")).toBe("");
  });

  it("take linear time: 100,000 spaces inside a value, and a value of 2 MB", () => {
    const spaced = `[1,${" ".repeat(100_000)}2]`;
    const big = "€x ".repeat(500_000);
    // A baseline of linear work on the same texts, timed in this process (a loaded machine slows both).
    let started = performance.now();
    expect(encodeURIComponent(spaced).length + encodeURIComponent(big).length * 2).toBeGreaterThan(0);
    const baseline = performance.now() - started;
    started = performance.now();
    expect(javaTrim(spaced)).toBe(spaced);
    expect(pythonQuotePlus(big).length).toBe(500_000 * 11);
    expect(phpUrlencode(big).length).toBe(500_000 * 11);
    // (the trimming regex took ~5 s on the first; the byte-by-byte string ~0.5 s on the others:
    // 20-100 times the baseline; linear encoders take 1-4 times it)
    expect(performance.now() - started).toBeLessThan(Math.max(12 * baseline, 100));
  });
});
