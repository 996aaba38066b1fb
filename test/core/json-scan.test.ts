/**
 * The WebAssembly scanner behind parseJson (src/handwritten/core/json-scan.ts): the committed
 * module is what scripts/build-json-scan.ts builds, and its answers (flags, colon count, runs
 * of 16+ digits with their values) equal a plain-JavaScript reference on random texts, with
 * every pattern placed across the 64-byte block boundaries. parseJson's own property test
 * (json-property.test.ts) checks what it makes of those answers.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildJsonScan, buildJsonScanModule, moduleOf } from "../../scripts/build-json-scan.js";
import { parseJson } from "../../src/handwritten/core/json.js";
import {
  jsonScanMemory,
  scanForParse,
  scanJson,
  SCAN_EXPONENT,
  SCAN_LONG_DECIMAL,
  SCAN_LONG_RUN,
  SCAN_RUNS_FULL,
  setJsonScan,
} from "../../src/handwritten/core/json-scan.js";
import { fcSeed } from "../helpers/fc-seed.js";

const SEED = 20261202;

/** What the scanner must answer, computed on the text as it sees it (each code unit's low byte). */
function reference(text: string) {
  const t = Array.from({ length: text.length }, (_, i) => String.fromCharCode(text.charCodeAt(i) & 0xff)).join("");
  const runs: Array<{ end: number; digits: number; value: bigint }> = [];
  for (const m of t.matchAll(/\d{16,}/g)) {
    runs.push({ end: m.index + m[0].length, digits: m[0].length, value: m[0].length <= 19 ? BigInt(m[0]) : 0n });
  }
  return {
    flags:
      (/\d{16}/.test(t) ? SCAN_LONG_RUN : 0) |
      (/\d{8}[.eE]|\.\d{8}/.test(t) ? SCAN_LONG_DECIMAL : 0) |
      (/[eE][-+]?\d{3}/.test(t) ? SCAN_EXPONENT : 0),
    colons: t.split(":").length - 1,
    runs,
  };
}

function scanned(text: string) {
  const s = scanJson(text)!;
  const t = Array.from({ length: text.length }, (_, i) => String.fromCharCode(text.charCodeAt(i) & 0xff)).join("");
  const runs: Array<{ end: number; digits: number; value: bigint }> = [];
  for (let k = 0, r = s.base; k < s.runs; k++, r += 4) {
    let digits = s.u32[r + 1]!;
    // 0: begun before its chunk, more than 64 digits (the caller counts them)
    if (digits === 0) digits = /\d*$/.exec(t.slice(0, s.u32[r]!))![0].length;
    runs.push({ end: s.u32[r]!, digits, value: digits <= 19 ? s.u64[(r >> 1) + 1]! : 0n });
  }
  return { flags: s.flags, colons: s.colons, runs };
}

const piece = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(..."0123456789") },
  { weight: 4, arbitrary: fc.constantFrom(".", "e", "E", "+", "-", ":", '"', ",", " ", "a", "x", "{", "}") },
  { weight: 1, arbitrary: fc.constantFrom("\u0131", "\u013a", "\u012e", "\u0165", "\u012d", "\u0100", "中", "é") },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 24 }).map((n) => "7".repeat(n)) },
);
const text = fc.tuple(fc.nat({ max: 140 }), fc.array(piece, { maxLength: 60 })).map(([pad, ps]) => " ".repeat(pad) + ps.join(""));

