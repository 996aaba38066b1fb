/**
 * A UTF-8 BOM (U+FEFF) at the start of the rows text inside the JSON envelope's `result` is
 * dropped, as one at the start of a raw body is: by `call()` (decodePipeRows, from bytes, text
 * or the parsed envelope) and by `streamRows` (decodePipeRowStream, in chunks of any size).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { meta } from "../../generated/xele-mgmt.docs.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { decodePipeRowStream } from "../../src/handwritten/xele/pipe-row-stream.js";
import { decodePipeRows, type PipeRowsLayout } from "../../src/handwritten/xele/pipe-rows.js";
import { pipeRowsOf } from "../../src/handwritten/xele/spec-info.js";
import { closeXeleServers, xeleServer } from "../helpers/xele-server.js";
import { bytesIn, iterate } from "../helpers/chunks.js";

const ALARMS: PipeRowsLayout = pipeRowsOf(meta.operations.find((o) => o.operationId === "getAlarmRecords")!)!;
const LINES = [
  "MS,PrcAlarmQry,1.0.3,9,2,ExchangeId|InvestorId|InvestorName|ProductId|InstrumentId|PrcType|CurPrcValue|PrcState|UpdateTime",
  "SHFE|777001|张三|au|au2212|CancelLimitByPro|2700|告警|2025-10-13 10:11:25.123",
  "INE|777003|李四|sc|sc2301|OpenLimit|950|严重|2025-10-13 10:13:00.000",
];
const ROWS = "\ufeff" + LINES.join("\n");
const EXPECTED = [
  { ExchangeId: "SHFE", InvestorId: "777001", InstrumentId: "au2212" },
  { ExchangeId: "INE", InvestorId: "777003", InstrumentId: "sc2301" },
];

/** Envelopes whose `result` starts with a BOM: raw in the string, as the escape \ufeff, in the first of its lines. */
const ENVELOPES: Array<[string, string]> = [
  ["a BOM in the result string", JSON.stringify({ code: 0, msg: "ok", result: ROWS })],
  ["a BOM written as the escape \\ufeff", JSON.stringify({ code: 0, msg: "ok", result: ROWS }).replace("\ufeff", "\\ufeff")],
  ["a BOM in the first of the result's lines", JSON.stringify({ code: 0, msg: "ok", result: ["\ufeff" + LINES[0], ...LINES.slice(1)] })],
  ["a BOM in the result after a BOM of the body", "\ufeff" + JSON.stringify({ code: 0, msg: "ok", result: ROWS })],
];

const picked = (rows: ReadonlyArray<{ toJSON(): unknown }>) =>
  rows.map((r) => {
    const { ExchangeId, InvestorId, InstrumentId } = r.toJSON() as Record<string, unknown>;
    return { ExchangeId, InvestorId, InstrumentId };
  });

async function streamed(chunks: Uint8Array[]) {
  const rows = [];
  for await (const r of decodePipeRowStream(iterate(chunks), { layout: ALARMS })) rows.push(r);
  return rows;
}

afterEach(closeXeleServers);

describe("a BOM at the start of the envelope's result", () => {
  it.each(ENVELOPES)("%s: decodePipeRows reads the header (bytes and text)", (_name, body) => {
    expect(picked(decodePipeRows(new TextEncoder().encode(body), { layout: ALARMS }))).toEqual(EXPECTED);
    expect(picked(decodePipeRows(body, { layout: ALARMS }))).toEqual(EXPECTED);
  });

  it.each(ENVELOPES.slice(0, 3))("%s: decodePipeRows reads the header of the parsed envelope", (_name, body) => {
    expect(picked(decodePipeRows(JSON.parse(body), { layout: ALARMS }))).toEqual(EXPECTED);
  });

  it.each(ENVELOPES)("%s: the row stream reads the header, in chunks of any size", async (_name, body) => {
    for (const size of [1, 2, 3, 7, 64, 1 << 16]) expect(picked(await streamed(bytesIn(body, size)))).toEqual(EXPECTED);
  });

  it("only the very start: a BOM that begins a later line is that line's text", async () => {
    const body = JSON.stringify({ code: 0, msg: "ok", result: [LINES[0], "\ufeff" + LINES[1], LINES[2]] });
    const first = (rows: ReadonlyArray<{ toJSON(): unknown }>) => (rows[0]!.toJSON() as Record<string, unknown>).ExchangeId;
    expect(first(decodePipeRows(body, { layout: ALARMS }))).toBe("\ufeffSHFE");
    expect(first(decodePipeRows(JSON.parse(body), { layout: ALARMS }))).toBe("\ufeffSHFE");
    expect(first(await streamed(bytesIn(body, 5)))).toBe("\ufeffSHFE");
  });

  it("call() and streamRows both give the rows of a server that puts a BOM inside result", async () => {
    const url = await xeleServer("tok-bom", (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(ENVELOPES[0]![1]);
    });
    const c = createXeleClient({ maUrl: url, msUrl: url, username: "u", password: "pw-bom", retry: false });
    expect(picked(await c.call("getAlarmRecords", {}))).toEqual(EXPECTED);
    const rows = [];
    for await (const r of c.streamRows("getAlarmRecords", {})) rows.push(r);
    expect(picked(rows)).toEqual(EXPECTED);
  });
});
