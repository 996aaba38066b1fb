import { describe, expect, it, onTestFinished } from "vitest";
import { ConnectionError } from "../../src/handwritten/core/errors.js";
import { ConnectionDroppedError, createQuantWsClient, type QuantWsClientEvents } from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, rawGateway, rejection, replyTo } from "./helpers.js";

const SECRET = "sk-close-reason-secret";

describe("quant-ws: the gateway's close reason", () => {
  it("is redacted and escaped in the disconnected event, the requests' ConnectionDroppedError and the sessions' end error", async () => {
    // A gateway that closes the socket with a reason echoing the secret key, after control characters.
    const { url } = await rawGateway((ws, f) => {
      if (f.op === "login") {
        ws.send(replyTo(f, { token: "t1" }));
        ws.send(JSON.stringify({ op: "state", token: "t1", code: 6, msg: "" }));
      } else if (f.op === "place_order") ws.close(4000, `\u001b[2J\r\nbad: ${SECRET}`);
    });
    const client = createQuantWsClient({ url, requestTimeoutMs: 2_000, loginTimeoutMs: 2_000, reconnect: false });
    onTestFinished(() => client.close());
    const session = await client.login(creds({ secretKey: SECRET }));
    const disconnected = client.next("disconnected", 2_000);
    const ended = session.next("end", 2_000);
    const order = await rejection(session.placeOrder({ symbol: ETH, action: "BUY", order_type: "LIMIT", price: 1, quantity: 1 }));
    const event: QuantWsClientEvents["disconnected"] = await disconnected;
    const { error: endError } = await ended;

    expect(event.code).toBe(4000);
    expect(event.reason).toBe("\\u001b[2J\\r\\nbad: [redacted]");
    expect(order).toBeInstanceOf(ConnectionDroppedError);
    expect(order.message).toContain("socket closed (\\u001b[2J\\r\\nbad: [redacted]) before the place_order reply");
    expect(endError).toBeInstanceOf(ConnectionError);
    expect(endError.message).toBe("quant-ws: socket closed (\\u001b[2J\\r\\nbad: [redacted]) and reconnect is off");
    for (const text of [event.reason, order.message, String(order.stack), endError.message, String(endError.stack)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toMatch(/\u001b|\r/);
    }
  });
});
