/**
 * `tradeapi call xele` prints "|" row answers as they arrive (src/cli/stream-output.ts): the
 * same bytes as the whole answer printed at once, for every row operation; a failure after the
 * first row leaves the rows read, no closing "]", the error on stderr and exit 1; --output FILE
 * appears whole or not at all; a large answer goes through a heap far smaller than it.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringifyJson } from "../../src/handwritten/core/json.js";
import { createXeleClient, XELE_ROW_SCHEMAS } from "../../src/handwritten/xele/client.js";
import { arrayItemText, printJsonRows } from "../../src/cli/stream-output.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";
import { runCliCaptured } from "../helpers/cli.js";

const ROOT = resolve(import.meta.dirname, "../..");
let mock: XeleMock;
let dir: string;
beforeAll(async () => {
  mock = await startXeleMock();
  dir = await mkdtemp(join(tmpdir(), "xele-cli-stream-"));
});
afterAll(async () => {
  await mock.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (msUrl = mock.msUrl): NodeJS.ProcessEnv => ({ XELE_MA_URL: mock.maUrl, XELE_MS_URL: msUrl, XELE_USERNAME: XELE_MOCK_USERNAME, XELE_PASSWORD: XELE_MOCK_PASSWORD });
const cli = (argv: string[], msUrl?: string, io = {}) => runCliCaptured(argv, env(msUrl), io);

/** What the CLI printed before it streamed: the whole answer from `call`, as one JSON text. */
async function wholeText(op: string, data?: unknown, from: XeleMock = mock): Promise<string> {
  const client = createXeleClient({ maUrl: from.maUrl, msUrl: from.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });
  const rows = await (client.call as (op: string, data?: unknown) => Promise<unknown>)(op, data);
  return `${stringifyJson(rows, 2)}\n`;
}

/**
 * An MS server in front of the emulator's: `cutAfter` bytes of each queryOrders answer, then
 * the connection dropped; `failFirst` answers 503 to that many requests first.
 */
async function frontOfMs(opts: { cutAfter?: number; failFirst?: number }): Promise<{ url: string; server: Server }> {
  let failures = opts.failFirst ?? 0;
  const target = new URL(mock.msUrl);
  const server = createServer((req, res) => {
    if (failures > 0) {
      failures--;
      res.writeHead(503).end("busy");
      return;
    }
    const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { "content-type": answer.headers["content-type"] ?? "text/plain" });
      let sent = 0;
      answer.on("data", (chunk: Buffer) => {
        if (opts.cutAfter === undefined || sent + chunk.length <= opts.cutAfter) {
          sent += chunk.length;
          res.write(chunk);
          return;
        }
        res.write(chunk.subarray(0, opts.cutAfter - sent));
        answer.destroy();
        // (after the bytes went out: the client reads them, then the connection ends)
        setTimeout(() => res.socket?.destroy(), 50);
      });
      answer.on("end", () => res.end());
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server };
}

