/**
 * A gateway URL may carry a query (a gateway that takes a key as `?apikey=…`): it is sent as
 * given, and what the client shows of the URL (connection errors, the `open` event, its
 * inspection) names the query's parameters, not their values.
 */
import { createServer } from "node:net";
import { inspect } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { ApiError, ConnectionError } from "../../src/handwritten/core/errors.js";
import { ConnectionDroppedError, createQuantWsClient, QuantWsServerError, type QuantWsClientEvents } from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, newClient, rawGateway, rejection, replyTo, startMock } from "./helpers.js";

const SECRET = "s3cret-in-the-query";

describe("a gateway URL with a query", () => {
  it("connects with the query as given; the open event shows its names only", async () => {
    const mock = await startMock();
    const client = newClient(mock, { url: `${mock.url}?apikey=${SECRET}&v=2` });
    const opened = client.next("open", 2_000);
    await client.connect();
    const event = await opened;
    expect(event.url).toBe(`${mock.url}?apikey=[redacted]&v=[redacted]`);
    expect(inspect(client, { depth: 5 }) + JSON.stringify(client)).not.toContain(SECRET);
  });

  it("a spread, structuredClone or key walk of the client does not copy the URL; client.url is the URL given", () => {
    const url = `ws://127.0.0.1:9/ws/v1?apikey=${SECRET}`;
    const client = createQuantWsClient({ url, reconnect: false });
    onTestFinished(() => client.close());
    expect(client.url).toBe(url);
    expect(Object.keys(client)).not.toContain("url");
    for (const copy of [{ ...client }, structuredClone(client), Object.fromEntries(Object.entries(client))]) {
      expect(inspect(copy, { depth: 5, showHidden: true })).not.toContain(SECRET);
    }
  });

  it("a connection that fails names the URL without the query's values", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const client = createQuantWsClient({ url: `ws://127.0.0.1:${port}/ws/v1?apikey=${SECRET}`, reconnect: false });
    onTestFinished(() => client.close());
    const e = await rejection(client.connect());
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toContain(`cannot connect to ws://127.0.0.1:${port}/ws/v1?apikey=[redacted]:`);
    expect(JSON.stringify({ ...e, message: e.message, stack: e.stack })).not.toContain(SECRET);
  });

  it("a gateway that echoes a key of the query (named like one, or long) in its text: hidden in every error and event; a short ordinary value is not", async () => {
    const KEY = "k9Qz-7Tb"; // short, under a name that says it is a key
    const LONG = "Zq81xWm40pLr7Tc2"; // 16 characters, under a name that says nothing
    const { url } = await rawGateway((ws, f) => {
      if (f.op === "login") {
        ws.send(replyTo(f, { token: "tok-q1" }));
        ws.send(JSON.stringify({ op: "state", token: "tok-q1", code: 6, msg: "" }));
      } else if (f.op === "place_order") {
        ws.send(JSON.stringify({ op: "place_order", cid: f.cid, result: false, error_message: `api key ${KEY} (account ${LONG}, format json) has no trade permission` }));
      } else if (f.op === "asset") {
        ws.send(JSON.stringify({ op: "error", error_message: `unhandled for key ${KEY}` }));
        ws.close(4003, `key ${KEY} revoked`);
      }
    });
    const client = createQuantWsClient({ url: `${url}?apikey=${KEY}&acct=${LONG}&format=json`, requestTimeoutMs: 2_000, loginTimeoutMs: 2_000, reconnect: false });
    onTestFinished(() => client.close());
    const session = await client.login(creds());
    const refused = await rejection(session.placeOrder({ symbol: ETH, action: "BUY", order_type: "LIMIT", price: 1, quantity: 1 }));
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused.message).toContain("api key [redacted] (account [redacted], format json) has no trade permission");

    const serverError = client.next("error", 2_000);
    const disconnected = client.next("disconnected", 2_000);
    const dropped = await rejection(session.asset());
    const error = await serverError;
    const event: QuantWsClientEvents["disconnected"] = await disconnected;
    expect(error).toBeInstanceOf(QuantWsServerError);
    expect(error.message).toContain("unhandled for key [redacted]");
    expect(event.reason).toBe("key [redacted] revoked");
    expect(dropped).toBeInstanceOf(ConnectionDroppedError);
    expect(dropped.message).toContain("socket closed (key [redacted] revoked)");
    for (const shown of [refused, error, event, dropped]) {
      const text = inspect(shown, { depth: 10, showHidden: true }) + JSON.stringify(shown);
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(LONG);
    }
  });
});
