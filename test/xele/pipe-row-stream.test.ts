import { describe, expect, it } from "vitest";
import { meta } from "../../generated/xele-mgmt.docs.js";
import { AuthError, ResponseTooLargeError, TimeoutError, UsageError } from "../../src/handwritten/core/errors.js";
import { decodePipeRowStream } from "../../src/handwritten/xele/pipe-row-stream.js";
import { decodePipeRows, PipeRowsError, type PipeRowsLayout } from "../../src/handwritten/xele/pipe-rows.js";
import { pipeRowsOf } from "../../src/handwritten/xele/spec-info.js";
import { bytesIn, iterate } from "../helpers/chunks.js";

const layoutOf = (id: string): PipeRowsLayout => pipeRowsOf(meta.operations.find((o) => o.operationId === id)!)!;
const ALARMS = layoutOf("getAlarmRecords");
const HISTORY = layoutOf("getOrderHistory");

const ALARM_TEXT = [
  "MS,PrcAlarmQry,1.0.3,9,3,ExchangeId|InvestorId|InvestorName|ProductId|InstrumentId|PrcType|CurPrcValue|PrcState|UpdateTime",
  'SHFE|777001|张三 "Zhang", 😀|au|au2212|CancelLimitByPro|2700|告警|2025-10-13 10:11:25.123',
  "SHFE|777002|back\\slash|ag|ag2212|OpenLimit|950|严重|2025-10-13 10:12:01.004",
  "INE|777003|tab\there|sc|sc2301|OpenLimit||告警|2025-10-13 10:13:00.000",
].join("\n");

function readable(chunks: Uint8Array[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
    cancel() {
      onCancel?.();
    },
  });
}

async function collect(body: AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>, layout: PipeRowsLayout) {
  const rows: Array<Record<string, unknown>> = [];
  let error: unknown;
  try {
    for await (const row of decodePipeRowStream(body, { layout })) rows.push(row.toJSON());
  } catch (e) {
    error = e;
  }
  return { rows, error };
}

const expected = decodePipeRows(ALARM_TEXT, { layout: ALARMS }).map((r) => r.toJSON());

describe("decodePipeRowStream gives what decodePipeRows gives, whatever the chunking", () => {
  const envelope = JSON.stringify({ code: 0, msg: "成功", result: ALARM_TEXT });
  const escaped = envelope.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const forms = [
    { name: "raw body", text: ALARM_TEXT },
    { name: "raw body, CRLF and a trailing newline", text: `${ALARM_TEXT.replace(/\n/g, "\r\n")}\r\n` },
    { name: "JSON envelope", text: envelope },
    { name: "JSON envelope, everything \\u-escaped (surrogate pairs too)", text: escaped },
    { name: "JSON envelope with members around result and whitespace", text: `  {"code" : 0 , "result": ${JSON.stringify(ALARM_TEXT)}, "extra": {"a": [1, "}\\""]}, "msg":"成功"}  ` },
    { name: "JSON envelope, result as an array of lines", text: JSON.stringify({ code: 0, msg: "成功", result: ALARM_TEXT.split("\n") }) },
  ];
  describe.each(forms)("$name", ({ text }) => {
    it.each([1, 2, 3, 7, 64, 100_000])("chunks of %i bytes", async (size) => {
      const { rows, error } = await collect(iterate(bytesIn(text, size)), ALARMS);
      expect(error).toBeUndefined();
      expect(rows).toEqual(expected);
    });
  });

  it("reads a ReadableStream (fetch's response.body) and string chunks too", async () => {
    expect((await collect(readable(bytesIn(ALARM_TEXT, 5)), ALARMS)).rows).toEqual(expected);
    expect((await collect(iterate([ALARM_TEXT.slice(0, 50), ALARM_TEXT.slice(50)]), ALARMS)).rows).toEqual(expected);
  });
});

