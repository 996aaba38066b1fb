/**
 * Differential property test (issue 11): parseJson against a small, slow, exact reference
 * parser written only for this test (recursive descent over the text; numbers decided with
 * BigInt arithmetic, not with the implementation's string normalisation). Fixed seed; on a
 * mismatch fast-check prints the seed, the path and the shrunk document.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecimalPrecisionError, parseJson, type DecimalsMode } from "../../src/handwritten/core/json.js";
import { setJsonScan } from "../../src/handwritten/core/json-scan.js";
import { fcSeed } from "../helpers/fc-seed.js";

const SEED = 20261201;
const MAX = 2n ** 53n - 1n;

// ---------------------------------------------------------------- reference parser

let lossySeq = 0;
/** A decimal that does not fit a double; `seq` is its place in the text. */
class RefLossy {
  readonly seq = lossySeq++;
  constructor(
    readonly path: string,
    readonly literal: string,
  ) {}
}

/** value = m × 10^e exactly, from a JSON number literal (or from String(double)). */
function rational(lit: string): { m: bigint; e: number } {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(lit);
  if (!match) throw new Error(`reference: not a number literal: ${lit}`);
  const [, sign, int, frac = "", exp = "0"] = match;
  const m = BigInt(`${sign}${int}${frac}`);
  return { m, e: Number(exp) - frac.length };
}

function sameValue(a: { m: bigint; e: number }, b: { m: bigint; e: number }): boolean {
  const e = Math.min(a.e, b.e);
  return a.m * 10n ** BigInt(a.e - e) === b.m * 10n ** BigInt(b.e - e);
}

function refNumber(lit: string, mode: DecimalsMode, path: string): unknown {
  if (!/[.eE]/.test(lit)) {
    const big = BigInt(lit);
    return big > MAX || big < -MAX ? big : Number(lit);
  }
  if (mode === "string") return lit;
  const d = Number(lit);
  if (mode === "number") return d;
  const r = rational(lit);
  if (r.m === 0n) return d; // any zero is exact (JSON.parse keeps the sign)
  if (!Number.isFinite(d) || d === 0) return new RefLossy(path, lit);
  return sameValue(r, rational(String(d))) ? d : new RefLossy(path, lit);
}

function pathPart(k: string | number): string {
  return typeof k === "number" ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

/** Parse `text` as JSON; lossy decimals (exact mode) come back as RefLossy leaves. */
function refParse(text: string, mode: DecimalsMode): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new SyntaxError(`reference: bad JSON at ${i}`);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') {
      if (i >= text.length) fail();
      i += text[i] === "\\" ? 2 : 1;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string; // decodes one string literal only
  };
  const value = (path: string): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const o: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return o;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const k = str();
        ws();
        if (text[i++] !== ":") fail();
        const v = value(path + pathPart(k));
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return o;
        } else fail();
      }
    }
    if (c === "[") {
      i++;
      const a: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return a;
      }
      for (;;) {
        a.push(value(path + pathPart(a.length)));
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return a;
        } else fail();
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
    m.lastIndex = i;
    const lit = m.exec(text)?.[0] ?? fail();
    i += lit.length;
    return refNumber(lit, mode, path);
  };
  const v = value("");
  ws();
  if (i !== text.length) fail();
  return v;
}

/** Text to emit as is (the canonical form is built without recursion: documents nest 2,000 deep). */
class Lit {
  constructor(readonly s: string) {}
}

/** A canonical form that tells bigint from number, -0 from 0, and checks key order and prototypes. */
function canon(root: unknown): string {
  const out: string[] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (v instanceof Lit) out.push(v.s);
    else if (typeof v === "bigint") out.push(`${v}n`);
    else if (typeof v === "number") out.push(Object.is(v, -0) ? "-0" : String(v));
    else if (typeof v === "string") out.push(JSON.stringify(v));
    else if (v === null || typeof v !== "object") out.push(String(v));
    else if (Array.isArray(v)) {
      stack.push(new Lit("]"));
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push(v[i]);
        if (i > 0) stack.push(new Lit(","));
      }
      stack.push(new Lit("["));
    } else if (Object.getPrototypeOf(v) !== Object.prototype) out.push("<bad prototype>");
    else {
      const keys = Object.keys(v);
      stack.push(new Lit("}"));
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push((v as Record<string, unknown>)[keys[i]!], new Lit(`${JSON.stringify(keys[i])}:`));
        if (i > 0) stack.push(new Lit(","));
      }
      stack.push(new Lit("{"));
    }
  }
  return out.join("");
}

// ---------------------------------------------------------------- generators

const sign = fc.constantFrom("", "-");
const nearBig = (center: bigint) =>
  fc.tuple(sign, fc.bigInt({ min: -3000n, max: 3000n })).map(([s, d]) => {
    const n = center + d;
    return `${s}${n < 0n ? -n : n}`;
  });
