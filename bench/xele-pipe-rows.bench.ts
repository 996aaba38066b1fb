/**
 * Decoding a 500 000-row, 25-column OrderQry answer (header + "|" rows, ~85 M characters)
 * with decodePipeRows vs a naive baseline in the same run, interleaved rounds:
 *
 *   baseline: text.split("\n"), line.split("|"), every field assigned to a fresh object literal
 *             (strings only: no type conversion, no checks)
 *   decodePipeRows (default, check: "all"): header-driven layout, envelope/header/row-count
 *             checks and every row's field count, integer and decimal cells checked up front (one regex
 *             pass); one row view per line (cells split and converted on first read)
 *
 * Also reported, so the headline is not mistaken for more than it is: decodePipeRows followed
 * by reading every field of every row, and decodePipeRows with check: "on-read" (only the
 * first and last rows checked up front; others when read). Then the streaming form's peak RSS growth while 500 000 rows are
 * read chunk by chunk from a pipe and decoded one by one: as from a server's socket, the bytes
 * are made by another process (this file run with `produce`), so the memory measured is the
 * decoder's, not that of the code making the rows (made in this process, their strings grew
 * V8's young generation to 64 MB on Node 24 by themselves).
 *
 * Targets: decodePipeRows ≥ 5× the baseline's rows/s; streaming peak RSS growth < 64 MB.
 * Run: npm run bench -- xele-pipe-rows
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { meta } from "../generated/xele-mgmt.meta.js";
import { decodePipeRowStream } from "../src/handwritten/xele/pipe-row-stream.js";
import { decodePipeRows } from "../src/handwritten/xele/pipe-rows.js";
import { pipeRowsOf } from "../src/handwritten/xele/spec-info.js";
import { interleave, median } from "./harness.js";

const ROWS = 500_000;
const layout = pipeRowsOf(meta.operations.find((o) => o.operationId === "queryOrders")!)!;
const columns = layout.columns.map((c) => c.name);
if (columns.length !== 25) throw new Error(`expected 25 OrderQry columns, the spec has ${columns.length}`);

const STATUSES = ["全部成交", "部分成交还在队列", "未成交还在队列", "撤单", "错单"];
function row(i: number): string {
  return [
    `7770${i % 100}`,
    1000 + i,
    i + 1,
    String(12345678901234567890n + BigInt(i)),
    i % 100,
    "正常",
    i % 4 === 3 ? "限价FAK" : "限价GFD",
    `client_app_${i % 5}`,
    1,
    `0001${i % 10}`,
    `au22${String(i % 12).padStart(2, "0")}`,
    i % 2 ? "卖" : "买",
    i % 3 === 2 ? "平仓" : "开仓",
    STATUSES[i % STATUSES.length],
    (400 + (i % 1000) / 10).toFixed(4),
    1 + (i % 9),
    0,
    1 + (i % 9),
    `1${i % 6}:${String(i % 60).padStart(2, "0")}:02`,
    `2022-10-25 14:${String(i % 60).padStart(2, "0")}:31.${String(i % 1000).padStart(3, "0")}`,
    i % 5 === 4 ? 1001 : 0,
    i % 5 === 4 ? `价格超出涨跌停板, "price" out of range` : "",
    "20221025",
    `2022-10-25 14:${String(i % 60).padStart(2, "0")}:31.${String(i % 1000).padStart(3, "0")}`,
    "投机",
  ].join("|");
}
const header = `MS,OrderQry,1.0.3,25,${ROWS},${columns.join("|")}`;
const MB = 1024 * 1024;

// ---- streaming first, on a clean heap: the answer arrives chunk by chunk, never whole ----

/** The answer as a server sends it: rows made on the fly, written in chunks of about 12,000 characters. */
async function* produce(): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  let text = `${header}\n`;
  for (let i = 0; i < ROWS; i++) {
    text += `${row(i)}\n`;
    if (text.length >= 12_000) {
      yield enc.encode(text);
      text = "";
    }
  }
  if (text) yield enc.encode(text);
}

if (process.argv[2] === "produce") {
  // The server's side, in a process of its own: the answer written to stdout (a pipe).
  for await (const chunk of produce()) if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
  process.exit(0);
}

