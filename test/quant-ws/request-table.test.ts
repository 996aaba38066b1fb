// Request matching on its own (src/handwritten/quant-ws/requests.ts): a fake socket records
// what is sent; replies are fed back as decoded frames.
import WebSocket from "ws";
import { describe, expect, it } from "vitest";
import { TimeoutError } from "../../src/handwritten/core/errors.js";
import { ConnectionDroppedError, QuantWsFrameError } from "../../src/handwritten/quant-ws/errors.js";
import { decodeFrame, type IncomingFrame } from "../../src/handwritten/quant-ws/frames.js";
import { RequestTable } from "../../src/handwritten/quant-ws/requests.js";

function fakeSocket() {
  const sent: Array<Record<string, unknown>> = [];
  const ws = { readyState: WebSocket.OPEN, send: (text: string) => sent.push(JSON.parse(text) as Record<string, unknown>) };
  return { ws: ws as unknown as WebSocket, sent };
}

const replyTo = (cid: unknown, op: string, extra: object = {}) => {
  const text = JSON.stringify({ op, cid, result: true, error_message: "", ...extra });
  return { frame: decodeFrame(text) as Extract<IncomingFrame, { kind: "reply" }>, text };
};

describe("RequestTable", () => {
  const same = <E>(e: E) => e;

  it("matches replies to requests by cid, in any order", async () => {
    const table = new RequestTable(same);
    const { ws, sent } = fakeSocket();
    const a = table.send(ws, "asset", { op: "asset", token: "t" }, 1_000);
    const b = table.send(ws, "open_orders", { op: "open_orders", token: "t", symbol: "BTC/USDT" }, 1_000);
    expect(sent[0]!.cid).not.toBe(sent[1]!.cid);
    const rb = replyTo(sent[1]!.cid, "open_orders", { data: [] });
    expect(table.onReply(rb.frame, rb.text, false)).toBeUndefined();
    const ra = replyTo(sent[0]!.cid, "asset", { data: {} });
    expect(table.onReply(ra.frame, ra.text, false)).toBeUndefined();
    await expect(b).resolves.toMatchObject({ op: "open_orders", data: [] });
    await expect(a).resolves.toMatchObject({ op: "asset" });
  });

  it("reports a reply nobody waits for, unless the client is closed", () => {
    const table = new RequestTable(same);
    const r = replyTo("nobody", "asset", { data: {} });
    expect(table.onReply(r.frame, r.text, false)).toBeInstanceOf(QuantWsFrameError);
    expect(table.onReply(r.frame, r.text, true)).toBeUndefined();
  });

  it("times out, and a late reply of a quiet request is dropped silently", async () => {
    const table = new RequestTable(same);
    const { ws, sent } = fakeSocket();
    const p = table.send(ws, "cancel_order", { op: "cancel_order", token: "t", symbol: "BTC/USDT", order_nos: [] }, 20, undefined, true);
    await expect(p).rejects.toBeInstanceOf(TimeoutError);
    const late = replyTo(sent[0]!.cid, "cancel_order", { data: [] });
    expect(table.onReply(late.frame, late.text, false)).toBeUndefined();
  });

  it("refuses to send on a socket that is not open, and rejects every pending request on demand", async () => {
    const table = new RequestTable(same);
    await expect(table.send(undefined, "asset", { op: "asset", token: "t" }, 1_000)).rejects.toBeInstanceOf(ConnectionDroppedError);
    const { ws } = fakeSocket();
    const p = table.send(ws, "asset", { op: "asset", token: "t" }, 1_000);
    table.rejectAll((op) => new ConnectionDroppedError(`dropped before ${op}`, { api: "quant-ws", operation: op, sent: true }));
    await expect(p).rejects.toThrow("dropped before asset");
    table.clearDeadlines();
  });
});
