/**
 * Fuzzing the "|" row decoders (buffered `decodePipeAnswer` and streaming `decodePipeRowStream`)
 * against a small reference decoder written from the spec's rules (header line, field counts,
 * integer and decimal cells, row count, envelope). For every generated answer — well-formed ones and
 * mutated ones (truncated, characters dropped or inserted, a cell replaced, lines dropped or
 * repeated, wrong counts, broken envelopes, GBK bytes) — a decoder must either decode exactly
 * what the reference decodes or, when the reference calls the answer malformed, throw a typed
 * error: `PipeRowsError`, or the `ApiError` for a non-zero envelope code. No silent passes.
 * Fixed seeds; the seed and the failing answer are printed on failure.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meta } from "../../generated/xele-mgmt.docs.js";
import { ApiError } from "../../src/handwritten/core/errors.js";
import { decodePipeRowStream } from "../../src/handwritten/xele/pipe-row-stream.js";
import { columnSets, decodePipeAnswer, PipeRowsError, type PipeColumn, type PipeRowsLayout } from "../../src/handwritten/xele/pipe-rows.js";
import { pipeRowsOf } from "../../src/handwritten/xele/spec-info.js";
import { fcSeed } from "../helpers/fc-seed.js";

const layoutOf = (id: string): PipeRowsLayout => pipeRowsOf(meta.operations.find((o) => o.operationId === id)!)!;
const LAYOUTS = new Map(["getAlarmRecords", "queryOrders", "getPositions", "getInvestorRates", "getOrderHistory"].map((id) => [id, layoutOf(id)]));
// A deeper local run: PIPE_FUZZ_RUNS=100000 PIPE_FUZZ_SEED=7 npx vitest run test/xele/pipe-rows-fuzz.test.ts
const RUNS = Number(process.env.PIPE_FUZZ_RUNS ?? 1_000);
const SEED = Number(process.env.PIPE_FUZZ_SEED ?? 11_042_026);

// ---- the reference decoder (spec rules, written plainly) ----

type Verdict = { ok: true; rows: Array<Record<string, unknown>> } | { ok: false; error: "format" | "api" };
const MALFORMED: Verdict = { ok: false, error: "format" };

function refValue(type: string | undefined, cell: string): unknown {
  if (type !== "int" && type !== "int64" && type !== "decimal") return cell;
  if (cell === "") return null;
  if (type === "decimal") return cell;
  const big = BigInt(cell);
  return big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER) ? big : Number(big);
}

function refText(answer: string): string | Verdict {
  const text = answer.startsWith("\uFEFF") ? answer.slice(1) : answer;
  if (!/^\s*\{/.test(text)) return text;
  let env: unknown;
  try {
    env = JSON.parse(text);
  } catch {
    return MALFORMED;
  }
  if (!env || typeof env !== "object" || Array.isArray(env) || !("code" in env)) return MALFORMED;
  const { code, result } = env as Record<string, unknown>;
  if (code === null) return MALFORMED;
  if (String(code) !== "0") return { ok: false, error: "api" };
  if (result === undefined || result === null) return "";
  if (typeof result === "string") return result;
  if (Array.isArray(result) && result.every((l) => typeof l === "string")) return result.join("\n");
  return MALFORMED;
}

function reference(answer: string, layout: PipeRowsLayout): Verdict {
  const text = refText(answer);
  if (typeof text !== "string") return text;
  const body = text.replace(/\n+$/, "");
  if (body.trim() === "") return { ok: true, rows: [] };
  const lines = body.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  let cols: Array<{ name: string; type?: string }> | null = null;
  let announced = -1;
  if (lines[0]!.startsWith("MS,")) {
    const parts = lines.shift()!.split(",");
    if (parts.length < 6 || !/^\d+$/.test(parts[3]!) || !/^\d+$/.test(parts[4]!)) return MALFORMED;
    const fields = parts.slice(5).join(",").split("|");
    if (Number(parts[3]) !== fields.length) return MALFORMED;
    if (layout.kind && layout.kindDocumented !== false && parts[1] !== layout.kind) return MALFORMED;
    const spec = (f: string): PipeColumn | undefined => layout.columns.find((c) => c.name === f) ?? layout.columns.find((c) => c.aliases?.includes(f));
    cols = fields.map((f) => ({ name: spec(f)?.name ?? f, type: spec(f)?.type }));
    if (fields.some((f) => f === "" || f === "toJSON" || Object.hasOwn(Object.prototype, f))) return MALFORMED;
    if (new Set(fields).size !== fields.length || new Set(cols.map((c) => c.name)).size !== cols.length) return MALFORMED;
    announced = Number(parts[4]);
  }
  // Blank lines: allowed only at the very end (already trimmed) — and a header-only answer.
  const rows: Array<Record<string, unknown>> = [];
  const blank = lines.findIndex((l) => l === "");
  if (blank !== -1 && lines.slice(blank).some((l) => l !== "")) return MALFORMED;
  for (const line of lines) {
    if (line === "") continue;
    const cells = line.split("|");
    if (!cols) {
      const sets = columnSets(layout.columns);
      const set = sets.find((s) => s.length === cells.length) ?? (sets.length === 1 ? sets[0] : undefined);
      if (!set) return MALFORMED;
      cols = set;
    }
    if (cells.length !== cols.length) return MALFORMED;
    const row: Record<string, unknown> = {};
    for (let i = 0; i < cols.length; i++) {
      const { name, type } = cols[i]!;
      if ((type === "int" || type === "int64") && !/^(-?[0-9]+)?$/.test(cells[i]!)) return MALFORMED;
      // Decimal text as the vendor's document writes it ("101.0003"), or nothing (null).
      if (type === "decimal" && !/^(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)?$/.test(cells[i]!)) return MALFORMED;
      row[name] = refValue(type, cells[i]!);
      // An int column is typed number: past ±(2^53 - 1) it is an error, not a bigint.
      if (type === "int" && typeof row[name] === "bigint") return MALFORMED;
    }
    rows.push(row);
  }
  if (announced >= 0 && announced !== rows.length) return MALFORMED;
  return { ok: true, rows };
}

// ---- generated answers ----

const INT_CELLS = ["", "0", "7", "-12", "1024", "007", "9007199254740991", "-9007199254740991", "0000000000000000000042"];
const INT64_CELLS = [...INT_CELLS, "9007199254740993", "-9007199254740993", "12345678901234567890", "18446744073709551615"];
const DEC_CELLS = ["", "400.5000", "-0.1", "0.10000000", "0", "-0", "101.0003", "80100.0000", "12345678901234567890.000000000000000000001", "5e-05", "1.5E+10", "-2e3"];
/** What a decimal cell must not be (each was passed through as a decimal before decimal cells were checked). */
const NOT_DECIMAL = ["1e", "1E+", "e5", "1.e5", "+1", ".5", "5.", "-", "--5", "1.2.3", "0x10", "NaN", "Infinity", " 5", "5 ", "abc"];
const STR_ALPHABET = ["a", "Z", "正", "常", " ", ",", '"', "'", "\\", "-", "1", "é", "😀", "\t", "MS", "/", "{", "}"];