describe("the JSON scanner (WebAssembly)", () => {
  it("is the module scripts/build-json-scan.ts builds", async () => {
    const committed = readFileSync(resolve(import.meta.dirname, "../../src/handwritten/core/json-scan.wasm.ts"), "utf8");
    // The module itself (compressors may write other bytes on another Node), and the file's form.
    expect(Buffer.from(moduleOf(committed)).equals(Buffer.from(await buildJsonScanModule()))).toBe(true);
    expect(moduleOf(await buildJsonScan())).toEqual(moduleOf(committed));
    expect(committed.split("\n").slice(0, 3)).toEqual((await buildJsonScan()).split("\n").slice(0, 3));
  });

  // The default chunk (64 KiB) holds these texts whole; 64 and 128 bytes make every text cross
  // chunk boundaries (each later chunk starts with the 64 bytes before it).
  for (const chunkBytes of [undefined, 64, 128]) {
    const chunks = chunkBytes === undefined ? "one chunk" : `${chunkBytes}-byte chunks`;
    it(`answers as the reference on random texts, across block boundaries (property, fixed seed; ${chunks})`, () => {
      setJsonScan(true, { chunkBytes });
      try {
        fc.assert(
          fc.property(chunkBytes === undefined ? text : fc.tuple(text, text).map(([a, b]) => a + b + a), (t) => {
            expect(scanned(t)).toEqual(reference(t));
          }),
          { seed: fcSeed(SEED), numRuns: 3000 },
        );
      } finally {
        setJsonScan(true);
      }
    });

    it(`finds each pattern at every offset from 0 to 200 (${chunks})`, () => {
      setJsonScan(true, { chunkBytes });
      try {
        for (const pattern of ["1234567890123456", "12345678.", "12345678e", "12345678E", ".12345678", "e123", "E-123", "e+123", "1e12", ":", "-12345678901234567890123", "9".repeat(100)]) {
          for (let at = 0; at <= 200; at++) {
            const t = `${"x".repeat(at)}${pattern}${"x".repeat(at % 7)}`;
            expect(scanned(t), `${pattern} at ${at}`).toEqual(reference(t));
          }
        }
      } finally {
        setJsonScan(true);
      }
    });
  }

  it("a full run list is flagged, and the flags and the colon count stay whole", () => {
    setJsonScan(true, { chunkBytes: 64, maxRuns: 2, minChars: 0 });
    try {
      const t = `{"a":${"1".repeat(20)},"b":${"2".repeat(17)},"c":${"3".repeat(18)},"d":"x:y","e":1.123456789e-400}`;
      const s = scanJson(t)!;
      expect(s.runs).toBe(2);
      expect(s.flags).toBe(SCAN_LONG_RUN | SCAN_LONG_DECIMAL | SCAN_EXPONENT | SCAN_RUNS_FULL);
      expect(s.colons).toBe(6);
      expect(parseJson(t.replace("1.123456789e-400", "1"))).toEqual({ a: 11111111111111111111n, b: 22222222222222222n, c: 333333333333333333n, d: "x:y", e: 1 });
    } finally {
      setJsonScan(true);
    }
  });

  it("parseJson scans a text of 512 characters or more; a shorter one (a frame, a small answer) goes to the regexes", () => {
    const short = `{"id":12345678901234567890,"pad":"${"x".repeat(475)}"}`;
    expect(short.length).toBe(511);
    expect(scanForParse(short)).toBeUndefined();
    expect(scanForParse(`${short} `)).toEqual(scanJson(`${short} `));
    expect(scanForParse(`${short} `)!.runs).toBe(1);
    expect(parseJson(short)).toEqual({ id: 12345678901234567890n, pad: "x".repeat(475) });
    expect(parseJson(`${short} `)).toEqual({ id: 12345678901234567890n, pad: "x".repeat(475) });
  });

  it("a run ending the text, a run of 70 digits, an empty text", () => {
    for (const t of ["1".repeat(16), "1".repeat(70), "", "1".repeat(63), `:${"9".repeat(19)}`]) expect(scanned(t)).toEqual(reference(t));
  });

  it("uses the same 1.1 MiB of memory for any text (64 KiB chunks and the run list)", () => {
    const big = `[${Array.from({ length: 700_000 }, (_, i) => 1234567890123456789n + BigInt(i)).join(",")}]`;
    expect(big.length).toBeGreaterThan(8 << 20);
    const v = parseJson(big) as bigint[];
    expect(v[699_999]).toBe(1234567890123456789n + 699_999n);
    expect(jsonScanMemory()).toBeGreaterThan(0);
    expect(jsonScanMemory()).toBeLessThanOrEqual(1_200_000);
  });

  it("under node --jitless (no WebAssembly) parseJson still answers exactly, with its regular expressions", () => {
    const script = [
      'import { parseJson } from "./src/handwritten/core/json.ts";',
      'import { scanJson } from "./src/handwritten/core/json-scan.ts";',
      'const v = parseJson(\'{"id":12345678901234567890,"n":-9007199254740993,"p":0.1}\');',
      'let lossy = ""; try { parseJson(\'{"x":1e400}\'); } catch (e) { lossy = e.name; }',
      'console.log(JSON.stringify({ wasm: typeof WebAssembly, scan: scanJson("1") === undefined, id: String(v.id), n: String(v.n), p: v.p, lossy }));',
    ].join("\n");
    const out = execFileSync(process.execPath, ["--jitless", "--no-warnings", "--import", "tsx", "--input-type=module", "-e", script], {
      cwd: resolve(import.meta.dirname, "../.."),
      encoding: "utf8",
    });
    expect(JSON.parse(out)).toEqual({ wasm: "undefined", scan: true, id: "12345678901234567890", n: "-9007199254740993", p: 0.1, lossy: "DecimalPrecisionError" });
  });

  it("off (as without WebAssembly): scanJson answers undefined and parseJson uses its regular expressions", () => {
    setJsonScan(false);
    try {
      expect(scanJson('{"id":12345678901234567890}')).toBeUndefined();
      expect(parseJson('{"id":12345678901234567890,"p":0.1,"n":-12345678901234567891}')).toEqual({ id: 12345678901234567890n, p: 0.1, n: -12345678901234567891n });
    } finally {
      setJsonScan(true);
    }
  });
});