const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max }).map((a) => a.join(""));
const intLit = fc.tuple(sign, digits(1, 22)).map(([s, d]) => `${s}${d.replace(/^0+(?=\d)/, "")}`);
const fracLit = fc
  .tuple(sign, digits(1, 20), digits(1, 22))
  .map(([s, a, b]) => `${s}${a.replace(/^0+(?=\d)/, "")}.${b}`);
const expLit = fc
  .tuple(sign, digits(1, 18), fc.option(digits(1, 18)), fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.integer({ min: 0, max: 420 }))
  .map(([s, a, f, e, es, x]) => `${s}${a.replace(/^0+(?=\d)/, "")}${f === null ? "" : `.${f}`}${e}${es}${x}`);
const numberLit = fc.oneof(
  nearBig(2n ** 53n),
  nearBig(2n ** 63n),
  nearBig(2n ** 64n),
  fc.constantFrom("0", "-0", "-0.0", "0e5", "1e19", "9.007199254740992e15", "9.007199254740993e15", "0.9007199254740993", "1.5e20", "123456789.123456789", "0.1", "1e400", "-1e-400", "5e-324", "9007199254740993.0", "1234.0000000000001"),
  intLit,
  fracLit,
  expLit,
  fc.integer().map(String),
);
const strChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(..."0123456789") },
  { weight: 3, arbitrary: fc.constantFrom("a", "e", "E", ".", "-", "+", " ", ":", ",", "[", "]", "{", "}", "~", "é", "中") },
  // Characters above U+00FF whose low byte is a digit, ':', '.', 'e' or '-' (the scanner sees
  // each UTF-16 code unit's low byte).
  { weight: 2, arbitrary: fc.constantFrom("\u0131", "\u0130", "\u0139", "\u013a", "\u012e", "\u0165", "\u0145", "\u012d", "\u0131".repeat(16), "1\u0131".repeat(9)) },
  { weight: 2, arbitrary: fc.constantFrom('\\"', "\\\\", "\\n", "\\u0031", "\\u007e", "\\u007E", "\\u0001", "\\ud83d\\ude00", "\\/") },
  { weight: 1, arbitrary: digits(16, 21) },
  { weight: 1, arbitrary: numberLit },
);
const stringLit = fc.array(strChar, { maxLength: 8 }).map((a) => `"${a.join("")}"`);
const keyLit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('"a"', '"b"', '"id"', '"__proto__"', '"0"', '"1"', '"42"', '"a b"', '"~"', '"~~1"', '"\\u0061"') },
  { weight: 2, arbitrary: stringLit },
);
const space = fc.constantFrom("", "", "", " ", "\n  ", "\t");

const { json } = fc.letrec<{ json: string; leaf: string; obj: string; arr: string }>((tie) => ({
  leaf: fc.oneof({ weight: 6, arbitrary: numberLit }, { weight: 2, arbitrary: stringLit }, { weight: 1, arbitrary: fc.constantFrom("true", "false", "null") }),
  obj: fc
    .array(fc.tuple(space, keyLit, space, tie("json")), { maxLength: 5 })
    .map((ms) => `{${ms.map(([s1, k, s2, v]) => `${s1}${k}${s2}:${v}`).join(",")}}`),
  arr: fc.array(fc.tuple(space, tie("json")), { maxLength: 5 }).map((vs) => `[${vs.map(([s, v]) => `${s}${v}`).join(",")}]`),
  json: fc.oneof({ depthSize: "small", withCrossShrink: true }, tie("leaf"), tie("obj"), tie("arr")),
}));

/** Sometimes wrap the document deeply (deeper than the fast path's recursion limit). */
const doc = fc.tuple(json, fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 900, max: 2000 }) }), space).map(
  ([j, depth, s]) => `${s}${"[".repeat(depth)}${j}${"]".repeat(depth)}${s}`,
);

/**
 * Shapes aimed at pairing by position without a string scan: few keys (duplicates are
 * likely), big values from a pool where neighbours share a double (2^63 ± a few: doubles
 * there are 2,048 apart), strings that look like member values (`":<big>"`, `",<big>"`),
 * the same values written as decimals with exponents, and arrays of big values.
 */