const cell = (type: string | undefined) =>
  type === "int" ? fc.constantFrom(...INT_CELLS) : type === "int64" ? fc.constantFrom(...INT64_CELLS) : type === "decimal" ? fc.constantFrom(...DEC_CELLS) : fc.array(fc.constantFrom(...STR_ALPHABET), { maxLength: 6 }).map((a) => a.join(""));

/** A well-formed answer text for a layout (header or not, rows per the chosen columns). */
const wellFormed = (layout: PipeRowsLayout) =>
  fc
    .record({
      setIndex: fc.nat(),
      header: fc.boolean(),
      alias: fc.boolean(),
      unknown: fc.boolean(),
      nRows: fc.integer({ min: 0, max: 5 }),
      crlf: fc.boolean(),
      trailing: fc.constantFrom("", "\n", "\r\n", "\n\n"),
    })
    .chain((o) => {
      const sets = columnSets(layout.columns);
      let cols: Array<{ name: string; type?: string; aliases?: readonly string[] }> = o.header ? layout.columns.slice() : sets[o.setIndex % sets.length]!;
      if (o.header && o.unknown) cols = [...cols, { name: "NewColumn" }];
      const row = fc.tuple(...cols.map((c) => cell(c.type))).map((cells) => cells.join("|"));
      return fc.array(row, { minLength: o.nRows, maxLength: o.nRows }).map((rows) => {
        const names = cols.map((c) => (o.alias && c.aliases?.[0]) || c.name);
        const head = `MS,${layout.kind ?? "AlarmQry"},1.0.3,${cols.length},${rows.length},${names.join("|")}`;
        const lines = o.header ? [head, ...rows] : rows;
        return lines.join(o.crlf ? "\r\n" : "\n") + (lines.length ? o.trailing : "");
      });
    });

