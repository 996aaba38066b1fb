import { describe, expect, expectTypeOf, it, onTestFinished } from "vitest";
import WebSocket from "ws";
import type { JsonDecimal, Order, OrderUpdate, Position, PositionUpdate, SymbolInfo } from "../../generated/quant-ws.js";
import { decodeFrame } from "../../src/handwritten/quant-ws/index.js";
import { ETH, startMock } from "./helpers.js";
import { checkFrameTypes } from "./frame-types.js";
import { loadWireSpec } from "./wire-schema.js";

const spec = loadWireSpec();

/** A raw socket to the emulator that records every frame it receives. */
async function rawSocket(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  onTestFinished(() => ws.terminate());
  const frames: Array<Record<string, unknown>> = [];
  const texts: string[] = [];
  const waiters = new Set<() => void>();
  ws.on("message", (data) => {
    texts.push(data.toString());
    frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const w of [...waiters]) w();
  });
  const until = (test: (f: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no matching frame within 2 s")), 2_000);
      const look = () => {
        const hit = frames.find(test);
        if (!hit) return;
        clearTimeout(t);
        waiters.delete(look);
        resolve(hit);
      };
      waiters.add(look);
      look();
    });
  let seq = 0;
  const ask = async (frame: Record<string, unknown>) => {
    const cid = `t${++seq}`;
    ws.send(JSON.stringify({ ...frame, cid }));
    return until((f) => f.cid === cid);
  };
  return { ws, frames, texts, until, ask };
}

