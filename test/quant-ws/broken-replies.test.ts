/**
 * A reply the client cannot use, whose cid names a request: the request and the client's
 * `error` event each get their own error (marking the request's `outcomeUnknown` left the
 * event's marked too); a reply that answered with success but holds a decimal no double holds
 * (decimals: "exact") is a DecimalPrecisionError carrying that reply, as on the REST clients,
 * not a frame error of unknown outcome; and a login's token in a reply it cannot read is a
 * secret like any other.
 */
import { inspect } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { ApiError, type TradeApiError } from "../../src/handwritten/core/errors.js";
import { DecimalPrecisionError } from "../../src/handwritten/core/json.js";
import { createQuantWsClient, QuantWsFrameError } from "../../src/handwritten/quant-ws/index.js";
import { askUnanswered, creds, ETH, rawGateway, rejection, setup } from "./helpers.js";

const ORDER = { symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" } as const;

describe("quant-ws replies it cannot use", () => {
  it("the request's error and the `error` event's are two objects: the request's mark stays on it", async () => {
    const { mock, client } = await setup();
    const events: Error[] = [];
    client.on("error", (e) => events.push(e));
    const session = await client.login(creds());
    const { asked, cid } = await askUnanswered(mock, "place_order", () => session.placeOrder(ORDER));
    mock.sendRaw(`{"op":"place_order","cid":"${cid}","result":true,"error_message":""`);
    const e = (await rejection(asked)) as QuantWsFrameError;
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect(e.problem).toBe("not-json");
    expect(e.operation).toBe("place_order");
    expect(e.outcomeUnknown).toBe(true);
    expect(events).toHaveLength(1);
    const event = events[0] as QuantWsFrameError;
    expect(event).not.toBe(e);
    expect(event).toBeInstanceOf(QuantWsFrameError);
    expect(event.outcomeUnknown).toBeUndefined();
    expect(event.message).not.toContain("may have reached the server");
    expect(e.cause).toBe(event);
  });

  it("an accepted place_order whose reply holds a decimal no double holds: a DecimalPrecisionError with the reply, not an unknown outcome", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const { asked, cid } = await askUnanswered(mock, "place_order", () => session.placeOrder(ORDER));
    mock.sendRaw(`{"op":"place_order","cid":"${cid}","result":true,"error_message":"","order_no":"9007199254740993123","fee":0.10000000000000000001}`);
    const e = (await rejection(asked)) as DecimalPrecisionError;
    expect(e).toBeInstanceOf(DecimalPrecisionError);
    expect(e.outcomeUnknown).toBeUndefined();
    expect(e.operation).toBe("place_order");
    expect(e.path).toBe("fee");
    expect(e.literal).toBe("0.10000000000000000001");
    expect(e.message).toContain("The server accepted the request (do not send it again)");
    expect(e.body).toMatchObject({ result: true, order_no: "9007199254740993123", fee: "0.10000000000000000001" });
  });

  it("a refused place_order whose reply holds such a decimal: the gateway's refusal (an ApiError), a definite answer", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const { asked, cid } = await askUnanswered(mock, "place_order", () => session.placeOrder(ORDER));
    mock.sendRaw(`{"op":"place_order","cid":"${cid}","result":false,"error_message":"insufficient balance","need":0.10000000000000000001}`);
    const e = (await rejection(asked)) as TradeApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.outcomeUnknown).toBeUndefined();
    expect(e.message).toContain("insufficient balance");
  });

  it("a read whose reply holds such a decimal: a DecimalPrecisionError with the reply, the request not said to be accepted", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const { asked, cid } = await askUnanswered(mock, "asset", () => session.asset());
    mock.sendRaw(`{"op":"asset","cid":"${cid}","result":true,"error_message":"","data":{"USDT":{"total":"1","free":"1","locked":"0"}},"x":0.10000000000000000001}`);
    const e = (await rejection(asked)) as DecimalPrecisionError;
    expect(e).toBeInstanceOf(DecimalPrecisionError);
    expect(e.message).not.toContain("accepted");
    expect(e.body).toMatchObject({ x: "0.10000000000000000001" });
  });

  it("a login reply it cannot read: the token in it shows nowhere (event, error, inspect)", async () => {
    const TOKEN = "tok-SECRET-7f3a9c2e51";
    const { url } = await rawGateway((ws, f) => {
      if (f.op === "login") ws.send(`{"op":"login","cid":"${String(f.cid)}","result":true,"error_message":"","token":"${TOKEN}","x":0.10000000000000000001}`);
    });
    const client = createQuantWsClient({ url, loginTimeoutMs: 500, reconnect: false });
    onTestFinished(() => client.close());
    const events: Error[] = [];
    client.on("error", (e) => events.push(e));
    const e = await rejection(client.login(creds()));
    const shown = [e, ...events].map((x) => `${inspect(x, { depth: 8 })} ${JSON.stringify(x)} ${x.message}`).join("\n");
    expect(shown).not.toContain(TOKEN);
    expect(shown).not.toContain("SECRET");
  });
});