const INSERTS = ["|", "\n", "\r", "-", "x", "5", " ", ",", "\n\n", "|7"];

/** Mutations of the "|" text. */
const mutateText = (text: string) =>
  fc.oneof(
    fc.constant(text),
    fc.nat({ max: Math.max(text.length, 1) }).map((n) => text.slice(0, n)),
    fc.nat({ max: Math.max(text.length, 1) }).map((n) => text.slice(0, n) + text.slice(n + 1)),
    fc.tuple(fc.nat({ max: text.length }), fc.constantFrom(...INSERTS)).map(([n, s]) => text.slice(0, n) + s + text.slice(n)),
    // An integer cell replaced by text ("TRUNCATED|77"), or by an integer past 2^53 (an error in an int column).
    fc.tuple(fc.nat(), fc.constantFrom("TRUNCATED", "99999999999999999999")).map(([n, by]) => {
      const m = [...text.matchAll(/(^|\|)(-?\d+)(?=\||\r?\n|$)/gm)];
      if (m.length === 0) return text;
      const hit = m[n % m.length]!;
      const at = hit.index + hit[1]!.length;
      return text.slice(0, at) + by + text.slice(at + hit[2]!.length);
    }),
    // A decimal cell ("400.5000") replaced by text that is no decimal.
    fc.tuple(fc.nat(), fc.constantFrom(...NOT_DECIMAL)).map(([n, by]) => {
      const m = [...text.matchAll(/(^|\|)(-?\d+\.\d+)(?=\||\r?\n|$)/gm)];
      if (m.length === 0) return text;
      const hit = m[n % m.length]!;
      const at = hit.index + hit[1]!.length;
      return text.slice(0, at) + by + text.slice(at + hit[2]!.length);
    }),
    // A line dropped or repeated.
    fc.tuple(fc.nat(), fc.boolean()).map(([n, repeat]) => {
      const lines = text.split("\n");
      const i = n % lines.length;
      lines.splice(i, repeat ? 0 : 1, ...(repeat ? [lines[i]!] : []));
      return lines.join("\n");
    }),
    // The header's row or column count changed.
    fc.integer({ min: -2, max: 2 }).map((d) => text.replace(/^(MS,[^,]*,[^,]*,)(\d+),(\d+)/, (_, p, c, r) => `${p}${c},${Math.max(0, Number(r) + d)}`)),
    fc.integer({ min: -2, max: 2 }).map((d) => text.replace(/^(MS,[^,]*,[^,]*,)(\d+)/, (_, p, c) => `${p}${Math.max(0, Number(c) + d)}`)),
  );

