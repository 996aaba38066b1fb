import { describe, expect, it } from "vitest";
import { TimeoutError, TradeApiError } from "../../src/handwritten/core/errors.js";
import { ClientClosedError, SessionClosedError } from "../../src/handwritten/quant-ws/index.js";
import { creds, rejection, setup } from "./helpers.js";

describe("quant-ws next()", () => {
  it("waiting without a timeout: rejects when the client closes (client and session events alike)", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    const reconnected = rejection(client.next("reconnected"));
    const fill = rejection(session.next("fill"));
    await client.close();
    const [e1, e2] = await Promise.all([reconnected, fill]);
    expect(e1).toBeInstanceOf(ClientClosedError);
    expect(e1.message).toBe("quant-ws: client closed");
    expect(e2).toBeInstanceOf(ClientClosedError);
    // Called once it is over: at once.
    expect(await rejection(client.next("open"))).toBeInstanceOf(ClientClosedError);
    expect(await rejection(session.next("order"))).toBeInstanceOf(ClientClosedError);
  });

  it("a session's next() rejects with the session's end error when it logs out, and at once after", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    const fill = rejection(session.next("fill", 60_000));
    await session.logout();
    const e = await fill;
    expect(e).toBeInstanceOf(SessionClosedError);
    expect(e.message).toBe("quant-ws: session logged out");
    expect(await rejection(session.next("fill"))).toBeInstanceOf(SessionClosedError);
    // The client and its other events go on.
    expect(client.sessions).toEqual([]);
  });

  it("a timeout is a TimeoutError naming the event and the ms", async () => {
    const { client } = await setup();
    await client.connect();
    const e = await rejection(client.next("reconnected", 30));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e).toBeInstanceOf(TradeApiError);
    expect(e.message).toBe("quant-ws: no reconnected event within 30 ms");
    expect((e as TimeoutError).timeoutMs).toBe(30);
  });
});
