/**
 * parseJson's first look at a text: one pass of a small WebAssembly SIMD scanner (source:
 * scripts/build-json-scan.ts) that finds, 64 bytes at a time, the number literals that could
 * need more than `JSON.parse` (the same candidates as json.ts's regular expressions), counts
 * the `:` characters, and lists every run of 16 or more digits with its value. About three
 * times faster than the regular expressions it replaces on large answers.
 *
 * The text is copied into the module's memory with Buffer's latin1 encoding: one byte per
 * UTF-16 code unit, so byte positions are string indices. A character above U+00FF keeps only
 * its low byte; such characters only occur inside strings, so they can add candidates (which
 * the exact paths then reject) but never hide one: the number literals themselves, and the
 * characters around them, are ASCII.
 *
 * When WebAssembly is not available (`node --jitless`), scanJson returns undefined and
 * parseJson uses its regular expressions instead.
 */
import { Buffer } from "node:buffer";
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
  /** Run k: end (exclusive) at u32[base + 4k], digit count at u32[base + 4k + 1]. */
  u32: Uint32Array;
  /** Run k's value (digit count ≤ 19) at u64[base / 2 + 2k + 1]. */
  u64: BigUint64Array;
  base: number;
}

const MAX_RUNS = 65_536;
/** Memory kept for the next call; a larger one (after a large text) is dropped after use. */
const KEEP_BYTES = 8 << 20;
const PAGE = 65_536;

interface Instance {
  memory: WebAssembly.Memory;
  scan: (n: number, out: number, outEnd: number) => number;
  colons: WebAssembly.Global;
  runs: WebAssembly.Global;
  bytes: Buffer;
  u32: Uint32Array;
  u64: BigUint64Array;
}

let compiled: WebAssembly.Module | null | undefined;
let instance: Instance | undefined;
let enabled = true;

/** Off: parseJson uses its regular expressions only (for tests of that path). */
export function setJsonScan(on: boolean): void {
  enabled = on;
}

/** Bytes of scanner memory kept between calls (0 before the first scan). */
export function jsonScanMemory(): number {
  return instance?.memory.buffer.byteLength ?? 0;
}

function compile(): WebAssembly.Module | null {
  try {
    return new WebAssembly.Module(Buffer.from(JSON_SCAN_WASM, "base64"));
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
  const out = (n + 64 + 63) & ~63;
  const capacity = Math.min(Math.floor(n / 17) + 1, MAX_RUNS);
  const need = out + capacity * 16;
  let i = instance;
  try {
    if (i === undefined) {
      const x = new WebAssembly.Instance(compiled).exports as unknown as Omit<Instance, "bytes" | "u32" | "u64">;
      i = views(x);
    }
    if (i.memory.buffer.byteLength < need) {
      i.memory.grow(Math.ceil((need - i.memory.buffer.byteLength) / PAGE));
      i = views(i);
    }
  } catch {
    return undefined; // no memory for this text: the regexes need none
  }
  instance = i.memory.buffer.byteLength > KEEP_BYTES ? undefined : i;
  i.bytes.write(text, 0, "latin1");
  i.bytes.fill(0, n, n + 64);
  let flags: number;
  try {
    flags = i.scan(n, out, out + capacity * 16);
  } catch {
    // Never seen (every access is in bounds by construction); the regexes answer instead.
    instance = undefined;
    return undefined;
  }
  return { flags, colons: i.colons.value as number, runs: i.runs.value as number, u32: i.u32, u64: i.u64, base: out >> 2 };
}