/** The answer as sent: raw text, or a JSON envelope (result string or lines), possibly broken. */
const wrap = (text: string) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(text) },
    { weight: 2, arbitrary: fc.constantFrom(0, "0").map((code) => JSON.stringify({ code, msg: "操作成功", result: text })) },
    { weight: 1, arbitrary: fc.constant(JSON.stringify({ code: 0, result: text.split("\n") })) },
    { weight: 1, arbitrary: fc.constantFrom(1001, "-1", 9999).map((code) => JSON.stringify({ code, msg: "无效的token", result: text })) },
    { weight: 1, arbitrary: fc.constantFrom("{}", '{"foo":1}', '{"result":"a|b"}', '{"code":0,"result":5}', '{"code":0,"result":[1]}', '{"code":0}', '{"code":0,"result":null}', "  {} ") },
    {
      weight: 2,
      // A broken envelope text: cut, or a character dropped or inserted.
      arbitrary: fc
        .tuple(fc.nat(), fc.constantFrom("cut", "drop", ",", "}", "\n", "\\", '"', " ", "0", "]"))
        .map(([n, how]) => {
          const env = JSON.stringify({ code: 0, msg: "ok", result: text });
          const at = n % (env.length + 1);
          return how === "cut" ? env.slice(0, at) : how === "drop" ? env.slice(0, at) + env.slice(at + 1) : env.slice(0, at) + how + env.slice(at);
        }),
    },
  );

/** `{ id, answer }`: the operation (its layout) and the answer text. */
const answers = fc
  .constantFrom(...LAYOUTS.keys())
  .chain((id) => wellFormed(LAYOUTS.get(id)!).chain(mutateText).chain(wrap).map((answer) => ({ id, answer })));

function describeCase(c: { id: string; answer: string }): string {
  return `${c.id}: ${JSON.stringify(c.answer.length > 600 ? `${c.answer.slice(0, 600)}…` : c.answer)}`;
}

function expectVerdict(got: { rows?: Array<Record<string, unknown>>; error?: unknown }, want: Verdict, c: { id: string; answer: string }): void {
  const where = describeCase(c);
  if (want.ok) {
    if (got.error !== undefined) throw new Error(`well-formed answer refused (${String(got.error)}): ${where}`);
    expect(got.rows, where).toEqual(want.rows);
    return;
  }
  if (got.error === undefined) throw new Error(`silent pass (expected ${want.error === "api" ? "ApiError" : "PipeRowsError"}): ${where}`);
  const typed = want.error === "api" ? got.error instanceof ApiError : got.error instanceof PipeRowsError;
  if (!typed) throw new Error(`untyped error ${String(got.error)}: ${where}`);
}

/** The text as its UTF-8 bytes carry it (lone surrogates become U+FFFD). */
const asSent = (text: string) => new TextDecoder().decode(new TextEncoder().encode(text));

const plain = (rows: ReadonlyArray<{ toJSON(): Record<string, unknown> }>) => rows.map((r) => ({ ...r.toJSON() }));

function decodeBuffered(answer: unknown, layout: PipeRowsLayout): { rows?: Array<Record<string, unknown>>; error?: unknown } {
  try {
    // Reading every cell too: a row that passes the decoder must read without throwing.
    return { rows: plain(decodePipeAnswer(answer, { layout }).rows) };
  } catch (error) {
    return { error };
  }
}

async function decodeStreamed(bytes: Uint8Array, cuts: number[], layout: PipeRowsLayout): Promise<{ rows?: Array<Record<string, unknown>>; error?: unknown }> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  async function* chunks() {
    let prev = 0;
    for (const p of [...points, bytes.length]) {
      yield bytes.subarray(prev, p);
      prev = p;
    }
  }
  const rows: Array<Record<string, unknown>> = [];
  try {
    for await (const row of decodePipeRowStream(chunks(), { layout })) rows.push({ ...row.toJSON() });
    return { rows };
  } catch (error) {
    return { error };
  }
}

