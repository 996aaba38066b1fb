/**
 * A gateway URL may carry a query (a gateway that takes a key as `?apikey=…`): it is sent as
 * given, and what the client shows of the URL (connection errors, the `open` event, its
 * inspection) names the query's parameters, not their values.
 */
import { createServer } from "node:net";
import { inspect } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { ConnectionError } from "../../src/handwritten/core/errors.js";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { newClient, rejection, startMock } from "./helpers.js";

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
});
