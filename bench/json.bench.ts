/**
 * parseJson (exact: bigint above 2^53, decimals checked) vs JSON.parse on ~1 MB answers: one
 * heavy with 18-19-digit IDs, one with no big integers, and the heavy one with a digit run in a
 * string and a duplicate key (the exact fallback, the "marked" parse). Interleaved rounds,
 * medians, both in the same process. The first two again without the WebAssembly scanner
 * (its regular expressions only), to show what the scanner saves.
 */
import { parseJson, type ParseJsonOptions } from "../src/handwritten/core/json.js";
import { setJsonScan } from "../src/handwritten/core/json-scan.js";
import { interleave, report } from "./harness.js";

function order(i: number, bigIds: boolean) {
  const id = bigIds ? `${1234567890123456789n + BigInt(i * 7919)}` : `${156293034776987 + i}`;
  const acct = bigIds ? `${480427565425474309n + BigInt(i)}` : `${1000 + i}`;
  return `{"id":${id},"accountId":${acct},"number":"0.002000","price":"5000.00","avgPrice":"0.00","time":${1562930348000 + i},"type":1,"status":3,"completeNumber":"0.000000","completeMoney":"0.000000","entrustType":0,"fee":"0.000000","symbol":"btc_usdt","note":"order #${i}"}`;
}

function doc(bigIds: boolean): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 1_000_000; i++) {
    const o = order(i, bigIds);
    parts.push(o);
    size += o.length + 1;
  }
  return `{"code":200,"info":"success","data":[${parts.join(",")}]}`;
}

const ROUNDS = 40;
const heavy = doc(true);
// A duplicate key makes the fast exact path step aside: the marked parse answers instead.
const fallback = heavy.replace('{"code":200,', '{"code":100,"note":"12345678901234567890","code":200,');
// Prices and amounts as JSON numbers, read with decimals: "string".
const decimals = heavy.replace(/"(number|price|avgPrice|fee)":"([\d.]+)"/g, '"$1":$2');
const plain = doc(false);
/** Without the WebAssembly scanner: the regular expressions alone (as under `node --jitless`). */
function regexOnly(text: string, options: ParseJsonOptions): void {
  setJsonScan(false);
  try {
    parseJson(text, options);
  } finally {
    setJsonScan(true);
  }
}
for (const [label, text, target, options, scanner] of [
  ["heavy with 18-19-digit IDs", heavy, "≤ 1.5×", {}, true],
  ["no big integers", plain, "≤ 1.1×", {}, true],
  ["heavy with 18-19-digit IDs, without the WebAssembly scanner", heavy, "(no target)", {}, false],
  ["no big integers, without the WebAssembly scanner", plain, "(no target)", {}, false],
  ["heavy, duplicate key (exact fallback)", fallback, "(no target)", {}, true],
  ['heavy, decimal numbers, decimals: "string"', decimals, "(no target)", { decimals: "string" }, true],
] as const) {
  const [ours, base] = await interleave(
    { name: `parseJson (${options.decimals ?? "exact"})`, run: () => (scanner ? void parseJson(text, options) : regexOnly(text, options)) },
    { name: "JSON.parse", run: () => void JSON.parse(text) },
    ROUNDS,
    5,
  );
  report(`JSON ${(text.length / 1e6).toFixed(2)} MB, ${label}`, ours, base, { per: 1, label: "parse" }, target);
}
