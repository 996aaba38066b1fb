import { describe, expect, expectTypeOf, it } from "vitest";
import type { PlaceOrderReply, SymbolInfoReply } from "../../generated/quant-ws.js";
import { AbortedError, ApiError, AuthError, TimeoutError } from "../../src/handwritten/core/errors.js";
import { QuantWsFrameError } from "../../src/handwritten/quant-ws/index.js";
import { askUnanswered, creds, ETH, framesOf, isOp, rejection, setup } from "./helpers.js";

describe("quant-ws requests", () => {
  it("matches replies by cid when the server answers in reverse order", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds({ symbols: [ETH, "BTC/USDT"] }));
    mock.setReorderWindow(4);
    const [eth, btc, asset, position] = await Promise.all([
      session.symbolInfo(ETH),
      session.symbolInfo("BTC/USDT"),
      session.asset(),
      session.position(ETH),
    ]);
    expect(eth.base_currency).toBe("ETH");
    expect(btc.base_currency).toBe("BTC");
    expect(asset.USDT?.total).toBe(100_000);
    // A flat position: the server sends nulls (see the spec's Decisions).
    expect(position.margin_mode).toBeNull();
    expect(position.utime).toBeNull();
    // Every request had its own cid, and the token of its session.
    const sent = [...framesOf(mock, "symbol_info"), ...framesOf(mock, "asset"), ...framesOf(mock, "position")];
    expect(new Set(sent.map((f) => f.cid)).size).toBe(4);
    expect(sent.every((f) => f.token === session.token)).toBe(true);
  });

  it("types request and reply by op", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    const placed = session.request("place_order", { symbol: ETH, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" });
    expectTypeOf(placed).resolves.toEqualTypeOf<PlaceOrderReply>();
    const info = session.request("symbol_info", { symbol: ETH });
    expectTypeOf(info).resolves.toEqualTypeOf<SymbolInfoReply>();
    // @ts-expect-error: place_order needs action, price, quantity and order_type
    void session.request("place_order", { symbol: ETH }).catch(() => undefined);
    // asset has no fields of its own: they may be left out.
    await session.request("asset");
    expect((await placed).order_no).toMatch(/^\d+$/);
    expect((await info).data?.quote_currency).toBe("USDT");
  });

  it("times out a request the server never answers; a timed-out read's late reply is quiet, an order's is an error event saying it came after the timeout", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const errors: Error[] = [];
    client.on("error", (x) => errors.push(x));
    mock.setReplyDelay(300);
    const e = await rejection(session.asset({ timeoutMs: 80 }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).timeoutMs).toBe(80);
    expect(e.message).toMatch(/quant-ws asset: no asset reply within 80 ms/);
    await new Promise((r) => setTimeout(r, 400));
    expect(errors).toEqual([]);
    const placed = await rejection(session.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" }, { timeoutMs: 80 }));
    expect(placed).toBeInstanceOf(TimeoutError);
    const late = await client.next("error", 2_000);
    expect(late).toBeInstanceOf(QuantWsFrameError);
    expect((late as QuantWsFrameError).problem).toBe("unknown-cid");
    expect(late.message).toMatch(/^quant-ws: place_order reply for cid "[^"]+" after its request timed out \(body starts: /);
    mock.setReplyDelay(0);
    await expect(session.asset()).resolves.toHaveProperty("USDT");
  });

  it("a reply cut short after its cid fails its request at once (not at its timeout)", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    client.on("error", () => undefined);
    mock.silence("asset");
    const asked = rejection(session.asset({ timeoutMs: 5_000 }));
    const sent = await mock.waitForFrame(isOp("asset"));
    const started = performance.now();
    mock.sendRaw(`{"op":"asset","cid":"${(sent.frame as { cid: string }).cid}","result":true,"error_message":"","data":{"USDT":{"fr`);
    const e = await asked;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect((e as QuantWsFrameError).problem).toBe("not-json");
  });

  it("a second reply to a cid says so; a reply to a cid no request had says that", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    await session.asset();
    const cid = framesOf(mock, "asset")[0]!.cid as string;
    const reply = (c: string) => JSON.stringify({ op: "asset", cid: c, result: true, error_message: "", data: {} });
    mock.sendRaw(reply(cid));
    const twice = await client.next("error", 2_000);
    expect(twice.message).toMatch(new RegExp(`^quant-ws: a second asset reply for cid "${cid}": its request had its reply already \\(body starts: `));
    mock.sendRaw(reply("nobody-1"));
    const unknown = await client.next("error", 2_000);
    expect(unknown.message).toMatch(/^quant-ws: asset reply for unknown cid "nobody-1": no recent request of this client has it \(body starts: /);
  });

  it("aborts a request by signal", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.silence("asset");
    const ctl = new AbortController();
    const asked = session.asset({ signal: ctl.signal });
    await mock.waitForFrame(isOp("asset"));
    ctl.abort();
    expect(await rejection(asked)).toBeInstanceOf(AbortedError);
  });

  it("an aborted read's reply that comes after all is no error event; an aborted order's is (it says what the gateway did)", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const errors: unknown[] = [];
    client.on("error", (e) => errors.push(e));
    mock.setReplyDelay(150);
    for (let i = 0; i < 5; i++) {
      const ctl = new AbortController();
      const asked = session.asset({ signal: ctl.signal });
      await mock.waitForFrame((f) => isOp("asset")(f) && !framesOf(mock, "asset").slice(0, i).includes(f.frame as never));
      ctl.abort();
      expect(await rejection(asked)).toBeInstanceOf(AbortedError);
    }
    await new Promise((r) => setTimeout(r, 400));
    expect(errors).toEqual([]);
    const ctl = new AbortController();
    const placed = session.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" }, { signal: ctl.signal });
    await mock.waitForFrame(isOp("place_order"));
    ctl.abort();
    expect(await rejection(placed)).toBeInstanceOf(AbortedError);
    const late = await client.next("error", 2_000);
    expect([late instanceof QuantWsFrameError, (late as QuantWsFrameError).problem]).toEqual([true, "unknown-cid"]);
    mock.setReplyDelay(0);
  });

  it("turns result:false into the typed error the spec's table names", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const poor = await rejection(session.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 1_000_000, order_type: "MARKET" }));
    expect(poor).toBeInstanceOf(ApiError);
    expect(poor).not.toBeInstanceOf(AuthError);
    expect((poor as ApiError).code).toBe("Insufficient balance");
    expect((poor as ApiError).body).toMatchObject({ op: "place_order", result: false, error_message: "Insufficient balance" });
    mock.forgetToken(session.token);
    const invalid = await rejection(session.asset());
    expect(invalid).toBeInstanceOf(AuthError);
    expect((invalid as ApiError).code).toBe("Invalid token");
    expect(invalid.message).toMatch(/quant-ws asset: error_message "Invalid token" \(The token is unknown/);
    expect(invalid.message).not.toContain(session.token);
  });

  it("exposes cancel_order's per-item results", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    const resting = await session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" });
    expect((await session.openOrders(ETH)).map((o) => o.order_no)).toEqual([resting]);
    const outcome = await session.cancelOrder(ETH, [resting, "999"]);
    expect(outcome.cancelled).toEqual([resting]);
    expect(outcome.failed).toEqual([{ result: false, error_message: "Order not found", order_no: "999" }]);
    expect(outcome.results).toHaveLength(2);
    expect(outcome.unanswered).toEqual([]);
    expect(await session.openOrders(ETH)).toEqual([]);
  });

  it("names the orders a cancel_order reply has no item for (outcome unknown), instead of leaving them out", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const { asked: outcome, cid } = await askUnanswered(mock, "cancel_order", () => session.cancelOrder(ETH, ["101", "102", "103", "102"]));
    // The top-level result is true; only 101 has an item (and a null list would have none).
    mock.sendRaw(JSON.stringify({ op: "cancel_order", cid, result: true, error_message: "", data: [{ result: true, error_message: "", order_no: "101" }] }));
    expect(await outcome).toEqual({
      results: [{ result: true, error_message: "", order_no: "101" }],
      cancelled: ["101"],
      failed: [],
      unanswered: ["102", "103"],
    });
  });

  it("each order asked for is in exactly one of cancelled, failed, unanswered: contradicting items leave it unanswered, a repeated item counts once, an item not asked for counts nowhere (each reported as an error event)", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const errors: unknown[] = [];
    client.on("error", (e) => errors.push(e));
    const item = (order_no: string, result: boolean) => ({ result, error_message: result ? "" : "Order not found", order_no });
    const data = [item("A", false), item("A", true), item("B", true), item("B", true), item("E", false), item("E", false), item("C", true)];
    const { asked: outcome, cid } = await askUnanswered(mock, "cancel_order", () => session.cancelOrder(ETH, ["A", "B", "D", "E"]));
    mock.sendRaw(JSON.stringify({ op: "cancel_order", cid, result: true, error_message: "", data }));
    expect(await outcome).toEqual({ results: data, cancelled: ["B"], failed: [item("E", false)], unanswered: ["A", "D"] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(QuantWsFrameError);
    expect(errors[0]).toMatchObject({ problem: "item-mismatch", field: "data", operation: "cancel_order", cid });
    expect((errors[0] as Error).message).toMatch(
      /^quant-ws cancel_order: cancel_order reply for ETH\/USDT: its items for A say cancelled and not cancelled: counted as unanswered; it has items for C, which were not asked for: not counted/,
    );
  });

  it("a cancel_order reply that repeats an item with the same result counts it once and reports nothing", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const errors: unknown[] = [];
    client.on("error", (e) => errors.push(e));
    const item = { result: true, error_message: "", order_no: "F" };
    const { asked: outcome, cid } = await askUnanswered(mock, "cancel_order", () => session.cancelOrder(ETH, ["F"]));
    mock.sendRaw(JSON.stringify({ op: "cancel_order", cid, result: true, error_message: "", data: [item, item] }));
    expect(await outcome).toEqual({ results: [item, item], cancelled: ["F"], failed: [], unanswered: [] });
    await session.asset();
    expect(errors).toEqual([]);
  });

  it("a place_order reply whose order_no is null fails the call (a QuantWsFrameError), never resolves to an empty order number", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const { asked: placed, cid } = await askUnanswered(mock, "place_order", () => session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" }));
    mock.sendRaw(JSON.stringify({ op: "place_order", cid, result: true, error_message: "", order_no: null }));
    const e = await rejection(placed);
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect(e).toMatchObject({ problem: "wrong-type", field: "order_no", operation: "place_order" });
  });

  it("a place_order reply whose order_no is empty fails the call as null does, outcomeUnknown (the gateway accepted an order): never resolves to \"\"", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    client.on("error", () => undefined);
    const { asked: placed, cid } = await askUnanswered(mock, "place_order", () => session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" }));
    mock.sendRaw(JSON.stringify({ op: "place_order", cid, result: true, error_message: "", order_no: "" }));
    const e = await rejection(placed);
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect(e).toMatchObject({ problem: "missing-field", field: "order_no", operation: "place_order", outcomeUnknown: true });
    expect(e.message).toContain("place_order reply with result true but an empty `order_no`");
  });
});
