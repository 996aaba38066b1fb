import { createHash } from "node:crypto";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { ResponseFormatError, ResponseTooLargeError, TimeoutError } from "../../src/handwritten/core/errors.js";
import { ConnectionDroppedError, createQuantWsClient, decodeFrame, QuantWsFrameError, QuantWsServerError, type FrameProblem } from "../../src/handwritten/quant-ws/index.js";
import { askUnanswered, creds, ETH, isOp, newClient, payloads, rejection, setup, startMock } from "./helpers.js";

const rows: Array<{ given: string; problem: FrameProblem; field?: string }> = [
  { given: "not json at all", problem: "not-json" },
  { given: "[1,2,3]", problem: "not-json" },
  { given: '{"no_op":1}', problem: "missing-field", field: "op" },
  { given: '{"op":"bogus","cid":"x"}', problem: "unknown-op", field: "op" },
  { given: '{"op":"notify","topic":"weather","token":"t","data":{}}', problem: "unknown-op", field: "topic" },
  { given: '{"op":"notify","topic":"order","data":{}}', problem: "missing-field", field: "token" },
  { given: '{"op":"notify","topic":"fill","token":"t"}', problem: "missing-field", field: "data" },
  { given: '{"op":"state","token":"t","msg":"x"}', problem: "missing-field", field: "code" },
  // A code outside the spec's StateCode enum, as a status outside its enum in a notification.
  { given: '{"op":"state","token":"t","code":99,"msg":"x"}', problem: "wrong-type", field: "code" },
  { given: '{"op":"state","token":"t","code":0,"msg":"x"}', problem: "wrong-type", field: "code" },
  { given: '{"op":"state","token":"t","code":-1,"msg":"x"}', problem: "wrong-type", field: "code" },
  { given: '{"op":"state","token":"t","code":1099511627776,"msg":"x"}', problem: "wrong-type", field: "code" },
  { given: '{"op":"asset","result":true,"error_message":""}', problem: "missing-field", field: "cid" },
  { given: '{"op":"asset","cid":"c1","error_message":""}', problem: "missing-field", field: "result" },
  { given: '{"op":"place_order","cid":"c1","result":true,"error_message":""}', problem: "missing-field", field: "order_no" },
  { given: '{"op":"pong"}', problem: "missing-field", field: "ts" },
  // A reply's data of another JSON type than the spec's (a typed caller would get a text for a list).
  { given: '{"op":"asset","cid":"c1","result":true,"error_message":"","data":"abc"}', problem: "wrong-type", field: "data" },
  { given: '{"op":"open_orders","cid":"c1","result":true,"error_message":"","data":{"0":{}}}', problem: "wrong-type", field: "data" },
  { given: '{"op":"place_order","cid":"c1","result":true,"error_message":"","order_no":{"id":1}}', problem: "wrong-type", field: "order_no" },
  { given: '{"op":"login","cid":"c1","result":true,"error_message":"","token":12345}', problem: "wrong-type", field: "token" },
  // A null order number or token is not "none": the order may exist (a list or map may be null for empty).
  { given: '{"op":"place_order","cid":"c1","result":true,"error_message":"","order_no":null}', problem: "wrong-type", field: "order_no" },
  { given: '{"op":"login","cid":"c1","result":true,"error_message":"","token":null}', problem: "wrong-type", field: "token" },
  // …nor is an empty one.
  { given: '{"op":"place_order","cid":"c1","result":true,"error_message":"","order_no":""}', problem: "missing-field", field: "order_no" },
  { given: '{"op":"login","cid":"c1","result":true,"error_message":"","token":""}', problem: "missing-field", field: "token" },
  // A parsed object whose own toString/valueOf are not functions: String() would throw on it.
  { given: '{"op":"state","token":"t","code":6,"msg":{"toString":1,"valueOf":1}}', problem: "missing-field", field: "msg" },
  { given: '{"op":{"toString":1,"valueOf":1}}', problem: "missing-field", field: "op" },
  { given: '{"op":"pong","ts":{"toString":1,"valueOf":1}}', problem: "missing-field", field: "ts" },
  // A member given twice at any depth (JSON.parse would keep the last): the path names it.
  { given: '{"op":"cancel_order","cid":"c1","result":true,"error_message":"","data":[{"order_no":"42","result":false,"error_message":"not found","result":true}]}', problem: "repeated-field", field: "data[0].result" },
  { given: '{"op":"notify","topic":"fill","token":"t","data":{"symbol":"ETH/USDT","order_no":"1","fill_no":"f1","price":1,"quantity":1,"side":"BUY","liquidity":"TAKER","ctime":1,"price":1000}}', problem: "repeated-field", field: "data.price" },
  { given: '{"op":"cancel_order","cid":"c1","result":true,"error_message":"","data":[{"order_no":"1","result":true},{"order_no":"2","result":true},{"order_no":"3","result":true,"\\u0072esult":false}]}', problem: "repeated-field", field: "data[2].result" },
  { given: '{"op":"asset","cid":"c1","result":true,"error_message":"","data":{"USDT":{"available":1,"frozen":0,"balance":1},"USDT" : {"available":9,"frozen":0,"balance":9}}}', problem: "repeated-field", field: "data.USDT" },
];

