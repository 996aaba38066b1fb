/**
 * Builds the WebAssembly scanner behind parseJson (src/handwritten/core/json-scan.ts) and
 * writes it, brotli-compressed and base64-encoded, to src/handwritten/core/json-scan.wasm.ts.
 *
 *   npx tsx scripts/build-json-scan.ts           rewrite the file
 *   npx tsx scripts/build-json-scan.ts --check   exit 1 when the file is not what this writes
 *
 * This file is the scanner's source: the WebAssembly text below, with the repeated SIMD
 * patterns written once as helpers. test/core/json-scan.test.ts checks the committed module
 * against this source and its answers against a plain-JavaScript reference.
 *
 * The text goes through in chunks (64 KiB by default: the bytes stay in the cache between
 * the copy and the scan), one byte per UTF-16 code unit, written with Buffer latin1. A chunk
 * after the first is written with the 64 bytes before it, which only set up the masks; the
 * last chunk is followed by 64 zero bytes. `scan(from, to, outEnd, base)` computes over the
 * blocks at from, from+64, … below `to` (`base`: the text position of the chunk's byte 0),
 * 64 bytes at a time:
 * - a 64-bit mask per character class (digit, `.`, `e`/`E`, `+`/`-`), one bit per byte,
 *   made with 16-byte SIMD compares and `i8x16.bitmask`; points and `e` only in blocks with
 *   3 digits in a row, signs only where an `e` stands 4 bytes before the end of 3 digits;
 * - from the digit mask D, runs of at least 2, 3, 4, 8, 16 digits ending at each byte
 *   (R2 = D & D<<1, R4 = R2 & R2<<2, …; each shift brings in the previous block's bits);
 * - flags (the result): 1 = 16 digits in a row; 2 = 8 digits followed by `.`/`e`/`E`, or `.`
 *   followed by 8 digits; 4 = `e`/`E`, an optional sign, then 3 digits; 8 = the run list is
 *   full (the scan goes on: flags and colons stay whole). These are exactly the candidates
 *   of json.ts's regular expressions (EXACT).
 * - the number of `:` bytes, added to global `colons`;
 * - every maximal run of 16 or more digits as a 16-byte record at global `out` (below
 *   outEnd): its end in the text (exclusive), its digit count (0 when it began before the
 *   chunk's first byte: more than 64 digits) and, for at most 19 digits, its value as an
 *   unsigned 64-bit integer (global `runs` counts them). The caller zeroes the globals.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from "node:zlib";
import { resolve } from "node:path";

const OUT = resolve(import.meta.dirname, "../src/handwritten/core/json-scan.wasm.ts");

/** The byte b in all 16 lanes (a local set once: a v128.const is 18 bytes of code). */
const BYTES = [47, 58, 46, 32, 101, 43, 45];
const splat = (b: number) => `(local.get $k${b})`;
const chunk = (i: number, v = "v") => `(local.get $${v}${i})`;
const classes = {
  // '/' < v < ':' as signed bytes: a byte from 0x80 up is negative, so never a digit
  digit: (v: string) => `(v128.and (i8x16.gt_s ${v} ${splat(47)}) (i8x16.lt_s ${v} ${splat(58)}))`,
  colon: (v: string) => `(i8x16.eq ${v} ${splat(58)})`,
  dot: (v: string) => `(i8x16.eq ${v} ${splat(46)})`,
  e: (v: string) => `(i8x16.eq (v128.or ${v} ${splat(32)}) ${splat(101)})`,
  sign: (v: string) => `(v128.or (i8x16.eq ${v} ${splat(43)}) (i8x16.eq ${v} ${splat(45)}))`,
};
/** The 64-bit mask of a class over the four loaded chunks. */
const mask = (c: keyof typeof classes, v = "v") => {
  const m = (i: number) => `(i64.extend_i32_u (i8x16.bitmask ${classes[c](chunk(i, v))}))`;
  return `(i64.or (i64.or ${m(0)} (i64.shl ${m(1)} (i64.const 16))) (i64.or (i64.shl ${m(2)} (i64.const 32)) (i64.shl ${m(3)} (i64.const 48))))`;
};
/** Mask M with bit i holding M's bit i-k; the low k bits come from the previous block (Mp). */
const back = (m: string, k: number) => `(i64.or (i64.shl (local.get $${m}) (i64.const ${k})) (i64.shr_u (local.get $${m}p) (i64.const ${64 - k})))`;
const load = (at: string, v = "v") =>
  [0, 1, 2, 3].map((i) => `(local.set $${v}${i} (v128.load offset=${i * 16} ${at}))`).join("\n        ");
/** Add $acc's 16 unsigned byte lanes to $colons. */
const addLanes = `(local.set $sum4 (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $acc))))
        (local.set $colons (i64.add (local.get $colons) (i64.extend_i32_u (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $sum4)) (i32x4.extract_lane 1 (local.get $sum4)))
          (i32.add (i32x4.extract_lane 2 (local.get $sum4)) (i32x4.extract_lane 3 (local.get $sum4)))))))`;
