import { describe, expect, it } from "vitest";
import { decodeFrame, QuantWsFrameError, QuantWsServerError, type FrameProblem } from "../../src/handwritten/quant-ws/index.js";
import { creds, isOp, rejection, setup } from "./helpers.js";

const rows: Array<{ given: string; problem: FrameProblem; field?: string }> = [
  { given: "not json at all", problem: "not-json" },
  { given: "[1,2,3]", problem: "not-json" },
  { given: '{"no_op":1}', problem: "missing-field", field: "op" },
  { given: '{"op":"bogus","cid":"x"}', problem: "unknown-op", field: "op" },
  { given: '{"op":"notify","topic":"weather","token":"t","data":{}}', problem: "unknown-op", field: "topic" },
  { given: '{"op":"notify","topic":"order","data":{}}', problem: "missing-field", field: "token" },
  { given: '{"op":"notify","topic":"fill","token":"t"}', problem: "missing-field", field: "data" },
  { given: '{"op":"state","token":"t","msg":"x"}', problem: "missing-field", field: "code" },
  { given: '{"op":"asset","result":true,"error_message":""}', problem: "missing-field", field: "cid" },
  { given: '{"op":"asset","cid":"c1","error_message":""}', problem: "missing-field", field: "result" },
  { given: '{"op":"place_order","cid":"c1","result":true,"error_message":""}', problem: "missing-field", field: "order_no" },
  { given: '{"op":"pong"}', problem: "missing-field", field: "ts" },
  // A reply's data of another JSON type than the spec's (a typed caller would get a text for a list).
  { given: '{"op":"asset","cid":"c1","result":true,"error_message":"","data":"abc"}', problem: "wrong-type", field: "data" },
  { given: '{"op":"open_orders","cid":"c1","result":true,"error_message":"","data":{"0":{}}}', problem: "wrong-type", field: "data" },
  { given: '{"op":"place_order","cid":"c1","result":true,"error_message":"","order_no":{"id":1}}', problem: "wrong-type", field: "order_no" },
  { given: '{"op":"login","cid":"c1","result":true,"error_message":"","token":12345}', problem: "wrong-type", field: "token" },
  // A parsed object whose own toString/valueOf are not functions: String() would throw on it.
  { given: '{"op":"state","token":"t","code":6,"msg":{"toString":1,"valueOf":1}}', problem: "missing-field", field: "msg" },
  { given: '{"op":{"toString":1,"valueOf":1}}', problem: "missing-field", field: "op" },
  { given: '{"op":"pong","ts":{"toString":1,"valueOf":1}}', problem: "missing-field", field: "ts" },
];

describe("quant-ws malformed frames", () => {
  it.each(rows)("decodeFrame($given) → $problem", ({ given, problem, field }) => {
    let error: unknown;
    try {
      decodeFrame(given);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuantWsFrameError);
    expect((error as QuantWsFrameError).problem).toBe(problem);
    expect((error as QuantWsFrameError).field).toBe(field);
  });

  it("each one from the server is an error event, and the client keeps working", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const errors = client.stream("error");
    for (const row of rows) mock.sendRaw(row.given);
    const got: Array<[string, string | undefined]> = [];
    for await (const e of errors) {
      expect(e).toBeInstanceOf(QuantWsFrameError);
      got.push([(e as QuantWsFrameError).problem, (e as QuantWsFrameError).field]);
      if (got.length === rows.length) break;
    }
    expect(got).toEqual(rows.map((r) => [r.problem, r.field]));
    await expect(session.asset()).resolves.toHaveProperty("USDT");
    expect(session.ready).toBe(true);
  });

  it("a state frame for the session's own token whose msg is an object String() cannot convert: an error event, not an exception out of the socket handler", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on("uncaughtException", onUncaught);
    try {
      const next = client.next("error", 2_000);
      mock.sendRaw(JSON.stringify({ op: "state", token: session.token, code: 6, msg: { toString: 1, valueOf: 1 } }));
      const e = await next;
      expect(e).toBeInstanceOf(QuantWsFrameError);
      expect((e as QuantWsFrameError).field).toBe("msg");
      await expect(session.asset()).resolves.toHaveProperty("USDT");
      expect(session.ready).toBe(true);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('the server\'s {"op":"error"} becomes a QuantWsServerError event', async () => {
    const { mock, client } = await setup();
    await client.connect();
    const next = client.next("error", 2_000);
    // A ping without ts: the server cannot handle it and answers op:error without a cid.
    mock.sendRaw(JSON.stringify({ op: "error", error_message: "'ts'" }));
    const e = await next;
    expect(e).toBeInstanceOf(QuantWsServerError);
    expect(e.message).toMatch(/code error 'ts'/);
  });

  it("a 2 MB error_message: the event's message shows the first 1 000 characters and how many more; vendorMessage keeps them all", async () => {
    const { mock, client } = await setup();
    await client.connect();
    const next = client.next("error", 5_000);
    const text = `${"e".repeat(2_000_000)}`;
    mock.sendRaw(JSON.stringify({ op: "error", error_message: text }));
    const e = (await next) as QuantWsServerError;
    expect(e).toBeInstanceOf(QuantWsServerError);
    expect(e.message.length).toBeLessThan(1_300);
    expect(e.message).toContain(`… (${2_000_000 - 1_000} more characters in error.vendorMessage)`);
    expect(e.vendorMessage).toBe(text);
  });

  it("a reply's data of the spec's type passes; an empty list stands for an empty object (encoders that write [] for an empty map)", () => {
    for (const data of [{}, [], { USDT: { total: "1", available: "1", frozen: "0" } }]) {
      expect(decodeFrame(JSON.stringify({ op: "asset", cid: "c1", result: true, error_message: "", data })).kind).toBe("reply");
    }
    expect(() => decodeFrame(JSON.stringify({ op: "asset", cid: "c1", result: true, error_message: "", data: [{}] }))).toThrow(/asset reply's `data` is array, not object/);
    expect(decodeFrame(JSON.stringify({ op: "open_orders", cid: "c1", result: true, error_message: "", data: [] })).kind).toBe("reply");
  });

  it("a broken reply with a readable cid fails its request at once, not by timeout", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.silence("asset");
    const asked = session.asset({ timeoutMs: 5_000 });
    const sent = await mock.waitForFrame(isOp("asset"));
    const cid = (sent.frame as { cid: string }).cid;
    const started = Date.now();
    mock.sendRaw(JSON.stringify({ op: "asset", cid, error_message: "" }));
    const e = await rejection(asked);
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect((e as QuantWsFrameError).field).toBe("result");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("a reply whose op does not match its cid's request is rejected", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.silence("asset");
    const asked = session.asset();
    const sent = await mock.waitForFrame(isOp("asset"));
    const cid = (sent.frame as { cid: string }).cid;
    mock.sendRaw(JSON.stringify({ op: "logout", cid, result: true, error_message: "" }));
    const e = await rejection(asked);
    expect((e as QuantWsFrameError).problem).toBe("op-mismatch");
  });
});