const rssBase = process.memoryUsage().rss;
let rssPeak = 0;
let streamed = 0;
const streamStart = performance.now();
const server = spawn(process.execPath, [fileURLToPath(import.meta.url), "produce"], { stdio: ["ignore", "pipe", "inherit"] });
const serverExit = once(server, "exit");
for await (const r of decodePipeRowStream(server.stdout, { layout })) {
  if (++streamed % 10_000 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss - rssBase);
  if (streamed === ROWS && (r as Record<string, unknown>).ExchangeOrderId !== 12345678901234567890n + BigInt(ROWS - 1)) throw new Error("bad last row");
}
const streamMs = performance.now() - streamStart;
if (streamed !== ROWS) throw new Error(`streamed ${streamed} rows`);
const [serverCode] = await serverExit;
if (serverCode !== 0) throw new Error(`the row producer exited with ${String(serverCode)}`);

// ---- whole-answer decoding vs the naive baseline ----

const text = [header, ...Array.from({ length: ROWS }, (_, i) => row(i))].join("\n");

function naive(t: string): Array<Record<string, string | undefined>> {
  const lines = t.split("\n");
  const rows = [];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.split("|");
    rows.push({
      InvestorId: f[0], OrderSysId: f[1], OrderUserId: f[2], ExchangeOrderId: f[3], UserRef: f[4],
      OrderType: f[5], DelegateType: f[6], AppID: f[7], MFL: f[8], SeatId: f[9],
      InstrumentId: f[10], Direction: f[11], CombOffsetFlag: f[12], OrderStatus: f[13], OrderPrice: f[14],
      OrderVolume: f[15], NobarginVolume: f[16], BarginVolume: f[17], OrderTime: f[18], InsertTime: f[19],
      ErrCode: f[20], ErrMsg: f[21], TradingDay: f[22], UpdateTime: f[23], HedgeFlag: f[24],
    });
  }
  return rows;
}

let sink = 0;
const check = (n: number) => {
  if (n !== ROWS) throw new Error(`decoded ${n} rows`);
  sink += n;
};
const readAll = (rows: Array<Record<string, unknown>>) => {
  for (const r of rows) for (const c of columns) if (r[c] !== undefined) sink++;
};

const rowsPerSec = (ms: number) => (ROWS / ms) * 1000;
const fmt = (n: number) => `${(n / 1e6).toFixed(2)} M rows/s`;
function line(name: string, ms: number, base: number) {
  console.log(`  ${name.padEnd(64)} ${ms.toFixed(0).padStart(6)} ms  ${fmt(rowsPerSec(ms)).padStart(16)}  ${(base / ms).toFixed(2)}× baseline`);
}

console.log(`\nXele OrderQry "|" rows: ${ROWS} rows × 25 columns, ${(text.length / 1e6).toFixed(1)} M characters (median of interleaved rounds)`);

const [decoded, baseline] = await interleave(
  { name: "decodePipeRows", run: () => check(decodePipeRows(text, { layout }).length) },
  { name: "naive split + object literal", run: () => check(naive(text).length) },
  7,
  1,
);
const base = median(baseline.rounds);
line("naive: split('\\n'), split('|'), object literal (baseline)", base, base);
line("decodePipeRows (default: every row checked up front)", median(decoded.rounds), base);

const [full, baseline2] = await interleave(
  { name: "decode + read all", run: () => readAll(decodePipeRows(text, { layout }) as Array<Record<string, unknown>>) },
  { name: "naive + read all", run: () => readAll(naive(text)) },
  3,
  1,
);
const base2 = median(baseline2.rounds);
line("naive, then read every field", base2, base2);
line("decodePipeRows, then read every field of every row", median(full.rounds), base2);

const [eager, baseline3] = await interleave(
  { name: "check on read", run: () => check(decodePipeRows(text, { layout, check: "on-read" }).length) },
  { name: "naive", run: () => check(naive(text).length) },
  3,
  1,
);
line('decodePipeRows with check: "on-read" (middle rows checked when read)', median(eager.rounds), median(baseline3.rounds));

const ratio = base / median(decoded.rounds);
console.log(`\n  headline: decodePipeRows ${ratio.toFixed(2)}× the baseline's rows/s (target ≥ 5×): ${ratio >= 5 ? "met" : "NOT met"}`);
console.log(
  `  streaming: ${streamed} rows in ${streamMs.toFixed(0)} ms (${fmt(rowsPerSec(streamMs))}), peak RSS growth ${(rssPeak / MB).toFixed(1)} MB (target < 64 MB): ${rssPeak < 64 * MB ? "met" : "NOT met"}`,
);
if (sink === 0) console.log("");