/** The masks whose previous-block bits are kept ($Xp); the sign mask S is made for both blocks when needed. */
const masks = ["D", "R2", "R4", "R8", "R16", "P", "E"];
/** Runs of at least 2, 3, 4, 8 and 16 digits ending at each byte of the block. */
const chain = `(local.set $R2 (i64.and (local.get $D) ${back("D", 1)}))
      (local.set $R3 (i64.and (local.get $R2) ${back("D", 2)}))
      (local.set $R4 (i64.and (local.get $R2) ${back("R2", 2)}))
      (local.set $R8 (i64.and (local.get $R4) ${back("R4", 4)}))
      (local.set $R16 (i64.and (local.get $R8) ${back("R8", 8)}))`;
const flag = (bit: number) => `(local.set $flags (i32.or (local.get $flags) (i32.const ${bit})))`;

export const WAT = `(module
  (memory (export "memory") 1)
  (global $colons (export "colons") (mut i32) (i32.const 0))
  (global $runs (export "runs") (mut i32) (i32.const 0))
  (global $outp (export "out") (mut i32) (i32.const 0))
  (func (export "scan") (param $from i32) (param $to i32) (param $outEnd i32) (param $base i32) (result i32)
    (local $p i32) (local $out i32) (local $flags i32) (local $colons i64) (local $ends i64) (local $e i32) (local $q i32)
    (local $val i64) (local $have i32) (local $R3 i64) (local $S i64) (local $Sp i64) (local $acc v128) (local $sum4 v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    ${BYTES.map((b) => `(local $k${b} v128)`).join(" ")}
    ${masks.map((m) => `(local $${m} i64) (local $${m}p i64)`).join(" ")}
    ${BYTES.map((b) => `(local.set $k${b} (v128.const i8x16 ${Array(16).fill(b).join(" ")}))`).join("\n    ")}
    (local.set $out (global.get $outp))
    (local.set $p (local.get $from))
    ;; A chunk after the first starts with the 64 bytes before it: only its masks are made.
    (if (local.get $from)
      (then
        ${load("(i32.const 0)")}
        (local.set $D ${mask("digit")})
        ${chain}
        ${masks.map((m) => `(local.set $${m}p (local.get $${m}))`).join(" ")}))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $p) (local.get $to)))
      ${load("(local.get $p)")}
      (local.set $D ${mask("digit")})
      ;; ':' counted per lane (a compare is -1 where true), summed every 32 blocks (at most 128 a lane)
      (local.set $acc (i8x16.sub (local.get $acc) ${classes.colon(chunk(0))}))
      (local.set $acc (i8x16.sub (local.get $acc) ${classes.colon(chunk(1))}))
      (local.set $acc (i8x16.sub (local.get $acc) ${classes.colon(chunk(2))}))
      (local.set $acc (i8x16.sub (local.get $acc) ${classes.colon(chunk(3))}))
      (if (i32.eqz (i32.and (i32.shr_u (local.get $p) (i32.const 6)) (i32.const 31)))
        (then
          ${addLanes}
          (local.set $acc (v128.const i64x2 0 0))))
      ${chain}
      (if (i64.ne (local.get $R16) (i64.const 0)) (then ${flag(1)}))
      ;; '.', 'e' and signs matter only next to 3 digits ending in this block, or 8 ending just before it
      (if (i64.ne (i64.or (local.get $R3) (i64.shr_u (local.get $R8p) (i64.const 63))) (i64.const 0))
        (then
          ;; the previous block's masks, when it did not make them
          (if (i32.and (i32.eqz (local.get $have)) (i32.ne (local.get $p) (i32.const 0)))
            (then
              ${load("(i32.sub (local.get $p) (i32.const 64))", "w")}
              (local.set $Pp ${mask("dot", "w")})
              (local.set $Ep ${mask("e", "w")})))
          (local.set $have (i32.const 1))
          (local.set $P ${mask("dot")})
          (local.set $E ${mask("e")})
          ;; 3 digits ending at i after 'e' at i-3
          (if (i64.ne (i64.and (local.get $R3) ${back("E", 3)}) (i64.const 0)) (then ${flag(4)}))
          ;; ... or after a sign at i-3 and 'e' at i-4: signs are looked at only then (rare)
          (if (i64.ne (i64.and (local.get $R3) ${back("E", 4)}) (i64.const 0))
            (then
              (local.set $S ${mask("sign")})
              (local.set $Sp (i64.const 0))
              (if (i32.ne (local.get $p) (i32.const 0))
                (then
                  ${load("(i32.sub (local.get $p) (i32.const 64))", "w")}
                  (local.set $Sp ${mask("sign", "w")})))
              (if (i64.ne (i64.and (i64.and (local.get $R3) ${back("S", 3)}) ${back("E", 4)}) (i64.const 0)) (then ${flag(4)}))))
          ;; '.', 'e' or 'E' at i after 8 digits ending at i-1; 8 digits ending at i after '.' at i-8
          (if (i64.ne (i64.or (i64.and (i64.or (local.get $P) (local.get $E)) ${back("R8", 1)}) (i64.and (local.get $R8) ${back("P", 8)})) (i64.const 0))
            (then ${flag(2)})))
        (else (local.set $have (i32.const 0))))
      ;; bit i: a run of 16 or more digits ended at i-1 (i is not a digit)
      (local.set $ends (i64.and ${back("R16", 1)} (i64.xor (local.get $D) (i64.const -1))))
      (block $noEnds (loop $each
        (br_if $noEnds (i64.eqz (local.get $ends)))
        (local.set $e (i32.add (local.get $p) (i32.wrap_i64 (i64.ctz (local.get $ends)))))
        (local.set $ends (i64.and (local.get $ends) (i64.sub (local.get $ends) (i64.const 1))))
        ;; a full list: flag it, and go on for the flags and the colons
        (if (i32.ge_u (local.get $out) (local.get $outEnd)) (then ${flag(8)} (br $each)))
        (local.set $q (local.get $e))
        (block $start (loop $digitsBack
          (br_if $start (i32.eqz (local.get $q)))
          (br_if $start (i32.ge_u (i32.sub (i32.load8_u (i32.sub (local.get $q) (i32.const 1))) (i32.const 48)) (i32.const 10)))
          (local.set $q (i32.sub (local.get $q) (i32.const 1)))
          (br $digitsBack)))
        (i32.store (local.get $out) (i32.add (local.get $base) (local.get $e)))
        ;; a run back to this chunk's first byte may have begun before it: digit count 0, unknown
        ;; (it has more than 64 digits: no value is wanted)
        (if (i32.and (i32.eqz (local.get $q)) (i32.ne (local.get $base) (i32.const 0)))
          (then (local.set $q (local.get $e))))
        (i32.store offset=4 (local.get $out) (i32.sub (local.get $e) (local.get $q)))
        (local.set $val (i64.const 0))
        (if (i32.le_u (i32.sub (local.get $e) (local.get $q)) (i32.const 19))
          (then
            (block $valued (loop $digits
              (br_if $valued (i32.ge_u (local.get $q) (local.get $e)))
              (local.set $val (i64.add (i64.mul (local.get $val) (i64.const 10)) (i64.extend_i32_u (i32.sub (i32.load8_u (local.get $q)) (i32.const 48)))))
              (local.set $q (i32.add (local.get $q) (i32.const 1)))
              (br $digits)))))
        (i64.store offset=8 (local.get $out) (local.get $val))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (global.set $runs (i32.add (global.get $runs) (i32.const 1)))
        (br $each)))
      ${masks.map((m) => `(local.set $${m}p (local.get $${m}))`).join(" ")}
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (br $blocks)))
    ${addLanes}
    (global.set $colons (i32.add (global.get $colons) (i32.wrap_i64 (local.get $colons))))
    (global.set $outp (local.get $out))
    (local.get $flags)))
`;