describe("errors in a stream", () => {
  it("a truncated stream yields the rows it carried, then throws (never looks complete)", async () => {
    const cut = ALARM_TEXT.split("\n").slice(0, 3).join("\n");
    const { rows, error } = await collect(iterate(bytesIn(cut, 16)), ALARMS);
    expect(rows).toHaveLength(2);
    expect(error).toBeInstanceOf(PipeRowsError);
    expect((error as Error).message).toMatch(/truncated: the header announces 3 rows but the answer ends after 2/);
  });

  it("a stream cut inside a row throws on that row", async () => {
    const { rows, error } = await collect(iterate(bytesIn(ALARM_TEXT.slice(0, -40), 16)), ALARMS);
    expect(rows).toHaveLength(2);
    expect((error as PipeRowsError).line).toBe(4);
    expect((error as Error).message).toMatch(/the answer looks truncated/);
  });

  it("a cut JSON envelope throws after its rows", async () => {
    const env = JSON.stringify({ code: 0, msg: "成功", result: ALARM_TEXT });
    const { error } = await collect(iterate(bytesIn(env.slice(0, -2), 16)), ALARMS);
    expect(error).toBeInstanceOf(PipeRowsError);
  });

  it("an error envelope is the ApiError from the table, with no rows", async () => {
    const { rows, error } = await collect(iterate(bytesIn('{"code":109,"msg":"无效token"}', 4)), ALARMS);
    expect(rows).toEqual([]);
    expect(error).toBeInstanceOf(AuthError);
  });

  it("a malformed row stops the stream before it is yielded", async () => {
    const { rows, error } = await collect(iterate(bytesIn("60|10|50|0\n61|x|50|0\n62|10|50|0", 3)), HISTORY);
    expect(rows).toHaveLength(1);
    expect((error as PipeRowsError).problem).toBe("value");
    expect((error as PipeRowsError).line).toBe(2);
  });

  it("stopping early cancels the body (the connection is not drained)", async () => {
    let cancelled = false;
    const body = readable(bytesIn("60|10|50|0\n".repeat(10_000), 64), () => (cancelled = true));
    for await (const _row of decodePipeRowStream(body, { layout: HISTORY })) break;
    expect(cancelled).toBe(true);
  });

  it("a charset this runtime cannot decode releases the body unread (a generator not yet started too, a ReadableStream) and names the operation", async () => {
    const context = { api: "xele", operation: "getOrderHistory" };
    let finished = false;
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) yield new TextEncoder().encode("60|10|50|0\n");
      } finally {
        finished = true;
      }
    }
    let cancelled = false;
    for (const source of [body(), readable(bytesIn("60|10|50|0\n", 64), () => (cancelled = true))]) {
      const error = await (async () => {
        for await (const _row of decodePipeRowStream(source, { layout: HISTORY, charset: "x-no-such-charset", context }));
      })().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(PipeRowsError);
      expect((error as PipeRowsError).problem).toBe("encoding");
      expect((error as Error).message).toBe('xele getOrderHistory: "|" row answer: unknown charset "x-no-such-charset" in the answer\'s Content-Type');
    }
    expect(finished).toBe(true);
    expect(cancelled).toBe(true);
  });

  it("lineTimeoutMs: bytes that complete no line for longer are a TimeoutError (rows before it yielded); a bad value is a UsageError", async () => {
    async function* trickle(): AsyncGenerator<string> {
      yield `${ALARM_TEXT.split("\n").slice(0, 2).join("\n")}\nSHFE|`;
      for (;;) {
        await new Promise((r) => setTimeout(r, 10));
        yield "7";
      }
    }
    const got: unknown[] = [];
    const read = async (lineTimeoutMs: unknown) => {
      for await (const row of decodePipeRowStream(trickle(), { layout: ALARMS, lineTimeoutMs: lineTimeoutMs as number, context: { api: "xele", operation: "getAlarmRecords" } })) got.push(row.InvestorId);
    };
    const e = await read(80).catch((x: unknown) => x);
    expect(got).toEqual(["777001"]);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as Error).message).toBe("xele getAlarmRecords: no row within 80 ms while the answer kept sending bytes (a server that trickles): not read further");
    for (const bad of [-1, "80", Number.NaN]) await expect(read(bad)).rejects.toThrow(UsageError);
    // Whitespace is no progress: blank lines or spaces trickled before the header or after rows.
    for (const [first, drip] of [["", "\n"], ["", " "], [`${ALARM_TEXT.split("\n").slice(0, 2).join("\n")}\n`, "\n"], [`${ALARM_TEXT.split("\n").slice(0, 2).join("\n")}\n`, " "]] as const) {
      async function* blank(): AsyncGenerator<string> {
        if (first) yield first;
        for (;;) {
          await new Promise((r) => setTimeout(r, 10));
          yield drip;
        }
      }
      const started = performance.now();
      const e2 = await (async () => {
        for await (const _ of decodePipeRowStream(blank(), { layout: ALARMS, lineTimeoutMs: 80 })) void _;
      })().catch((x: unknown) => x);
      expect(e2, JSON.stringify([first.length, drip])).toBeInstanceOf(TimeoutError);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });

  it("an endless line, blank lead or envelope member is a ResponseTooLargeError at maxHeldChars, rows before it yielded", async () => {
    /** A body of `head`, then `piece` in 64 KiB chunks up to 4× the limit ("forever" to the reader, which must stop first). */
    const endless = (head: string, piece: string) => {
      let sent = 0;
      const body = (async function* () {
        yield new TextEncoder().encode(head);
        const chunk = new TextEncoder().encode(piece.repeat(Math.ceil(65_536 / piece.length)));
        while (sent < 4 * max) {
          sent += chunk.length;
          yield chunk;
        }
      })();
      return { body, sent: () => sent };
    };
    const max = 1_000_000;
    for (const [head, piece, rows] of [
      ["60|10|50|0\n61|10|50|0\n", "7", 2], // raw rows: one line that never ends
      ["", " ", 0], // blanks before the first character
      ['{"code":0,"msg":"', "x", 0], // an envelope member that never ends
      ['{"code":0,"msg":"ok","result":"60|10|50|0\\n', "9", 1], // the result's unfinished line
    ] as const) {
      const { body, sent } = endless(head, piece);
      const got: unknown[] = [];
      let error: unknown;
      try {
        for await (const row of decodePipeRowStream(body, { layout: HISTORY, maxHeldChars: max })) got.push(row);
      } catch (e) {
        error = e;
      }
      expect(got, head).toHaveLength(rows);
      expect(error, head).toBeInstanceOf(ResponseTooLargeError);
      expect((error as Error).message).toContain("longer than 1000000 characters");
      expect((error as ResponseTooLargeError).maxResponseBytes).toBe(max);
      expect(sent()).toBeLessThan(max + 200_000);
    }
    // Members without end, each small and new: what the envelope holds counts them all.
    const members = (async function* () {
      yield '{"code":0';
      for (let i = 0; i < (4 * max) / 100; i++) yield `,"m${i}":"${"v".repeat(100)}"`;
    })();
    await expect(
      (async () => {
        for await (const _ of decodePipeRowStream(members, { layout: HISTORY, maxHeldChars: max })) void _;
      })(),
    ).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it("a member name with escapes (\\\" and \\\\) is read the same whatever the chunk it is cut at", async () => {
    const result = JSON.stringify("60|10|50|0\n61|10|50|0");
    for (const name of ['x\\"y', "x\\\\", 'x\\\\\\"y', '\\"', "\\\\\\\\"]) {
      const text = `{"code":0,"${name}":1,"result":${result}}`;
      const whole = await collect(iterate([text]), HISTORY);
      expect(whole.error, text).toBeUndefined();
      expect(whole.rows, text).toHaveLength(2);
      for (let cut = 1; cut < text.length; cut++) {
        expect(await collect(iterate([text.slice(0, cut), text.slice(cut)]), HISTORY), `${text} cut at ${cut}`).toEqual(whole);
      }
      expect(await collect(iterate([...text]), HISTORY), `${text} in chunks of one character`).toEqual(whole);
    }
  });

  it("blank lines before the rows are not held: millions of them in an envelope's result leave the heap as it was", async () => {
    const lines = 16_000_000;
    const escapes = new TextEncoder().encode("\\n".repeat(32_768));
    let peak = 0;
    const heap = () => process.memoryUsage().heapUsed;
    const base = heap();
    const body = (async function* () {
      yield '{"code":0,"msg":"ok","result":"';
      for (let sent = 0; sent < lines; sent += 32_768) {
        yield escapes;
        peak = Math.max(peak, heap() - base);
      }
      yield '60|10|50|0"}';
    })();
    let error: unknown;
    try {
      for await (const _ of decodePipeRowStream(body, { layout: HISTORY })) void _;
    } catch (e) {
      error = e;
    }
    // What decodePipeRows says of the same answer: an answer does not start with an empty line.
    expect(error).toBeInstanceOf(PipeRowsError);
    expect((error as Error).message).toBe('"|" row answer: line 1: empty line inside the answer');
    // Holding each line (an array of 16 million) took 400 MB; some 110 million were a V8 fatal error.
    expect(peak).toBeLessThan(96_000_000);
  });

  it("whitespace lines that are rows (a layout of one text column) count toward maxHeldChars until the first line with text", async () => {
    const columns = [{ name: "note", type: "string" }];
    const run = async (text: string, maxHeldChars: number) => {
      const rows: unknown[] = [];
      try {
        const body = iterate(bytesIn(JSON.stringify({ code: 0, result: text }), 7));
        for await (const r of decodePipeRowStream(body, { columns, maxHeldChars })) rows.push(r.toJSON());
        return { rows };
      } catch (error) {
        return { rows, error };
      }
    };
    const text = ` \n\n \t\n${"\n".repeat(3000)}text\n`;
    const whole = decodePipeRows(text, { columns }).map((r) => r.toJSON());
    expect(whole).toHaveLength(3004);
    expect(await run(text, 10_000)).toEqual({ rows: whole });
    const over = await run(text, 2_000);
    expect(over.rows).toEqual([]);
    expect(over.error).toBeInstanceOf(ResponseTooLargeError);
    // Whitespace only: no rows, and nothing held past the limit either.
    expect(await run(" \n".repeat(3000), 10_000)).toEqual({ rows: [] });
  });

  it("a layout of one column: empty lines at the end are line breaks, empty lines before a row are rows of an empty cell, in both decoders (\\n or \\r\\n, with or without a header)", async () => {
    const columns = [{ name: "InvestorId", type: "string" }];
    const header = (rows: number) => `MS,OrderQry,1.0.3,1,${rows},InvestorId\n`;
    const cases: Array<[text: string, rows: string[]]> = [
      ["777001\n\n", ["777001"]],
      ["777001\r\n\r\n", ["777001"]],
      ["777001\n\r\n\n\r", ["777001"]],
      [`${header(1)}777001\n\n`, ["777001"]],
      [`${header(1)}777001\r\n\r\n\r\n`, ["777001"]],
      ["777001\n\n777002\n\n", ["777001", "", "777002"]],
      [`${header(3)}777001\r\n\r\n777002\r\n\r\n`, ["777001", "", "777002"]],
      // A line of "\r\r" loses one "\r" (its line break's): a row holding "\r".
      ["777001\r\r\n", ["777001\r"]],
    ];
    for (const [text, want] of cases) {
      const rows = want.map((InvestorId) => ({ InvestorId }));
      expect(decodePipeRows(text, { columns }).map((r) => r.toJSON()), JSON.stringify(text)).toEqual(rows);
      for (const size of [1, 2, 5, 1000]) {
        const streamed: unknown[] = [];
        for await (const r of decodePipeRowStream(iterate(bytesIn(text, size)), { columns })) streamed.push(r.toJSON());
        expect(streamed, `${JSON.stringify(text)} in chunks of ${size}`).toEqual(rows);
      }
    }
  });

  it("whitespace before the first character is searched once: the time grows with its length, not its square", async () => {
    const columns = [
      { name: "a", type: "string" },
      { name: "b", type: "string" },
    ];
    const spaces = new Uint8Array(4096).fill(32);
    const time = async (bytes: number) => {
      let best = Infinity;
      for (let k = 0; k < 2; k++) {
        const body = (async function* () {
          for (let sent = 0; sent < bytes; sent += spaces.length) yield spaces;
          yield "a|b\n";
        })();
        const t = performance.now();
        let rows = 0;
        for await (const _ of decodePipeRowStream(body, { columns })) rows++;
        best = Math.min(best, performance.now() - t);
        expect(rows).toBe(1);
      }
      return best;
    };
    const small = await time(1 << 20);
    const large = await time(8 << 20);
    // 8× the text: 8× the time, give or take; searching all of it again at each chunk was 64× (seconds).
    expect(large).toBeLessThan(24 * small + 30);
  });

  it("only the body's first character is dropped as a BOM, however the chunks come (as decodePipeRows)", async () => {
    const columns = [
      { name: "a", type: "string" },
      { name: "b", type: "string" },
    ];
    for (const text of ["\uFEFF\uFEFFa|b\n", "\uFEFF \uFEFFa|b\n", "\uFEFFa|b\n"]) {
      const whole = decodePipeRows(text, { columns }).map((r) => r.toJSON());
      for (const chunks of [[text], [...text], ["", ...text], [text.slice(0, 1), text.slice(1)]]) {
        const rows: unknown[] = [];
        for await (const r of decodePipeRowStream(iterate(chunks), { columns })) rows.push(r.toJSON());
        expect(rows, JSON.stringify(chunks)).toEqual(whole);
      }
    }
  });

  it("whitespace JSON does not allow before the envelope (U+00A0, U+2028, a second BOM) is refused, as decodePipeRows refuses it", async () => {
    const envelope = JSON.stringify({ code: 0, result: "60|10|50|0" });
    for (const before of ["\u00A0", "\u2028", " \u3000\n", "\uFEFF\uFEFF", "\t\u2029"]) {
      const text = `${before}${envelope}`;
      let buffered: unknown;
      try {
        decodePipeRows(text, { layout: HISTORY });
      } catch (e) {
        buffered = e;
      }
      expect(buffered, JSON.stringify(before)).toBeInstanceOf(PipeRowsError);
      expect(buffered).toMatchObject({ problem: "envelope" });
      for (const chunks of [[text], [...text]]) {
        const { rows, error } = await collect(iterate(chunks), HISTORY);
        expect(rows).toEqual([]);
        expect(error, JSON.stringify(before)).toBeInstanceOf(PipeRowsError);
        expect((error as Error).message).toBe((buffered as Error).message);
      }
    }
  });

  it("an empty body yields nothing", async () => {
    expect((await collect(iterate([] as Uint8Array[]), HISTORY)).rows).toEqual([]);
    expect((await collect(iterate(bytesIn('{"code":0,"msg":"成功","result":""}', 3)), HISTORY)).rows).toEqual([]);
  });
});