describe("tradeapi call xele: row answers printed as they arrive", () => {
  it("an element of the array as JSON.stringify(list, null, 2) writes it", () => {
    const rows = [{ a: 1, b: "x\ny", c: { d: [1, 2] } }, { e: 12345678901234567891n }, {}, []];
    expect(`[\n${rows.map(arrayItemText).join(",\n")}\n]`).toBe(stringifyJson(rows, 2));
  });

  it("the same bytes as the whole answer printed at once: every row operation, rows in result or body, none, one, thousands", async () => {
    const cases: Array<[op: string, args: string[], data?: unknown]> = [
      ...Object.keys(XELE_ROW_SCHEMAS).map((op): [string, string[]] => [op, []]),
      ["queryOrders", ['investor_id=["777001"]'], { investor_id: ["777001"] }],
      ["queryOrders", ['investor_id=["nobody"]'], { investor_id: ["nobody"] }],
    ];
    mock.settings.orders = 2500;
    try {
      for (const rowsIn of ["result", "body"] as const) {
        mock.settings.pipeRowsIn = rowsIn;
        for (const [op, args, data] of cases) {
          const expected = await wholeText(op, data);
          const r = await cli(["call", "xele", op, ...args]);
          expect([r.code, r.stderr], `${op} ${args} ${rowsIn}`).toEqual([0, ""]);
          expect(r.stdout === expected, `${op} ${args} ${rowsIn}`).toBe(true);
          const file = join(dir, `${op}.json`);
          const saved = await cli(["call", "xele", op, ...args, "--output", file]);
          expect(saved.stdout).toBe(`${stringifyJson({ savedTo: file, bytes: Buffer.byteLength(expected) })}\n`);
          expect((await readFile(file, "utf8")) === expected, `${op} --output`).toBe(true);
        }
      }
      // (the cases cover none, one, and a streamed answer of thousands)
      expect(await wholeText("queryOrders", { investor_id: ["nobody"] })).toBe("[]\n");
      expect((await cli(["call", "xele", "queryOrders", 'investor_id=["777001"]'])).stdout).toMatch(/^\[\n  \{\n    "InvestorId": "777001",[^]*"ExchangeOrderId": \d{20},[^]*\n  \}\n\]\n$/);
    } finally {
      mock.settings.orders = 3;
      mock.settings.pipeRowsIn = "result";
    }
    expect(await readdir(dir)).toEqual(expect.not.arrayContaining([expect.stringMatching(/\.tmp$/)]));
  });

  it("stdout's backpressure: one write at a time, each waited for, in batches", async () => {
    mock.settings.orders = 3000;
    try {
      const expected = await wholeText("queryOrders");
      let text = "";
      let writing = 0;
      let most = 0;
      const pieces: number[] = [];
      const stdoutWrite = async (t: string) => {
        most = Math.max(most, ++writing);
        pieces.push(t.length);
        await new Promise((r) => setTimeout(r, 2));
        text += t;
        writing--;
      };
      const r = await cli(["call", "xele", "queryOrders"], undefined, { stdoutWrite });
      expect([r.code, r.stdout, r.stderr]).toEqual([0, "", ""]);
      expect(text === expected).toBe(true);
      expect(most).toBe(1);
      expect(pieces.length).toBeGreaterThan(10);
      expect(Math.max(...pieces)).toBeLessThan(80 * 1024);
    } finally {
      mock.settings.orders = 3;
    }
  });

  it("an answer cut after its first rows: those rows, a line break, no closing ]; the error on stderr, exit 1; --output leaves no file, or the old one", async () => {
    mock.settings.orders = 3000;
    const front = await frontOfMs({ cutAfter: 200_000 });
    try {
      const full = await wholeText("queryOrders");
      const r = await cli(["call", "xele", "queryOrders"], front.url);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^tradeapi: error: xele queryOrders: .+\n$/);
      expect(r.stdout.length).toBeGreaterThan(10_000);
      expect(r.stdout.endsWith("}\n")).toBe(true);
      // The rows printed are the answer's first rows, whole.
      expect(full.startsWith(r.stdout.slice(0, -1))).toBe(true);
      expect(() => JSON.parse(r.stdout) as unknown).toThrow();
      const file = join(dir, "cut.json");
      const cut = await cli(["call", "xele", "queryOrders", "--output", file], front.url);
      expect([cut.code, cut.stdout]).toEqual([1, ""]);
      expect(cut.stderr).toBe(r.stderr);
      await expect(readFile(file)).rejects.toThrow(/ENOENT/);
      await writeFile(file, "before\n");
      expect((await cli(["call", "xele", "queryOrders", "--output", file], front.url)).code).toBe(1);
      expect(await readFile(file, "utf8")).toBe("before\n");
      expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    } finally {
      front.server.close();
      mock.settings.orders = 3;
    }
  });

  it("a transient failure before the first row is retried, as the whole call was (503, then the answer)", async () => {
    const front = await frontOfMs({ failFirst: 1 });
    try {
      const r = await cli(["call", "xele", "getPositions"], front.url);
      expect([r.code, r.stderr]).toEqual([0, ""]);
      expect(r.stdout).toBe(await wholeText("getPositions"));
      // Not retried for ever: exit 1 naming the 503, nothing printed.
      const down = await frontOfMs({ failFirst: 100 });
      try {
        const failed = await cli(["call", "xele", "getPositions"], down.url);
        expect([failed.code, failed.stdout]).toEqual([1, ""]);
        expect(failed.stderr).toMatch(/: after 3 attempts: HTTP 503/);
      } finally {
        down.server.close();
      }
    } finally {
      front.server.close();
    }
  });

  it("a write that fails stops reading the rows and is the error", async () => {
    let reads = 0;
    async function* rows() {
      for (;;) {
        reads++;
        yield { n: reads, pad: "x".repeat(1000) };
      }
    }
    await expect(printJsonRows(rows(), () => Promise.reject(new Error("disk full")))).rejects.toThrow("disk full");
    expect(reads).toBeLessThan(200);
  });

  it("a write that fails on the timer's flush (rows coming slowly) stops the reading at the next row", async () => {
    let reads = 0;
    async function* rows() {
      for (let i = 0; i < 40; i++) {
        reads++;
        yield { n: reads };
        // (slower than the 50 ms flush: each row is written by the timer)
        await new Promise((r) => setTimeout(r, 80));
      }
    }
    await expect(printJsonRows(rows(), () => Promise.reject(new Error("disk full")))).rejects.toThrow("disk full");
    // (it read on for all 40 rows, 3 s, when only a full batch or the end wrote what failed)
    expect(reads).toBeLessThanOrEqual(3);
  });

  it("a large answer streams through a heap far smaller than it: 30 000 orders under --max-old-space-size=64", async () => {
    // Held whole, these 30 000 rows (22 MB of JSON) took more than 96 MB of heap and the process died.
    const big = await startXeleMock({ orders: 30_000 });
    try {
      const child = spawn(process.execPath, ["--max-old-space-size=64", "--import", "tsx", "src/cli/main-entry.ts", "call", "xele", "queryOrders", "--timeout", "60000"], {
        cwd: ROOT,
        env: { ...process.env, ...env(big.msUrl), XELE_MA_URL: big.maUrl },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const hash = createHash("sha256");
      let bytes = 0;
      let head = "";
      let tail = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => {
        hash.update(d);
        bytes += d.length;
        if (head.length < 100) head += d.toString("latin1");
        tail = (tail + d.toString("latin1")).slice(-100);
      });
      child.stderr.on("data", (d: Buffer) => void (stderr += d));
      const code = await new Promise<number | null>((r) => child.on("close", r));
      expect([code, stderr]).toEqual([0, ""]);
      expect(head.startsWith('[\n  {\n    "InvestorId": ')).toBe(true);
      expect(tail.endsWith("\n  }\n]\n")).toBe(true);
      expect(bytes).toBeGreaterThan(20_000_000);
      // (and every byte the one the whole answer printed at once would be)
      expect(hash.digest("hex")).toBe(createHash("sha256").update(await wholeText("queryOrders", undefined, big)).digest("hex"));
    } finally {
      await big.close();
    }
  }, 60_000);
});