const bigPool = fc.constantFrom("9223372036854775807", "9223372036854775808", "9223372036854775809", "10000000000000000001", "10000000000000000002");
const bigAsDecimal = fc.constantFrom("9.223372036854775807e18", "9.223372036854775808E+18", "1e19", "1.0e19", "92233720368547758.07e2");
const attackValue = fc.oneof(
  { weight: 4, arbitrary: bigPool },
  { weight: 2, arbitrary: bigAsDecimal },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(":", ": ", ",", "[", "a:", ""), bigPool, fc.constantFrom("", ",", "}", " ")).map(([a, b, c]) => `"${a}${b}${c}"`) },
  { weight: 1, arbitrary: fc.array(bigPool, { maxLength: 3 }).map((a) => `[${a.join(",")}]`) },
  { weight: 1, arbitrary: fc.constantFrom("1", '"x"', "null", "1e400", "1e-400", "0.1234567890123") },
);
const attackKey = fc.constantFrom('"a"', '"b"', '"c"', '"1"', '"a:b"');
const attackObject = fc
  .array(fc.tuple(attackKey, fc.constantFrom(":", " : "), attackValue), { minLength: 1, maxLength: 4 })
  .map((members) => `{${members.map(([k, c, v]) => `${k}${c}${v}`).join(",")}}`);
const attackDoc = fc.array(attackObject, { minLength: 1, maxLength: 3 }).map((objs) => (objs.length === 1 ? objs[0]! : `[${objs.join(",")}]`));

// ---------------------------------------------------------------- the property

function outcome(f: () => unknown): string {
  try {
    return `ok ${canon(f())}`;
  } catch (e) {
    if (e instanceof DecimalPrecisionError) return `lossy ${e.path} ${e.literal}`;
    if (e instanceof SyntaxError) return "syntax";
    throw e;
  }
}

function expected(text: string, mode: DecimalsMode): string {
  let v: unknown;
  try {
    v = refParse(text, mode);
  } catch (e) {
    if (e instanceof SyntaxError) return "syntax";
    throw e;
  }
  const lossy = collectLossy(v);
  if (lossy.length > 0) {
    const first = lossy[0]!; // the first in the text among those a duplicate key did not drop
    return `lossy ${first.path === "" ? "$" : first.path.replace(/^\./, "")} ${first.literal}`;
  }
  return `ok ${canon(v)}`;
}

/** Lossy leaves that survived (duplicate keys drop the others), in text order. */
function collectLossy(v: unknown): RefLossy[] {
  const out: RefLossy[] = [];
  // Without recursion: documents nest up to 2,000 deep.
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (x instanceof RefLossy) out.push(x);
    else if (Array.isArray(x)) stack.push(...x);
    else if (typeof x === "object" && x !== null) for (const k of Object.keys(x)) stack.push((x as Record<string, unknown>)[k]);
  }
  return out.sort((a, b) => a.seq - b.seq);
}

describe("parseJson against an exact reference parser (property, fixed seed)", () => {
  for (const mode of ["exact", "number", "string"] as const) {
    it(`decimals: "${mode}": 0 mismatches`, () => {
      fc.assert(
        fc.property(doc, (text) => {
          expect(outcome(() => parseJson(text, { decimals: mode }))).toBe(expected(text, mode));
        }),
        { seed: fcSeed(SEED), numRuns: mode === "exact" ? 2000 : 800 },
      );
    });
  }

  for (const mode of ["exact", "number"] as const) {
    it(`decimals: "${mode}": 0 mismatches on shapes that attack pairing by position`, () => {
      fc.assert(
        fc.property(attackDoc, (text) => {
          expect(outcome(() => parseJson(text, { decimals: mode }))).toBe(expected(text, mode));
        }),
        { seed: fcSeed(SEED), numRuns: 5000 },
      );
    });
  }

  const scanners = [
    // (minChars 0: short documents are scanned too, not left to the regexes)
    { label: "the scanner in 64-byte chunks (every document crosses chunk boundaries)", on: true, chunkBytes: 64 },
    { label: "without the WebAssembly scanner (its regular expressions)", on: false, chunkBytes: undefined },
  ];
  for (const mode of ["exact", "number"] as const) {
    for (const { label, on, chunkBytes } of scanners) {
      it(`decimals: "${mode}", ${label}: 0 mismatches`, () => {
        setJsonScan(on, { chunkBytes, minChars: 0 });
        try {
          fc.assert(
            fc.property(fc.oneof(doc, attackDoc), (text) => {
              expect(outcome(() => parseJson(text, { decimals: mode }))).toBe(expected(text, mode));
            }),
            { seed: fcSeed(SEED), numRuns: 1500 },
          );
        } finally {
          setJsonScan(true);
        }
      });
    }
  }

  it("also agrees on invalid variations (a byte dropped or doubled)", () => {
    fc.assert(
      fc.property(doc, fc.nat(), fc.boolean(), (text, at, drop) => {
        const p = at % (text.length + 1);
        const bad = drop ? text.slice(0, p) + text.slice(p + 1) : text.slice(0, p) + text[p] + text.slice(p);
        expect(outcome(() => parseJson(bad))).toBe(expected(bad, "exact"));
      }),
      { seed: fcSeed(SEED), numRuns: 1000 },
    );
  });
});
