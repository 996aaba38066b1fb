/**
 * decodePipeRows' up-front check (one regex over every row, with integer cells read without
 * counted repetitions when no row is long enough for an over-long integer) against the decoder
 * itself: for any rows, decoding with the default check fails exactly when reading some row with
 * check "on-read" fails, and names the same line (property, fixed seed). And that line is the
 * bad row's line in the text, counted here (a row keeps no line number: it is counted again
 * for the error), with LF or CRLF line breaks, buffered or streamed in any pieces.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meta } from "../../generated/xele-mgmt.docs.js";
import { decodePipeRowStream } from "../../src/handwritten/xele/pipe-row-stream.js";
import { decodePipeRows, PipeRowsError, type PipeRowsLayout } from "../../src/handwritten/xele/pipe-rows.js";
import { pipeRowsOf } from "../../src/handwritten/xele/spec-info.js";
import { fcSeed } from "../helpers/fc-seed.js";

const ORDERS: PipeRowsLayout = pipeRowsOf(meta.operations.find((o) => o.operationId === "queryOrders")!)!;
const names = ORDERS.columns.map((c) => c.name);
const types = ORDERS.columns.map((c) => c.type ?? "string");
const head = (n: number) => `MS,OrderQry,1.0.3,${names.length},${n},${names.join("|")}`;

/** Cells near every edge of the integer checks: signs, 15/16 digits, ±2^53, int64 lengths. */
const intCell = fc.oneof(
  fc.constantFrom("", "0", "-0", "-", "--1", "1-", "7", "-7", "123456789012345", "-123456789012345", "1234567890123456", "9007199254740991", "9007199254740992", "-9007199254740993", "1e3", "1.5", " 1", "x"),
  fc.integer({ min: -1e9, max: 1e9 }).map(String),
  fc.stringMatching(/^-?\d{1,18}$/),
);
const int64Cell = fc.oneof(
  intCell,
  fc.constantFrom("12345678901234567890", "-99999999999999999999999"),
  fc.constantFrom(4299, 4300, 4301, 5000).map((n) => "9".repeat(n)),
  fc.constantFrom(4300, 4301).map((n) => `-${"9".repeat(n)}`),
);
const textCell = fc.oneof(fc.constantFrom("", "买", "x|y", "a\rb", "限价FAK", "400.5000"), fc.string({ maxLength: 6 }).map((s) => s.replace(/[|\n]/g, "")));
const row = fc.tuple(...types.map((t) => (t === "int64" ? int64Cell : t === "int" || t === "integer" ? intCell : textCell))).map((cells) => cells.join("|"));
/** Mostly well-formed rows (so that a bad one is found among good ones), now and then a short or long one. */
const goodRow = fc.constant(names.map((n, i) => (types[i] === "string" ? "s" : String(i))).join("|"));
const anyRow = fc.oneof({ weight: 6, arbitrary: goodRow }, { weight: 3, arbitrary: row }, { weight: 1, arbitrary: row.map((r) => r.split("|").slice(0, -1).join("|")) }, { weight: 1, arbitrary: row.map((r) => `${r}|x`) });

function failure(f: () => void): number | string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof PipeRowsError ? (e.line ?? "no line") : `not a PipeRowsError: ${String(e)}`;
  }
}

describe("the up-front check of every row agrees with decoding each row (property)", () => {
  it("the same outcome and the same line, with and without rows long enough for an over-long integer", () => {
    fc.assert(
      fc.property(fc.array(anyRow, { minLength: 3, maxLength: 12 }), (rows) => {
        const text = [head(rows.length), ...rows].join("\n");
        const upFront = failure(() => decodePipeRows(text, { layout: ORDERS }));
        const onRead = failure(() => {
          for (const r of decodePipeRows<Record<string, unknown>>(text, { layout: ORDERS, check: "on-read" })) r.toJSON();
        });
        expect(upFront).toBe(onRead);
      }),
      { seed: fcSeed(20261205), numRuns: 1500 },
    );
  });

  it("names the bad row's line, counted in the text: LF or CRLF, buffered or streamed in pieces", async () => {
    const badAlone = (r: string) => failure(() => decodePipeRows(`${head(1)}\n${r}`, { layout: ORDERS })) !== undefined;
    async function streamed(text: string, cuts: number[]): Promise<number | string | undefined> {
      const pieces: string[] = [];
      let at = 0;
      for (const c of cuts) {
        if (at >= text.length) break;
        pieces.push(text.slice(at, at + c));
        at += c;
      }
      pieces.push(text.slice(at));
      try {
        for await (const _ of decodePipeRowStream((async function* () { yield* pieces; })(), { layout: ORDERS })) void _;
        return undefined;
      } catch (e) {
        return e instanceof PipeRowsError ? (e.line ?? "no line") : `not a PipeRowsError: ${String(e)}`;
      }
    }
    await fc.assert(
      fc.asyncProperty(fc.array(anyRow, { minLength: 3, maxLength: 12 }), fc.boolean(), fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 8 }), async (rows, crlf, cuts) => {
        const lineOf = (i: number) => (i === -1 ? undefined : i + 2); // the header is line 1
        // A stream checks each row as it comes; a whole answer its first and last rows (a cut
        // last row is named as such), then the others in order.
        const inOrder = lineOf(rows.findIndex(badAlone));
        const lastFirst = [0, rows.length - 1, ...rows.keys()].find((i) => badAlone(rows[i]!));
        const text = [head(rows.length), ...rows].join(crlf ? "\r\n" : "\n");
        expect(failure(() => decodePipeRows(text, { layout: ORDERS }))).toBe(lineOf(lastFirst ?? -1));
        expect(await streamed(text, cuts)).toBe(inOrder);
      }),
      { seed: fcSeed(20261205), numRuns: 600 },
    );
  });
});

describe("a layout wider than the regex check is made for is checked row by row", () => {
  /** Rows of a layout of `n` columns given as the column list (no header): good, then one bad in the middle. */
  const wide = (n: number, type: string, cell: string, bad: string) => {
    const columns = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, type }));
    const good = Array(n).fill(cell).join("|");
    return { columns, good: [good, good, good, good].join("\n"), bad: [good, good, `${Array(n - 1).fill(cell).join("|")}|${bad}`, good].join("\n") };
  };
  it.each([
    // 8,000 string cells: a regex irregexp refuses (too large); a bare SyntaxError before.
    [8000, "string", "x", "y|z"],
    // 300 int cells: past the widest layout the regex is made for (its compile time grows faster than its columns).
    [300, "int", "7", "x"],
  ])("%i %s columns: the rows decode, a bad middle row is a PipeRowsError naming its line, as the stream says", async (n, type, cell, bad) => {
    const { columns, good, bad: badText } = wide(n, type, cell, bad);
    const rows = decodePipeRows(good, { columns });
    expect(rows).toHaveLength(4);
    expect(rows[3]!.toJSON()[`c${n - 1}`]).toBe(type === "int" ? 7 : "x");
    const error = failure(() => decodePipeRows(badText, { columns }));
    expect(error).toBe(3);
    let streamed: unknown;
    try {
      for await (const _ of decodePipeRowStream((async function* () { yield badText; })(), { columns })) void _;
    } catch (e) {
      streamed = e;
    }
    expect(streamed).toBeInstanceOf(PipeRowsError);
    expect((streamed as PipeRowsError).line).toBe(3);
  });
});
