/**
 * parseJson's first look at a text: one pass of a small WebAssembly SIMD scanner (source:
 * scripts/build-json-scan.ts) that finds, 64 bytes at a time, the number literals that could
 * need more than `JSON.parse` (the same candidates as json.ts's regular expressions), counts
 * the `:` characters, and lists every run of 16 or more digits with its value. About four
 * times faster than the regular expressions it replaces on large answers.
 *
 * The text is copied into the module's memory 64 KiB at a time (memory stays at about 1.1 MiB
 * for any text) with Buffer's latin1 encoding: one byte per UTF-16 code unit, so byte
 * positions are string indices. A character above U+00FF keeps only
 * its low byte; such characters only occur inside strings, so they can add candidates (which
 * the exact paths then reject) but never hide one: the number literals themselves, and the
 * characters around them, are ASCII.
 *
 * When WebAssembly is not available (`node --jitless`), scanJson returns undefined and
 * parseJson uses its regular expressions instead.
 */
import { Buffer } from "node:buffer";
import { brotliDecompressSync } from "node:zlib";
import { JSON_SCAN_WASM } from "./json-scan.wasm.js";

/** 16 digits in a row. */
export const SCAN_LONG_RUN = 1;
/** 8 digits followed by `.`, `e` or `E`, or a `.` followed by 8 digits. */
export const SCAN_LONG_DECIMAL = 2;
/** `e`/`E`, an optional sign, then 3 digits. */
export const SCAN_EXPONENT = 4;
/** More runs of 16+ digits than the list holds (MAX_RUNS): the list is incomplete. */
export const SCAN_RUNS_FULL = 8;

export interface JsonScan {
  /** SCAN_* bits. */
  flags: number;
  /** How many `:` characters the text has (a character above U+00FF may add to it). */
  colons: number;
  /** How many runs of 16+ digits are listed. */
  runs: number;
  /**
   * Run k: end (exclusive) at u32[base + 4k], digit count at u32[base + 4k + 1] (0 when it
   * began before the chunk that holds its end: more than 64 digits, count them in the text).
   */
  u32: Uint32Array;
  /** Run k's value (digit count ≤ 19) at u64[base / 2 + 2k + 1]. */
  u64: BigUint64Array;
  base: number;
}

/** Bytes copied and scanned at a time: they stay in the cache between the copy and the scan. */
const CHUNK = 65_536;
const MAX_RUNS = 65_536;
const PAGE = 65_536;

interface Instance {
  memory: WebAssembly.Memory;
  scan: (from: number, to: number, outEnd: number, base: number) => number;
  colons: WebAssembly.Global;
  runs: WebAssembly.Global;
  out: WebAssembly.Global;
  bytes: Buffer;
  u32: Uint32Array;
  u64: BigUint64Array;
}

let compiled: WebAssembly.Module | null | undefined;
let instance: Instance | undefined;
/**
 * Texts shorter than this are tested by parseJson's regular expressions, not scanned: below
 * about 900 characters the regex is the faster of the two (0.08 µs against 0.2 µs for a
 * 230-character WebSocket frame with nothing to find), the scanner's call and copy being its floor.
 */
const SCAN_FROM_CHARS = 512;

let enabled = true;
let chunkBytes = CHUNK;
let maxRuns = MAX_RUNS;
let minChars = SCAN_FROM_CHARS;

/**
 * Off: parseJson uses its regular expressions only. `chunkBytes` (a multiple of 64) and
 * `maxRuns` change the chunk size and the run list's length, `minChars` the length from which
 * parseJson scans (0: every text). For tests.
 */
export function setJsonScan(on: boolean, options: { chunkBytes?: number; maxRuns?: number; minChars?: number } = {}): void {
  enabled = on;
  chunkBytes = options.chunkBytes ?? CHUNK;
  maxRuns = options.maxRuns ?? MAX_RUNS;
  minChars = options.minChars ?? SCAN_FROM_CHARS;
}

/** parseJson's scan: `scanJson(text)` for a text long enough to be worth it, else undefined (the regexes). */
export function scanForParse(text: string): JsonScan | undefined {
  return text.length < minChars ? undefined : scanJson(text);
}

/** Bytes of scanner memory kept between calls (0 before the first scan). */
export function jsonScanMemory(): number {
  return instance?.memory.buffer.byteLength ?? 0;
}

function compile(): WebAssembly.Module | null {
  try {
    return new WebAssembly.Module(brotliDecompressSync(Buffer.from(JSON_SCAN_WASM, "base64")));
  } catch {
    return null; // no WebAssembly (--jitless) or no SIMD
  }
}

function views(i: Omit<Instance, "bytes" | "u32" | "u64">): Instance {
  const b = i.memory.buffer;
  return { ...i, bytes: Buffer.from(b), u32: new Uint32Array(b), u64: new BigUint64Array(b) };
}

/** Scan `text`, or undefined when the scanner is not available (the caller uses its regexes). */
export function scanJson(text: string): JsonScan | undefined {
  if (!enabled) return undefined;
  if (compiled === undefined) compiled = compile();
  if (compiled === null) return undefined;
  const n = text.length;
  // Memory: a chunk with the 64 bytes before it and 64 zero bytes after, then the run list.
  const out = chunkBytes + 128;
  const outEnd = out + Math.min(Math.floor(n / 17) + 1, maxRuns) * 16;
  let i = instance;
  try {
    if (i === undefined) {
      const x = new WebAssembly.Instance(compiled).exports as unknown as Omit<Instance, "bytes" | "u32" | "u64">;
      i = views(x);
    }
    if (i.memory.buffer.byteLength < outEnd) {
      i.memory.grow(Math.ceil((outEnd - i.memory.buffer.byteLength) / PAGE));
      i = views(i);
    }
  } catch {
    return undefined; // no memory: the regexes need none
  }
  instance = i;
  i.colons.value = 0;
  i.runs.value = 0;
  i.out.value = out;
  let flags = 0;
  try {
    for (let at = 0; ; at += chunkBytes) {
      const before = at === 0 ? 0 : 64;
      const end = Math.min(at + chunkBytes, n);
      const len = end - at + before;
      i.bytes.write(text.slice(at - before, end), 0, "latin1");
      if (end === n) {
        // The block holding the text's end is scanned too: a run that ends the text ends at a zero byte.
        i.bytes.fill(0, len, len + 64);
        flags |= i.scan(before, len + 1, outEnd, at - before);
        break;
      }
      flags |= i.scan(before, len, outEnd, at - before);
    }
  } catch {
    // Never seen (every access is in bounds by construction); the regexes answer instead.
    instance = undefined;
    return undefined;
  }
  return { flags, colons: i.colons.value as number, runs: i.runs.value as number, u32: i.u32, u64: i.u64, base: out >> 2 };
}