describe("fuzzing the \"|\" row decoders against the reference (fixed seeds)", () => {
  it("buffered decodePipeAnswer (text and bytes): 0 silent passes, every well-formed answer decoded exactly", () => {
    fc.assert(
      fc.property(answers, (c) => {
        const layout = LAYOUTS.get(c.id)!;
        const want = reference(c.answer, layout);
        expectVerdict(decodeBuffered(c.answer, layout), want, c);
        // As bytes (a lone surrogate a mutation left in the text is sent as U+FFFD).
        expectVerdict(decodeBuffered(new TextEncoder().encode(c.answer), layout), reference(asSent(c.answer), layout), c);
        // A parsed envelope object decodes like its text.
        if (/^\s*\{/.test(c.answer)) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(c.answer);
          } catch {
            return;
          }
          if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) expectVerdict(decodeBuffered(parsed, layout), want, c);
        }
      }),
      { seed: fcSeed(SEED), numRuns: RUNS },
    );
  });

  it("streaming decodePipeRowStream, the bytes cut anywhere (inside characters and escapes): 0 silent passes", async () => {
    await fc.assert(
      fc.asyncProperty(answers, fc.array(fc.nat(), { maxLength: 8 }), async (c, cuts) => {
        const layout = LAYOUTS.get(c.id)!;
        expectVerdict(await decodeStreamed(new TextEncoder().encode(c.answer), cuts, layout), reference(asSent(c.answer), layout), c);
      }),
      { seed: fcSeed(SEED + 1), numRuns: RUNS },
    );
  });

  it("bytes that are not UTF-8 (a GBK cell) are a PipeRowsError naming the line, never U+FFFD; both decoders", async () => {
    const layout = layoutOf("getAlarmRecords");
    const gbk = Uint8Array.from([0xd5, 0xfd, 0xb3, 0xa3]); // 正常 in GBK
    const enc = new TextEncoder();
    const head = "MS,AlarmQry,1.0.3,9,2,ExchangeId|InvestorId|InvestorName|ProductId|InstrumentId|PrcType|CurPrcValue|PrcState|UpdateTime\n";
    const bytes = new Uint8Array([...enc.encode(`${head}SHFE|777001|a|au|au2212|x|1|`), ...gbk, ...enc.encode("|09:30:00\nSHFE|777001|b|au|au2212|x|2|ok|09:30:01\n")]);
    const buffered = decodeBuffered(bytes, layout).error;
    expect(buffered).toBeInstanceOf(PipeRowsError);
    expect(buffered).toMatchObject({ problem: "encoding", line: 2 });
    expect((buffered as Error).message).toMatch(/not valid UTF-8/);
    const streamed = (await decodeStreamed(bytes, [40, 200], layout)).error;
    expect(streamed).toBeInstanceOf(PipeRowsError);
    expect(streamed).toMatchObject({ problem: "encoding" });
    // Declared as GBK (the answer's Content-Type charset), the same bytes decode.
    const rows = plain(decodePipeAnswer(bytes, { layout, charset: "gbk" }).rows);
    expect(rows.map((r) => r.PrcState)).toEqual(["正常", "ok"]);
    const streamedRows: unknown[] = [];
    async function* one() {
      yield bytes.subarray(0, 139);
      yield bytes.subarray(139);
    }
    for await (const r of decodePipeRowStream(one(), { layout, charset: "gbk" })) streamedRows.push(r.toJSON().PrcState);
    expect(streamedRows).toEqual(["正常", "ok"]);
  });

  it("the reported cases: a header-line answer of 2 rows with row 1 TRUNCATED|77; {} and {\"foo\":1}", () => {
    const layout = layoutOf("getAlarmRecords");
    const head = "MS,AlarmQry,1.0.3,2,2,PrcType|CurPrcValue";
    expect(decodeBuffered(`${head}\nTRUNCATED|TRUNCATED\nx|77`, layout).error).toBeInstanceOf(PipeRowsError);
    expect(decodeBuffered(`${head}\nx|TRUNCATED\nx|77`, layout).error).toMatchObject({ line: 2, problem: "value" });
    for (const body of ["{}", '{"foo":1}', {}, { foo: 1 }]) expect(decodeBuffered(body, layout).error).toMatchObject({ problem: "envelope" });
  });
});