/** The scanner's WebAssembly module, assembled from WAT. */
export async function buildJsonScanModule(): Promise<Uint8Array> {
  const wabt = await (await import("wabt")).default();
  const mod = wabt.parseWat("json-scan.wat", WAT, { simd: true });
  mod.validate();
  const { buffer } = mod.toBinary({});
  mod.destroy();
  return buffer;
}

/**
 * The module file's text: the module brotli-compressed (it halves the bundle's share of it;
 * Node's zlib decompresses it once, at the first scan), then base64.
 */
export async function buildJsonScan(): Promise<string> {
  const buffer = await buildJsonScanModule();
  const packed = brotliCompressSync(buffer, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: buffer.length } });
  const base64 = packed.toString("base64");
  const lines = base64.match(/.{1,100}/g)!.map((l) => `  "${l}"`);
  return `// Generated by scripts/build-json-scan.ts (the scanner's source); do not edit.
/** The WebAssembly module behind parseJson's scan (${buffer.length} bytes), brotli-compressed, base64. */
export const JSON_SCAN_WASM =
${lines.join(" +\n")};
`;
}

/** The module inside a module file's text (what the check compares: compressors may differ between Node versions). */
export function moduleOf(fileText: string): Uint8Array {
  const base64 = [...fileText.matchAll(/"([A-Za-z0-9+/=]+)"/g)].map((m) => m[1]).join("");
  return new Uint8Array(brotliDecompressSync(Buffer.from(base64, "base64")));
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("build-json-scan.ts")) {
  if (process.argv.includes("--check")) {
    const current = moduleOf(readFileSync(OUT, "utf8"));
    if (!Buffer.from(current).equals(await buildJsonScanModule())) {
      console.error(`${OUT} is not what scripts/build-json-scan.ts writes: run npx tsx scripts/build-json-scan.ts`);
      process.exit(1);
    }
  } else writeFileSync(OUT, await buildJsonScan());
}