describe("quant-ws frames against the spec's payload schemas", () => {
  it("every example in the spec conforms to its message's payload schema", () => {
    const examples = spec.examples();
    expect(examples.length).toBeGreaterThan(25);
    for (const [key, schema, payload] of examples) expect([key, spec.check(schema, payload)]).toEqual([key, []]);
  });

  it("the checker fails on what the types deny (it can fail)", () => {
    const flat = { symbol: ETH, margin_mode: null, utime: null, ...Object.fromEntries(["long", "short"].flatMap((s) => ["quantity", "avail_qty", "open_price", "hold_price", "liquid_price", "unrealised_pnl", "leverage", "margin"].map((f) => [`${s}_${f}`, 0]))) };
    expect(spec.check("PositionUpdate", flat)).toEqual([]);
    expect(spec.check("PositionUpdate", { ...flat, margin_mode: 5 })).toEqual(["PositionUpdate.margin_mode: 5 is not string | null"]);
    const { symbol: _drop, ...noSymbol } = flat;
    expect(spec.check("PositionUpdate", noSymbol)).toEqual(["PositionUpdate: missing symbol"]);
    expect(spec.check("SymbolInfo", { price_tick: null, size_tick: 1, size_limit: null, value_tick: null, value_limit: null, base_currency: "ETH", quote_currency: "USDT", settlement_currency: "USDT" })).toEqual([
      "SymbolInfo.price_tick: null is not number",
    ]);
    expect(spec.check("PlaceOrderReply", { op: "place_order", cid: "", result: true, error_message: "" })).toEqual(["PlaceOrderReply: missing order_no"]);
  });

  it.each(["huobi", "huobi_future"])("every frame the emulator sends on %s conforms (nulls included) and decodes", async (platform) => {
    const mock = await startMock({ readyDelayMs: 20 });
    const raw = await rawSocket(mock.url);
    const login = await raw.ask({ op: "login", platform, symbols: [ETH, "BTC/USDT"], access_key: `k-${platform}`, secret_key: "s" });
    const token = login.token as string;
    await raw.until((f) => f.op === "state" && f.code === 6);
    await raw.ask({ op: "symbol_info", token, symbol: ETH });
    await raw.ask({ op: "position", token, symbol: "BTC/USDT" });
    await raw.ask({ op: "place_order", token, symbol: ETH, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" });
    await raw.until((f) => f.op === "notify" && f.topic === "fill");
    const resting = await raw.ask({ op: "place_order", token, symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" });
    await raw.ask({ op: "open_orders", token, symbol: ETH });
    await raw.ask({ op: "position", token, symbol: ETH });
    await raw.ask({ op: "asset", token });
    await raw.ask({ op: "cancel_order", token, symbol: ETH, order_nos: [resting.order_no, "999"] });
    raw.ws.send(JSON.stringify({ op: "place_order", token, symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT", cid: "x" }));
    await raw.until((f) => f.cid === "x");
    raw.ws.send(JSON.stringify({ op: "cancel_order", token, symbol: ETH, order_nos: [] }));
    await raw.until((f) => f.op === "notify" && f.topic === "order" && f.data !== null && (f.data as Order).status === "CANCELED" && (f.data as Order).order_no !== resting.order_no);
    await raw.ask({ op: "asset", token: "nope" });
    raw.ws.send(JSON.stringify({ op: "ping", ts: 1 }));
    raw.ws.send(JSON.stringify({ op: "asset" }));
    await raw.until((f) => f.op === "error");
    await raw.ask({ op: "logout", token });

    const kinds = new Set<string>();
    raw.frames.forEach((f, i) => {
      const schema = spec.serverMessage(f);
      kinds.add(schema);
      expect([schema, spec.check(schema, f)]).toEqual([schema, []]);
      expect(() => decodeFrame(raw.texts[i]!)).not.toThrow();
    });
    expect([...kinds].sort()).toEqual(
      ["AssetNotification", "AssetReply", "CancelOrderReply", "FillNotification", "LoginReply", "LogoutReply", "OpenOrdersReply", "OrderNotification", "PlaceOrderReply", "PongReply", "PositionNotification", "PositionReply", "ServerError", "StateNotification", "SymbolInfoReply"].sort(),
    );
    // And against the generated TypeScript types, by the compiler: the types do not lie.
    expect(checkFrameTypes(raw.frames.map((f, i) => [spec.serverMessage(f), raw.texts[i]!] as const))).toEqual([]);
    // The nulls the real gateway sends are there to be checked.
    const data = (op: string) => raw.frames.find((f) => f.op === op)!.data as Record<string, unknown>;
    expect(data("position")).toMatchObject({ margin_mode: null, utime: null });
    const market = raw.frames.find((f) => f.op === "notify" && f.topic === "order" && (f.data as Order).order_type === "MARKET")!;
    expect((market.data as Order).price).toBeNull();
    if (platform === "huobi") expect(data("symbol_info")).toMatchObject({ size_limit: null, value_tick: null, value_limit: null });
    else expect(data("symbol_info")).toMatchObject({ size_limit: 1, value_tick: 1, value_limit: 10 });
  });

  it("the compiler check of frames against the generated types can fail", () => {
    const info = '{"op":"symbol_info","cid":"1","result":true,"error_message":"","data":{"price_tick":0.01,"size_tick":1,"size_limit":null,"value_tick":null,"value_limit":null,"base_currency":"ETH","quote_currency":"USDT","settlement_currency":"USDT"}}';
    expect(checkFrameTypes([["SymbolInfoReply", info]])).toEqual([]);
    const problems = checkFrameTypes([
      ["SymbolInfoReply", info.replace('"price_tick":0.01', '"price_tick":null')],
      ["LoginReply", '{"op":"login","cid":"","result":true,"error_message":""}'],
      ["PongReply", '{"op":"pong","ts":1,"extra":true}'],
      ["OrderNotification", '{"op":"notify","topic":"order","token":"t","data":{"symbol":"ETH/USDT","order_no":"1","action":"BUY","price":null,"quantity":1,"remain":1,"status":"DONE","order_type":"MARKET","ctime":1,"utime":1}}'],
    ]);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/Type 'null' is not assignable to type 'number'.*f0: SymbolInfoReply/);
    expect(problems[1]).toMatch(/Property 'token' is missing.*f1: LoginReply/);
    expect(problems[2]).toMatch(/'"extra"' does not exist in type 'PongReply'.*f2: PongReply/);
    expect(problems[3]).toMatch(/Type '"DONE"' is not assignable to type 'OrderStatus'.*f3: OrderNotification/);
  });

  it("the generated types admit the nulls", () => {
    expectTypeOf<Position["margin_mode"]>().toEqualTypeOf<string | null>();
    expectTypeOf<PositionUpdate["utime"]>().toEqualTypeOf<number | bigint | null>();
    expectTypeOf<SymbolInfo["size_limit"]>().toEqualTypeOf<JsonDecimal | null>();
    expectTypeOf<SymbolInfo["value_tick"]>().toEqualTypeOf<JsonDecimal | null>();
    expectTypeOf<SymbolInfo["value_limit"]>().toEqualTypeOf<JsonDecimal | null>();
    expectTypeOf<SymbolInfo["price_tick"]>().toEqualTypeOf<JsonDecimal>();
    expectTypeOf<Order["price"]>().toEqualTypeOf<JsonDecimal | null>();
    expectTypeOf<OrderUpdate["price"]>().toEqualTypeOf<JsonDecimal | null>();
  });
});