describe("quant-ws malformed frames", () => {
  it("a null list or map in a reply stands for an empty one (an encoder writes an empty list as null)", () => {
    for (const op of ["asset", "open_orders", "cancel_order", "position"]) {
      expect(decodeFrame(`{"op":"${op}","cid":"c1","result":true,"error_message":"","data":null}`)).toMatchObject({ kind: "reply", cid: "c1" });
    }
    expect(() => decodeFrame('{"op":"place_order","cid":"c1","result":true,"error_message":"","order_no":null}')).toThrow(
      "place_order reply's `order_no` is null, not string",
    );
  });

  it("a name written again in another object, and a `:` in a string (one that begins a string, or follows an escaped quote), are no member given twice", () => {
    const items = '[{"order_no":"1","result":true,"error_message":""},{"order_no":"2","result":false,"error_message":": not found at 12:00"}]';
    expect(decodeFrame(`{"op":"cancel_order","cid":"c1","result":true,"error_message":"","data":${items}}`)).toMatchObject({ kind: "reply", cid: "c1" });
    expect(decodeFrame('{"op":"place_order","cid":"c1","result":false,"error_message":"said \\":\\" at 1:2 \\\\"}')).toMatchObject({ kind: "reply" });
    expect(decodeFrame('{"op":"state","token":"t","code":6,"msg":":"}')).toMatchObject({ kind: "state" });
    expect(decodeFrame('{ "op" : "state" , "token" : "t" , "code" : 6 , "msg" : "a\\" : b" }')).toMatchObject({ kind: "state" });
  });

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

  it("a state frame for the session's own token whose code is not one of the spec's: an error event naming the codes, no state event, the session stays as it was", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const states: unknown[] = [];
    session.on("state", (s) => states.push(s));
    client.on("state", (s) => states.push(s));
    const before = session.lastState;
    for (const code of [99, 0, -1, 2 ** 40]) {
      const next = client.next("error", 2_000);
      mock.sendRaw(JSON.stringify({ op: "state", token: session.token, code, msg: "odd" }));
      const e = await next;
      expect(e).toBeInstanceOf(QuantWsFrameError);
      expect(e).toMatchObject({ problem: "wrong-type", field: "code" });
      expect(e.message).toContain(`state notification does not fit the spec: code must be one of 1, 2, 3, 4, 5, 6, 7, 8, 9, got ${code}`);
      expect(e.message).not.toContain(session.token);
    }
    expect(states).toEqual([]);
    expect(session.lastState).toBe(before);
    expect(session.ready).toBe(true);
    await expect(session.asset()).resolves.toHaveProperty("USDT");
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

  it("a request that times out after the gateway's op:error (no cid: it may have been its answer) names it", async () => {
    const { mock, client } = await setup({}, { requestTimeoutMs: 300 });
    client.on("error", () => undefined);
    const session = await client.login(creds());
    mock.silence("open_orders");
    const pending = rejection(session.openOrders(ETH));
    await mock.waitForFrame(isOp("open_orders"));
    mock.sendRaw(JSON.stringify({ op: "error", error_message: "'symbol'" }));
    const e = await pending;
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toMatch(/no open_orders reply within 300 ms \(cid [^)]+\); the gateway's op: error \(a frame it failed to handle\) came meanwhile: quant-ws: code error 'symbol'/);
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
    for (const data of [{}, [], { USDT: { free: 1, locked: 0, total: 1 } }]) {
      expect(decodeFrame(JSON.stringify({ op: "asset", cid: "c1", result: true, error_message: "", data })).kind).toBe("reply");
    }
    expect(() => decodeFrame(JSON.stringify({ op: "asset", cid: "c1", result: true, error_message: "", data: [{}] }))).toThrow(/asset reply's `data` is array, not object/);
    expect(decodeFrame(JSON.stringify({ op: "open_orders", cid: "c1", result: true, error_message: "", data: [] })).kind).toBe("reply");
  });

  it("an int64 field (ctime, utime) beyond 2^53 is a bigint, as its type says, in every decimals mode (it was refused: the checked schema had lost its format)", () => {
    const order = '{"order_no":"1","action":"BUY","price":1,"quantity":1,"remain":1,"status":"SUBMITTED","order_type":"LIMIT","ctime":9007199254740993,"utime":1}';
    for (const mode of ["exact", "string", "number"] as const) {
      const reply = decodeFrame(`{"op":"open_orders","cid":"c1","result":true,"error_message":"","data":[${order}]}`, mode) as { frame: { data: Array<{ ctime: unknown }> } };
      expect(reply.frame.data[0]!.ctime, mode).toBe(9007199254740993n);
      const note = decodeFrame(`{"op":"notify","topic":"order","token":"t","data":${order.replace('"order_no":"1",', '"order_no":"1","symbol":"ETH/USDT",')}}`, mode) as { frame: { data: { ctime: unknown } } };
      expect(note.frame.data.ctime, mode).toBe(9007199254740993n);
    }
  });

  it("a reply's or notification's data is checked against the spec's schema at every depth (fields, types, enums)", () => {
    const problem = (frame: object) => {
      try {
        decodeFrame(JSON.stringify(frame));
      } catch (e) {
        return [(e as QuantWsFrameError).problem, (e as QuantWsFrameError).field, (e as QuantWsFrameError).message.replace(/ \(body starts: .*/s, "")];
      }
      return "accepted";
    };
    const reply = (op: string, data: unknown) => ({ op, cid: "c1", result: true, error_message: "", data });
    // Items a helper reads: a null item, an order number that is no text, a missing result.
    expect(problem(reply("cancel_order", [null]))).toEqual(["wrong-type", "data[0]", "quant-ws cancel_order: cancel_order reply does not fit the spec: data[0] must be object, got null"]);
    expect(problem(reply("cancel_order", [{ result: true, error_message: "", order_no: { toString: 1 } }]))).toEqual([
      "wrong-type",
      "data[0].order_no",
      "quant-ws cancel_order: cancel_order reply does not fit the spec: data[0].order_no must be string, got object",
    ]);
    expect(problem(reply("cancel_order", [{ error_message: "", order_no: "1" }]))).toEqual(["missing-field", "data[0].result", "quant-ws cancel_order: cancel_order reply does not fit the spec: missing field data[0].result"]);
    expect(problem(reply("open_orders", [{ ...payloads.order(), status: "NEW" }]))[2]).toMatch(/data\[0\]\.status must be one of "NONE", "SUBMITTED", .*got "NEW"/);
    expect(problem(reply("asset", { USDT: { total: "1", available: "1", frozen: "0" } }))[0]).toBe("missing-field");
    // Nulls where the spec allows them (a flat position, a MARKET order's price) pass.
    expect(problem(reply("open_orders", [payloads.order({ price: null })]))).toBe("accepted");
    expect(problem({ op: "notify", topic: "position", token: "t", data: payloads.position() })).toBe("accepted");
    expect(problem({ op: "notify", topic: "order", token: "t", data: payloads.order({ status: 5 }) })).toEqual([
      "wrong-type",
      "data.status",
      "quant-ws: order notification does not fit the spec: data.status must be string, got 5",
    ]);
    expect(problem({ op: "notify", topic: "fill", token: "t", data: {} })[2]).toMatch(/^quant-ws: fill notification does not fit the spec: missing field data\.symbol; missing field data\.order_no; missing field data\.fill_no; and 5 more$/);
    // With decimals: "string" a decimal's text stands for its number.
    expect(decodeFrame(JSON.stringify({ op: "notify", topic: "fill", token: "t", data: payloads.fill({ price: 0.5 }) }), "string").kind).toBe("notify");
  });

  it("an integer beyond 2^53 in a decimal field is read as the decimals mode says (it was refused as not typed bigint)", () => {
    const frame = (price: string) => JSON.stringify({ op: "notify", topic: "fill", token: "t", data: payloads.fill({ price: 0 }) }).replace('"price":0', `"price":${price}`);
    const price = (text: string, mode: "exact" | "string" | "number") => (decodeFrame(frame(text), mode) as unknown as { frame: { data: { price: unknown } } }).frame.data.price;
    expect(price("12345678901234567890", "string")).toBe("12345678901234567890");
    expect(price("12345678901234567890", "number")).toBe(12345678901234567000);
    expect(price("100000000000000000000", "exact")).toBe(1e20);
    const e = (() => {
      try {
        return decodeFrame(frame("12345678901234567890"));
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect(e).toMatchObject({ problem: "inexact-number", field: "data.price" });
    expect((e as Error).message).toContain("the number at data.price (12345678901234567890) does not fit a double without rounding");
    // In a reply, the error names its request as every other problem of a reply does (it said "quant-ws: …").
    const reply = '{"op":"open_orders","cid":"7","result":true,"error_message":"","data":[{"order_no":"1","action":"BUY","price":0.10000000000000000001,"quantity":1,"filled_qty":0,"status":"SUBMITTED","order_type":"LIMIT","ctime":1}]}';
    const r = (() => {
      try {
        return decodeFrame(reply);
      } catch (x) {
        return x;
      }
    })() as QuantWsFrameError;
    expect(r).toMatchObject({ problem: "inexact-number", cid: "7", operation: "open_orders" });
    expect(r.message).toMatch(/^quant-ws open_orders: /);
  });

  it("a broken reply with a readable cid fails its request at once, not by timeout", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const { asked, cid } = await askUnanswered(mock, "asset", () => session.asset({ timeoutMs: 5_000 }));
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
    const { asked, cid } = await askUnanswered(mock, "asset", () => session.asset());
    mock.sendRaw(JSON.stringify({ op: "logout", cid, result: true, error_message: "" }));
    const e = await rejection(asked);
    expect((e as QuantWsFrameError).problem).toBe("op-mismatch");
  });
});

describe("quant-ws frames the socket cannot take", () => {
  it("a message above maxMessageBytes: an error event, the requests in flight fail naming the limit, and the client reconnects", async () => {
    const { mock, client } = await setup({}, { maxMessageBytes: 64 * 1024 });
    const session = await client.login(creds());
    mock.silence("asset");
    const read = rejection(session.asset());
    await mock.waitForFrame(isOp("asset"));
    const error = client.next("error", 2_000);
    const reconnected = client.next("reconnected", 3_000);
    mock.sendRaw(JSON.stringify({ op: "notify", topic: "order", token: session.token, data: { note: "x".repeat(70 * 1024) } }));
    const e = await error;
    expect(e).toBeInstanceOf(ResponseTooLargeError);
    expect((e as ResponseTooLargeError).maxResponseBytes).toBe(65536);
    expect(e.message).toMatch(/larger than 65536 bytes \(maxMessageBytes\)/);
    const dropped = await read;
    expect(dropped).toBeInstanceOf(ConnectionDroppedError);
    expect(dropped.message).toContain("a message above maxMessageBytes (65536 bytes) arrived");
    await reconnected;
    mock.silence("asset", false);
    await expect(session.asset()).resolves.toHaveProperty("USDT");
    // Messages under the limit are read as before.
    mock.sendRaw(JSON.stringify({ op: "pong", ts: 1, pad: "y".repeat(1000) }));
    await expect(session.asset()).resolves.toHaveProperty("USDT");
  });

  it("maxMessageBytes must be a whole number of bytes, 1 or more, or Infinity", async () => {
    const mock = await startMock();
    for (const bad of [0, -1, 1.5, Number.NaN, "1024" as unknown as number]) {
      expect(() => newClient(mock, { maxMessageBytes: bad }), String(bad)).toThrow(/maxMessageBytes must be a whole number of bytes/);
    }
    const open = newClient(mock, { maxMessageBytes: Number.POSITIVE_INFINITY });
    await expect(open.login(creds())).resolves.toBeDefined();
  });

  it.each([
    ["an unknown opcode", Buffer.from([0x83, 0x00]), "invalid opcode 3"],
    ["text that is not UTF-8", Buffer.from([0x81, 0x02, 0xff, 0xfe]), "invalid UTF-8 sequence"],
  ])("a frame that breaks the WebSocket protocol (%s): an error event, and the drop says why", async (_what, frame, why) => {
    const server = createNetServer((socket) => {
      socket.on("error", () => undefined);
      let head = "";
      const onData = (d: Buffer) => {
        head += d.toString("latin1");
        if (!head.includes("\r\n\r\n")) return;
        socket.off("data", onData);
        const key = /sec-websocket-key: *(.+)\r\n/i.exec(head)![1]!.trim();
        const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        setTimeout(() => socket.write(frame), 50);
      };
      socket.on("data", onData);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    onTestFinished(() => void server.close());
    const client = createQuantWsClient({ url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/v1`, reconnect: false, pingIntervalMs: 0, loginTimeoutMs: 5_000 });
    onTestFinished(() => client.close());
    const error = client.next("error", 2_000);
    const login = rejection(client.login(creds()));
    const e = await error;
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain(`breaks the WebSocket protocol (Invalid WebSocket frame: ${why})`);
    const failed = await login;
    expect(failed).toBeInstanceOf(ConnectionDroppedError);
    expect(failed.message).toContain(`the gateway's frame broke the WebSocket protocol: Invalid WebSocket frame: ${why}`);
  });
});
